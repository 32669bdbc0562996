"""Postback data: `do=<route>&k=v…`, short enough for LINE's 300-character limit."""

from __future__ import annotations

import re
from urllib.parse import parse_qsl, urlencode

MAX_DATA = 300


# Characters that need no escaping in a query string (parse_qsl reads them back as they are):
# text made only of these is joined without urlencode. "|" is in every question's slot.
_PLAIN = re.compile(r"[\w.~|/:-]*\Z", re.ASCII)


def encode(route: str, **params: object) -> str:
    """Postback data for a route and its parameters."""
    pairs = {"do": route, **{k: str(v) for k, v in params.items()}}
    # A question's buttons are a dozen of these per step, nearly always plain codes and ids:
    # joined directly (what parse_qsl reads back as urlencode's output) at a fraction of its cost.
    if _PLAIN.match("".join(pairs) + "".join(pairs.values())):
        data = "&".join([f"{key}={value}" for key, value in pairs.items()])
    else:
        data = urlencode(pairs)
    if len(data) > MAX_DATA:
        raise ValueError(f"postback data for {route!r} is {len(data)} characters, LINE allows {MAX_DATA}")
    return data


def decode(data: str) -> tuple[str, dict[str, str]]:
    """The route and parameters of postback data; route "" for data we did not make."""
    params = dict(parse_qsl(data or "", keep_blank_values=True))
    return params.pop("do", ""), params
