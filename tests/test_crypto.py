"""Personal data at rest: sealing, opening, rotation and lookup hashes (storage/crypto.py)."""

from __future__ import annotations

import pytest

from storage.crypto import DataKeyError, Keyring, SealedValueError, is_sealed, key_id_of, make_key_text

NATIONAL_ID = "1103701234567"


def test_a_sealed_value_opens_to_the_same_text_and_shows_nothing_of_it() -> None:
    ring = Keyring.parse(make_key_text("k1"))
    sealed = ring.seal(NATIONAL_ID)
    assert is_sealed(sealed) and key_id_of(sealed) == "k1"
    assert NATIONAL_ID not in sealed and NATIONAL_ID[-4:] not in sealed
    assert ring.open(sealed) == NATIONAL_ID
    assert ring.seal(NATIONAL_ID) != sealed  # a fresh nonce each time: equal values do not look equal


def test_thai_text_survives_sealing() -> None:
    ring = Keyring.parse(make_key_text("k1"))
    assert ring.open(ring.seal("สมชาย ใจดี")) == "สมชาย ใจดี"


def test_after_rotation_old_values_open_and_new_ones_use_the_new_key() -> None:
    old = make_key_text("k1")
    before = Keyring.parse(old)
    sealed_before = before.seal(NATIONAL_ID)
    after = Keyring.parse(make_key_text("k2") + "," + old)
    assert after.current == "k2"
    assert after.open(sealed_before) == NATIONAL_ID
    assert key_id_of(after.seal(NATIONAL_ID)) == "k2"
    # A search during rotation matches rows hashed under either key.
    assert before.digest(NATIONAL_ID) in after.digests(NATIONAL_ID)


def test_a_value_under_an_unknown_or_wrong_key_or_tampered_does_not_open() -> None:
    ring = Keyring.parse(make_key_text("k1"))
    stranger = Keyring.parse(make_key_text("k9"))
    with pytest.raises(SealedValueError):
        ring.open(stranger.seal(NATIONAL_ID))
    same_id_other_key = Keyring.parse(make_key_text("k1"))
    with pytest.raises(SealedValueError):
        ring.open(same_id_other_key.seal(NATIONAL_ID))
    sealed = ring.seal(NATIONAL_ID)
    middle = len(sealed) - 20  # inside the ciphertext: the last characters may be base64 padding bits
    tampered = sealed[:middle] + ("A" if sealed[middle] != "A" else "B") + sealed[middle + 1 :]
    with pytest.raises(SealedValueError):
        ring.open(tampered)


def test_lookup_hash_is_stable_keyed_and_reveals_nothing() -> None:
    ring = Keyring.parse(make_key_text("k1"))
    assert ring.digest(NATIONAL_ID) == ring.digest(NATIONAL_ID)
    assert ring.digest(NATIONAL_ID) != ring.digest("1103701234568")
    assert ring.digest(NATIONAL_ID) != Keyring.parse(make_key_text("k1")).digest(NATIONAL_ID)
    assert NATIONAL_ID not in ring.digest(NATIONAL_ID)


@pytest.mark.parametrize(
    "text, says",
    [
        ("", "empty"),
        ("nokey", "id:base64key"),
        ("k1:!!!", "base64"),
        ("k1:AAAA", "32 bytes"),
        ("bad id:" + "A" * 43, "id:base64key"),
    ],
)
def test_an_unusable_data_key_is_refused_in_one_line(text: str, says: str) -> None:
    with pytest.raises(DataKeyError, match=says):
        Keyring.parse(text)


def test_the_same_key_id_twice_is_refused() -> None:
    key = make_key_text("k1")
    with pytest.raises(DataKeyError, match="twice"):
        Keyring.parse(key + "," + key)
