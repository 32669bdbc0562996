"""Postback data: what a button carries comes back exactly as it was put in."""

from __future__ import annotations

from hypothesis import given
from hypothesis import strategies as st

from bot.chat import postback


def test_slots_and_house_numbers_are_joined_as_they_are_and_read_back():
    data = postback.encode("sv", h=12, a="keep", s="house_no|0|", v="12/3")
    assert data == "do=sv&h=12&a=keep&s=house_no|0|&v=12/3"
    assert postback.decode(data) == ("sv", {"h": "12", "a": "keep", "s": "house_no|0|", "v": "12/3"})


@given(st.dictionaries(st.sampled_from(["h", "a", "v", "s"]), st.text(max_size=5), max_size=4))  # within LINE's 300 characters, escaped
def test_any_value_comes_back_unchanged(params):  # type: ignore[no-untyped-def]
    assert postback.decode(postback.encode("sv", **params)) == ("sv", params)
