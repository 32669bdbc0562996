"""Column types that keep personal data sealed in the database and plain in Python.

The keyring is set once per process (`use_keyring`, from the runtime or a CLI command);
models declare which columns are sealed, so the code that reads and writes them does not
change. A plain value left from before encryption is still read, and sealed by
`seal_all` (run by `thaiqm-bot db upgrade` and `rotate-key`).
"""

from __future__ import annotations

from typing import Any

from sqlalchemy import Text
from sqlalchemy.types import TypeDecorator

from storage.crypto import Keyring, is_sealed

_keyring: Keyring | None = None


class NoKeyring(RuntimeError):
    """Personal data was read or written before a data key was configured."""


def use_keyring(ring: Keyring) -> None:
    """Make a keyring the one every sealed column of this process uses."""
    global _keyring
    _keyring = ring


def keyring() -> Keyring:
    """The process's keyring, or NoKeyring."""
    if _keyring is None:
        raise NoKeyring("no data key is configured (DATA_KEY)")
    return _keyring


class Sensitive(str):
    """A value a partly sealed column (answers) must seal: the form marked its question sensitive."""

    __slots__ = ()


class _OpenedText(TypeDecorator[str]):
    """Text that may hold sealed values: opened on the way out, whoever sealed it."""

    impl = Text
    cache_ok = True

    @property
    def python_type(self) -> type:
        """Text in Python (what projections convert answers to)."""
        return str

    def process_result_value(self, value: Any, dialect: Any) -> str | None:
        """Open what was sealed (a plain value from before encryption is read as it is)."""
        return keyring().open(value) if is_sealed(value) else value


class SealedText(_OpenedText):
    """Every value sealed at rest (national IDs, phones)."""

    cache_ok = True

    def process_bind_param(self, value: Any, dialect: Any) -> str | None:
        """Seal on the way in."""
        return None if value is None else keyring().seal(str(value))


class PartlySealedText(_OpenedText):
    """Values sealed when marked `Sensitive` (answers to sensitive questions), plain otherwise."""

    cache_ok = True

    def process_bind_param(self, value: Any, dialect: Any) -> str | None:
        """Seal a Sensitive value; store the rest as it is."""
        return keyring().seal(str(value)) if isinstance(value, Sensitive) else value


def lookup_hash(value: str | None) -> str | None:
    """The keyed hash a searchable sealed value is found by (None for no value)."""
    return None if value is None else keyring().digest(value)


def lookup_hashes(value: str) -> list[str]:
    """Every hash the value may be stored under (all configured keys, during a rotation)."""
    return keyring().digests(value)
