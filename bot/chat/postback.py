"""Postback data: `do=<route>&k=v…`, short enough for LINE's 300-character limit."""

from __future__ import annotations

from urllib.parse import parse_qsl, urlencode

MAX_DATA = 300


def encode(route: str, **params: object) -> str:
    """Postback data for a route and its parameters."""
    data = urlencode({"do": route, **{k: str(v) for k, v in params.items()}})
    if len(data) > MAX_DATA:
        raise ValueError(f"postback data for {route!r} is {len(data)} characters, LINE allows {MAX_DATA}")
    return data


def decode(data: str) -> tuple[str, dict[str, str]]:
    """The route and parameters of postback data; route "" for data we did not make."""
    params = dict(parse_qsl(data or "", keep_blank_values=True))
    return params.pop("do", ""), params
