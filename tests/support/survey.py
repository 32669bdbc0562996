"""Helpers for survey tests: a volunteer made directly in the database, and reading Flex replies."""

from __future__ import annotations

from datetime import datetime, timedelta, timezone
from typing import Any

from sqlalchemy import Engine, insert, select

from storage.sealed import lookup_hash
from storage.models import Community, InviteCode, LineUser, Municipality, Person
from tests.support.line_chat import LineChat, Replies


def make_volunteer(engine: Engine, line_user_id: str, name: str = "อาสา ทดสอบ", municipality_id: int | None = None, role: str = "volunteer", bound: bool = True) -> dict[str, int]:
    """A municipality with two communities (unless given) and a volunteer tied to a LINE user.

    The person is bound to the first community unless `bound` is false (a bound volunteer's
    surveys fill the community in without asking it).
    """
    with engine.begin() as connection:
        if municipality_id is None:
            municipality_id = connection.execute(
                insert(Municipality).values(name="เทศบาลนครทดสอบ", kind="city", tambon_code="400101", amphoe_code="4001", province_code="40").returning(Municipality.id)
            ).scalar_one()
            for community in ("ชุมชนวัดใหม่", "ชุมชนริมน้ำ"):
                connection.execute(insert(Community).values(municipality_id=municipality_id, name=community, target_households=100))
        community_id = connection.execute(select(Community.id).where(Community.municipality_id == municipality_id).order_by(Community.id)).scalars().first()
        user_pk = connection.execute(insert(LineUser).values(line_user_id=line_user_id, active=True, events_handled=0).returning(LineUser.id)).scalar_one()
        person_id = connection.execute(
            insert(Person).values(line_user_id=user_pk, role=role, volunteer_type="osm", full_name=name, municipality_id=municipality_id, community_id=community_id if bound else None, active=True).returning(Person.id)
        ).scalar_one()
    return {"municipality_id": municipality_id, "community_id": community_id, "person_id": person_id}


def register_volunteer_in_chat(engine: Engine, chat: LineChat, name: str = "อาสา ทดสอบ") -> tuple[dict[str, int], Replies]:
    """A municipality set up by its officer, then a volunteer registering with an invite code in the chat.

    Returns the ids (as make_volunteer does) and the bot's last reply: the volunteer's menu.
    """
    with engine.begin() as connection:
        municipality_id = connection.execute(
            insert(Municipality).values(name="เทศบาลนครทดสอบ", kind="city", tambon_code="400101", amphoe_code="4001", province_code="40").returning(Municipality.id)
        ).scalar_one()
        for community in ("ชุมชนวัดใหม่", "ชุมชนริมน้ำ"):
            connection.execute(insert(Community).values(municipality_id=municipality_id, name=community, target_households=100))
        connection.execute(
            insert(InviteCode).values(code_hash=lookup_hash("SURV2345"), role="volunteer", municipality_id=municipality_id, expires_at=datetime.now(timezone.utc) + timedelta(days=7), max_uses=5, uses=0)
        )
    chat.follow()
    chat.say("ลงทะเบียน")
    chat.say("surv-2345")
    chat.say(name)
    chat.say("0812345678")
    community = chat.say("อสม.")
    confirm = chat.tap_button(community, "ชุมชนวัดใหม่")
    menu = chat.tap_button(confirm, "ยืนยัน")
    assert "ลงทะเบียนเรียบร้อยแล้ว" in menu.text
    with engine.connect() as connection:
        person_id, community_id = connection.execute(
            select(Person.id, Person.community_id).join(LineUser, Person.line_user_id == LineUser.id).where(LineUser.line_user_id == chat.user_id)
        ).one()
    return {"municipality_id": municipality_id, "community_id": community_id, "person_id": person_id}, menu


def flex_messages(replies: Replies) -> list[dict[str, Any]]:
    """The Flex messages of a reply."""
    return [m for m in replies.messages if m.get("type") == "flex"]


def flex_components(replies: Replies, component_type: str) -> list[dict[str, Any]]:
    """Every Flex component of a type ("text", "button" …) in the reply, in document order."""
    found: list[dict[str, Any]] = []

    def walk(node: Any) -> None:
        if isinstance(node, dict):
            if node.get("type") == component_type:
                found.append(node)
            for value in node.values():
                walk(value)
        elif isinstance(node, list):
            for value in node:
                walk(value)

    for message in flex_messages(replies):
        walk(message["contents"])
    return found


def flex_texts(replies: Replies) -> list[str]:
    """Every text inside the Flex messages, in order."""
    return [node["text"] for node in flex_components(replies, "text") if "text" in node]


def flex_actions(replies: Replies) -> list[dict[str, Any]]:
    """Every button action inside the Flex messages."""
    return [node["action"] for node in flex_components(replies, "button")]
