"""Reading an earlier round's households and problems from a file (thaiqm-bot import-round)."""
