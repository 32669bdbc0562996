"""Sending the outbox: replies and pushes on background lanes, retries of what failed."""
