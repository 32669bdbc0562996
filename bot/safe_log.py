"""Logging failures without their messages: an exception's text may quote people's answers."""

from __future__ import annotations

import logging
import traceback


def log_failure(logger: logging.Logger, what: str, error: BaseException) -> None:
    """Log what failed, the exception's type and where it was raised; never its message."""
    frames = "".join(traceback.format_list(traceback.extract_tb(error.__traceback__)))
    logger.error("%s failed with %s at:\n%s", what, type(error).__name__, frames)
