"""The demo's household: the household persona confirms, from its own LINE, what its volunteer recorded as solved.

The household persona is no registered person (households never register): it added the bot
and waits for a code. The demo volunteer's first household of 2565, revisited part-way with one
problem helped, gets a confirmation code that `thaiqm-bot demo` prints; the persona sends it in
the emulator and answers. The code is kept in the instance folder (only its hash is stored) and
given again while it works; once the persona is linked, no code is needed.
"""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import TYPE_CHECKING

from sqlalchemy import select
from sqlalchemy.orm import Session

from bot.local.demo_rexray import EARLIER_ROUND, REVISITING
from bot.local.emulator.personas import PERSONAS_BY_KEY
from storage.confirmations import find_code, issue_code, link_of
from storage.models import Household, LineUser

if TYPE_CHECKING:
    from bot.local.demo import DemoWorld

HOUSEHOLD_CODE_FILE = "demo-household-code.txt"


def seed_household_code(session: Session, world: "DemoWorld", now: datetime) -> None:
    """A working code for the household persona's household, unless the persona is linked already."""
    household = session.scalars(
        select(Household).where(Household.municipality_id == world.municipality.id, Household.round_name == EARLIER_ROUND, Household.walk_order == 1)
    ).one()
    persona = session.scalars(select(LineUser).where(LineUser.line_user_id == PERSONAS_BY_KEY["household"].line_user_id)).first()
    if persona is not None and link_of(session, persona.id) is not None:
        return
    path = world.code_file.with_name(HOUSEHOLD_CODE_FILE) if world.code_file is not None else None
    known = path.read_text().strip() if path is not None and path.exists() else ""
    code, problem = find_code(session, known, now + timedelta(days=1)) if known else (None, None)
    if code is not None and problem is None and code.household_id == household.id:
        world.household_code = known
        return
    world.household_code = issue_code(session, household.id, world.people[REVISITING].id, now)
    if path is not None:
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(world.household_code + "\n")
