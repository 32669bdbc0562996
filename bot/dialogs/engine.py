"""The dialog engine: a `transitions` machine derived from the form, and one pure step function.

`Engine(form)` is built once per form version. `step(cursor, answers, input, env)` returns
the new cursor, the answers to store and what to say (message ids, options): the caller
stores and renders. The cursor is only a pointer into the stored answers.

The engine is put together from one module per job: `machine` derives the states and
transitions from the form, `moving` builds the machine and walks it, `stepping` applies
one user action, `presenting` says what to show.
"""

from __future__ import annotations

from bot.dialogs.cursor import CANCELLED, FINAL, REFUSED, REVIEW, SUBMITTED, Answers, Cursor, Join, Key, Outcome
from bot.dialogs.form import Form
from bot.dialogs.presenting import Presenting
from bot.dialogs.stepping import Stepping, parse_numbers_like

__all__ = ["CANCELLED", "FINAL", "REFUSED", "REVIEW", "SUBMITTED", "Answers", "Cursor", "Engine", "Join", "Key", "Outcome", "engine_for", "parse_numbers_like", "preload"]


class Engine(Stepping, Presenting):
    """The dialog of one form version; build once, share across requests."""


_ENGINES: dict[tuple[str, str], Engine] = {}


def preload() -> int:
    """Load and check every form file and build its machine (at app start: a broken form fails there)."""
    from bot.dialogs.form import forms

    return len([engine_for(form) for form in forms().values()])


def engine_for(form: Form) -> Engine:
    """The shared engine of a form version: the machine is built once per process, not per event."""
    key = (form.id, form.version)
    engine = _ENGINES.get(key)
    if engine is None:
        engine = _ENGINES.setdefault(key, Engine(form))
    return engine
