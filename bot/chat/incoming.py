"""What a person did in the chat, independent of LINE: the one event type handlers see."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Literal, Mapping

# follow/unfollow: added or blocked the bot; text, postback (a tapped button), location;
# message: any other message (its content kind says which); other: an event the bot has no
# use for; unknown: an event the channel adapter could not read.
Kind = Literal["follow", "unfollow", "text", "postback", "location", "message", "other", "unknown"]
# The content kinds of a "message" the bot cannot use ("" for one it has no name for).
ContentKind = Literal["sticker", "image", "audio", "video", "file", "location", ""]


@dataclass(frozen=True)
class Incoming:
    """One event from the chat: who, where, what, and how to answer it."""

    kind: Kind
    event_id: str | None  # the channel's unique id of the event (the same on redelivery)
    event_type: str  # the event type as the channel names it (for logs)
    chat_id: str | None  # the user, group or room the event comes from
    user_id: str | None = None  # the person who acted (None when the channel does not say)
    one_to_one: bool = False  # a one-to-one chat with the person (not a group or room)
    reply_token: str | None = None
    text: str = ""  # kind text
    content: ContentKind = ""  # kind message (and location)
    data: str = ""  # kind postback: the button's data
    params: Mapping[str, str] = field(default_factory=dict)  # kind postback: e.g. {"date": "2024-01-15"}
    location: tuple[float, float] | None = None  # kind location: latitude, longitude
