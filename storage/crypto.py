"""Personal data at rest: authenticated encryption under rotating keys, keyed hashes for lookups.

`DATA_KEY` holds one or more keys, `id:base64key[,id:base64key…]`; the first encrypts, every
one decrypts, so keys can rotate (`thaiqm-bot rotate-key`) while old values are still read.
A sealed value is `enc1:<key id>:<nonce+ciphertext, urlsafe base64>` (AES-256-GCM): the key
id travels with the value. A lookup hash is `<key id>:<HMAC-SHA256 hex>` under a key derived
from the data key, so a search by national ID compares hashes and never needs the plain value.
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import hmac
import os
import re
from dataclasses import dataclass, field

from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.ciphers.aead import AESGCM
from cryptography.hazmat.primitives.kdf.hkdf import HKDF

PREFIX = "enc1"
NONCE_BYTES = 12
KEY_BYTES = 32
KEY_ID = re.compile(r"^[A-Za-z0-9_-]{1,16}$")


class DataKeyError(ValueError):
    """A DATA_KEY that cannot be used; the message is one line for a person."""


class SealedValueError(ValueError):
    """A stored value that no configured key opens (wrong or lost key, or tampering)."""


@dataclass(frozen=True)
class Keyring:
    """The data keys: the first seals, all open; each also yields a lookup-hash key."""

    keys: dict[str, bytes]
    current: str
    _ciphers: dict[str, AESGCM] = field(init=False, repr=False, compare=False)
    _hash_keys: dict[str, bytes] = field(init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        if self.current not in self.keys:
            raise DataKeyError("the current key is not among the keys")
        object.__setattr__(self, "_ciphers", {kid: AESGCM(key) for kid, key in self.keys.items()})
        object.__setattr__(self, "_hash_keys", {kid: _derive_hash_key(key) for kid, key in self.keys.items()})

    @classmethod
    def parse(cls, text: str) -> "Keyring":
        """Read `id:base64key[,id:base64key…]` (the first is current), or raise DataKeyError."""
        keys: dict[str, bytes] = {}
        order: list[str] = []
        for part in (p.strip() for p in text.split(",")):
            if not part:
                continue
            kid, sep, encoded = part.partition(":")
            if not sep or not KEY_ID.match(kid):
                raise DataKeyError("DATA_KEY must look like id:base64key (make one with 'thaiqm-bot make-key')")
            try:
                key = base64.b64decode(encoded + "=" * (-len(encoded) % 4), altchars=b"-_", validate=True)
            except (binascii.Error, ValueError):
                raise DataKeyError(f"DATA_KEY: key {kid!r} is not base64") from None
            if len(key) != KEY_BYTES:
                raise DataKeyError(f"DATA_KEY: key {kid!r} must be {KEY_BYTES} bytes, not {len(key)}")
            if kid in keys:
                raise DataKeyError(f"DATA_KEY: key id {kid!r} appears twice")
            keys[kid] = key
            order.append(kid)
        if not order:
            raise DataKeyError("DATA_KEY is empty (make one with 'thaiqm-bot make-key')")
        return cls(keys=keys, current=order[0])

    def seal(self, plain: str) -> str:
        """Encrypt a text under the current key."""
        nonce = os.urandom(NONCE_BYTES)
        sealed = self._ciphers[self.current].encrypt(nonce, plain.encode("utf-8"), None)
        return f"{PREFIX}:{self.current}:{base64.urlsafe_b64encode(nonce + sealed).decode('ascii')}"

    def open(self, token: str) -> str:
        """Decrypt a sealed value, or raise SealedValueError."""
        kid = key_id_of(token)
        cipher = self._ciphers.get(kid) if kid else None
        if cipher is None:
            raise SealedValueError(f"no configured key opens values sealed with key {kid!r}")
        try:
            raw = base64.urlsafe_b64decode(token.split(":", 2)[2])
            return cipher.decrypt(raw[:NONCE_BYTES], raw[NONCE_BYTES:], None).decode("utf-8")
        except (InvalidTag, binascii.Error, ValueError, IndexError):
            raise SealedValueError(f"a value sealed with key {kid!r} does not open (damaged, or another key of that id)") from None

    def digest(self, value: str, kid: str | None = None) -> str:
        """The lookup hash of a value under one key (the current one by default)."""
        kid = kid or self.current
        mac = hmac.new(self._hash_keys[kid], value.encode("utf-8"), hashlib.sha256).hexdigest()
        return f"{kid}:{mac}"

    def digests(self, value: str) -> list[str]:
        """The value's lookup hash under every key: a search matches rows not yet rotated too."""
        return [self.digest(value, kid) for kid in self.keys]


def is_sealed(value: object) -> bool:
    """True for a value this module sealed."""
    return isinstance(value, str) and value.startswith(PREFIX + ":")


def key_id_of(token: str) -> str | None:
    """The id of the key a value was sealed with (None for a plain value)."""
    if not is_sealed(token):
        return None
    parts = token.split(":", 2)
    return parts[1] if len(parts) == 3 else None


def make_key_text(kid: str) -> str:
    """A new random key as DATA_KEY text: `id:base64key`."""
    if not KEY_ID.match(kid):
        raise DataKeyError("a key id is 1 to 16 letters, digits, - or _")
    return f"{kid}:{base64.urlsafe_b64encode(os.urandom(KEY_BYTES)).decode('ascii').rstrip('=')}"


def _derive_hash_key(key: bytes) -> bytes:
    """A separate key for lookup hashes, so a hash never reveals anything about the cipher key."""
    return HKDF(algorithm=hashes.SHA256(), length=32, salt=None, info=b"thaiqm lookup hash").derive(key)
