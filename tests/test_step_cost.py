"""A survey step's database statements, counted: each is a round trip, and on PostgreSQL they are most of a step's time."""

from __future__ import annotations

import threading

from sqlalchemy import event

from bot.state import app_state
from tests.support.survey import make_volunteer

# Claim the event, lock the user, the person with their conversation, draft and the draft's
# answers (one statement), write the answer, update the draft, the outbox row. PostgreSQL claims
# the event and locks the user in one (storage/events.py); BEGIN goes through the dialect, not
# a statement this counts. The area and the round's rules are kept per process for seconds
# (storage/recent.py). Raise a budget only for a reason a volunteer would notice;
# bench/RESULTS.md says what each costs.
ANSWER_BUDGET = {"sqlite": 6, "postgresql": 5}
BACK_BUDGET = {"sqlite": 5, "postgresql": 4}


def statements_of(app, step) -> list[str]:  # type: ignore[no-untyped-def]
    """The statements the webhook ran for one step (the sender's bookkeeping, batched off the request, left out)."""
    seen: list[str] = []

    def count(_conn, _cursor, statement, *_args):  # type: ignore[no-untyped-def]
        if threading.current_thread().name.startswith("db-deadline"):  # the webhook's database work
            seen.append(" ".join(statement.split())[:80])

    engine = app_state(app).engine
    event.listen(engine, "before_cursor_execute", count)
    try:
        step()
    finally:
        event.remove(engine, "before_cursor_execute", count)
    return seen


def test_an_answer_and_a_back_step_stay_within_their_statement_budgets(app, line_user, db_engine):
    chat = line_user()
    make_volunteer(db_engine, chat.user_id)
    for text in ["สำรวจ", "1", "1", "วันนี้"]:
        chat.say(text)
    # The house code, an answer the duplicate check reads (the house number after it also
    # fills in the known community and shows the area: a step of its own kind).
    answer = statements_of(app, lambda: chat.say("ข้าม"))
    back = statements_of(app, lambda: chat.say("ย้อนกลับ"))
    dialect = db_engine.dialect.name
    assert len(answer) <= ANSWER_BUDGET[dialect], "\n".join(answer)
    assert len(back) <= BACK_BUDGET[dialect], "\n".join(back)
