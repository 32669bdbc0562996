"""Long lists in the chat: split into texts LINE accepts (5,000 characters each, 5 messages per reply)."""

from __future__ import annotations

from typing import Sequence

MAX_CHARS = 4500  # under LINE's 5,000, leaving room for a header
MAX_TEXTS = 4  # a reply carries 5 messages; one stays free for the question or menu


def chunk_lines(lines: Sequence[str], max_chars: int = MAX_CHARS, max_texts: int = MAX_TEXTS) -> tuple[list[str], int]:
    """Join lines into at most `max_texts` texts of at most `max_chars`; returns (texts, lines left out)."""
    texts: list[str] = []
    current: list[str] = []
    size = 0
    for index, line in enumerate(lines):
        if current and size + len(line) + 1 > max_chars:
            texts.append("\n".join(current))
            current, size = [], 0
            if len(texts) == max_texts:
                return texts, len(lines) - index
        current.append(line[:max_chars])
        size += len(line) + 1
    if current:
        texts.append("\n".join(current))
    return texts, 0
