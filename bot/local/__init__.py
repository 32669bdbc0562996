"""Local tooling: the LINE stand-in, the chat emulator and the demo. Never imported by production code."""
