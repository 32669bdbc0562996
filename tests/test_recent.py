"""The per-process keeping of areas and rounds: seconds at most, nothing missing kept, forgotten on a change here."""

from __future__ import annotations

import pytest

from storage import recent


@pytest.fixture(autouse=True)
def _fresh():  # type: ignore[no-untyped-def]
    recent.forget()
    yield
    recent.forget()


def test_a_value_is_kept_for_seconds_then_read_again(monkeypatch):
    clock = [100.0]
    monkeypatch.setattr(recent.time, "monotonic", lambda: clock[0])
    loads = []
    load = lambda: loads.append(1) or len(loads)  # noqa: E731
    assert recent.recent("k", load) == 1
    clock[0] += recent.KEEP_SECONDS - 0.1
    assert recent.recent("k", load) == 1
    clock[0] += 0.2
    assert recent.recent("k", load) == 2


def test_nothing_missing_is_kept_and_forget_drops_all():
    values = [None, "area"]
    assert recent.recent("k", lambda: values.pop(0)) is None
    assert recent.recent("k", lambda: values.pop(0)) == "area"
    recent.forget()
    assert recent.recent("k", lambda: "changed") == "changed"
