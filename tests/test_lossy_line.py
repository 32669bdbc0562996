"""With one LINE call in ten dropped, every volunteer still gets every next question once, in order."""

from __future__ import annotations

import json
import re
import threading
from typing import Any

import pytest
from sqlalchemy import func, select

from storage.models import OutboxMessage
from tests.conftest import CHANNEL_SECRET
from tests.support.line_chat import LineChat, flask_poster
from tests.support.survey import make_volunteer

# Start a survey, then answer the house number and go back to it, again and again.
SCRIPT = ["สำรวจ", "1", "1", "วันนี้", "ข้าม"] + ["{n}2/3", "ย้อนกลับ"] * 6
VOLUNTEERS = 4


def shown(message: dict[str, Any]) -> str:
    """What the phone shows of a message, digits masked (house numbers and record numbers differ by volunteer)."""
    return re.sub(r"\d+", "#", message.get("text") or message.get("altText") or json.dumps(message, ensure_ascii=False))


def walk(chat: LineChat, number: int) -> list[list[str]]:
    """The script, step by step; what each step showed the volunteer."""
    return [[shown(message) for message in chat.say(text.format(n=number)).messages] for text in SCRIPT]


@pytest.mark.once  # about 15 s; what LINE drops does not depend on the database
def test_with_a_tenth_of_line_calls_dropped_no_question_is_lost_or_shown_twice(app, line_api, db_engine):
    """Connections to LINE are hung up on at random, before LINE acts (the request is lost) or after (its
    answer is); replies are tried again at once with their token, which LINE refuses once used."""
    municipality = make_volunteer(db_engine, "U" + "0" * 32)["municipality_id"]
    control = LineChat(flask_poster(app.test_client()), CHANNEL_SECRET, line_api, "U" + "0" * 32)
    expected = walk(control, 0)
    assert all(expected), "every step of the script is answered"

    line_api.drop_randomly(0.1, seed=15)
    chats = [LineChat(flask_poster(app.test_client()), CHANNEL_SECRET, line_api) for _ in range(VOLUNTEERS)]
    for chat in chats:
        make_volunteer(db_engine, chat.user_id, municipality_id=municipality)
    seen: dict[int, list[list[str]]] = {}
    failures: list[BaseException] = []

    def volunteer(number: int) -> None:
        try:
            seen[number] = walk(chats[number - 1], number)
        except BaseException as error:  # reported by the test thread
            failures.append(error)

    threads = [threading.Thread(target=volunteer, args=(n,)) for n in range(1, VOLUNTEERS + 1)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(120)
    assert not failures, failures
    dropped = [call for call in line_api.requests if call.status == 500]
    assert len(dropped) >= 3, "the stand-in dropped some calls"
    assert any(call.status == 400 for call in line_api.calls("reply")), "some answers were lost: the repeat was refused"
    for number in range(1, VOLUNTEERS + 1):
        assert seen[number] == expected, f"volunteer {number} saw something else than the undisturbed walk"
        # Nothing came after the last step either (no late or repeated reply).
        assert [shown(m.message) for m in line_api.messages_for(chats[number - 1].user_id)] == [text for step in expected for text in step]
    with db_engine.connect() as connection:
        statuses = dict(connection.execute(select(OutboxMessage.status, func.count()).group_by(OutboxMessage.status)).all())
    assert set(statuses) == {"sent"}, statuses
