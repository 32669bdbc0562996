"""Message ids that live in data files rather than code, for the catalog tool and its test."""

from __future__ import annotations

from typing import Iterable


def data_message_ids() -> Iterable[str]:
    """Every translatable text of the project's data files (forms, menus)."""
    from bot.dialogs.form import forms

    ids: set[str] = set()
    for form in forms().values():
        ids.update(form.message_ids())
    return sorted(ids)
