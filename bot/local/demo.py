"""The demo world `thaiqm-bot demo` seeds: a municipality anyone can try in the emulator.

Seeding runs in four phases, so that people come into being the way real ones do:
1. the municipality, its communities and an invite code for each demo person not yet
   registered (made with the invite functions a supervisor's "invite code" uses);
2. each persona adds the bot as a friend and registers with its code in its own chat:
   signed webhooks into the real app, reply tokens from the local LINE stand-in, so the
   emulator opens on the registration conversation and a ready menu;
3. the volunteers survey their households in their chats (`bot.local.demo_surveys`): the
   submitted ones get their answers, members, problems and receipts through the real
   dialog, and one draft is left paused at a question;
4. whatever needs registered people, one step of `SEED_STEPS` each (the households'
   visit dates, the household member, an unused code for a newcomer); a feature that
   needs demo data adds a step there.
Every row is looked up by a natural key before it is made, so running the demo twice
changes nothing. The people are made up; their LINE accounts are the emulator's personas.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from datetime import date, datetime, timedelta, timezone
from typing import Callable

from flask import Flask
from sqlalchemy import select
from sqlalchemy.orm import Session

from bot.local.emulator import emulator_enabled
from bot.local.emulator.personas import PERSONAS, PERSONAS_BY_KEY
from bot.local.emulator.scripted_chat import ScriptedChat
from bot.local.emulator.standin_client import StandInClient
from bot.handlers.registration import VOLUNTEER_TYPES
from bot.config import Config
from bot.local.demo_confirm import seed_household_code
from bot.local.demo_pushes import seed_round_deadlines
from bot.local.demo_rexray import seed_earlier_round
from bot.local.demo_surveys import HOUSEHOLDS, survey
from bot.dialogs.form import current_form
from bot.i18n import _
from bot.people.admin import issue_invite
from bot.line.rich_menus import FontMissing, RichMenuRefused, find_thai_font, publish_menus_at
from bot.pushes.schedule import local_day
from bot.state import app_state
from storage.db import transaction
from storage.invites import display_code, find_invite, invite_problem
from storage.models import Community, Household, LineUser, Municipality, Person
from storage.statuses import HouseholdStatus
from storage.upsert import insert_ignoring_conflict

# Province 99 does not exist, so the demo can never collide with a real municipality.
MUNICIPALITY = {
    "name": "เทศบาลตำบลสาธิตพัฒนา",
    "kind": "subdistrict",
    "tambon_code": "990101",
    "amphoe_code": "9901",
    "province_code": "99",
}
# (name, moo, household target)
COMMUNITIES = (
    ("ชุมชนบ้านหนองบัว", 1, 120),
    ("ชุมชนวัดป่าสามัคคี", 2, 90),
    ("ชุมชนตลาดเก่า", 3, 150),
)


@dataclass(frozen=True)
class Registrant:
    """A demo person who registers in the chat, and what they answer."""

    role: str
    full_name: str
    phone: str
    volunteer_type: str | None = None
    community: int | None = None  # index into COMMUNITIES
    code_names_community: bool = False  # else the volunteer picks it in the chat


# Persona key -> registration. One volunteer's code names the community, the other's lets
# them choose it: the emulator shows both ways the dialog goes.
REGISTRANTS = {
    "supervisor": Registrant("supervisor", "วันดี มีสุข", "0812345670"),
    "volunteer": Registrant("volunteer", "สมชาย ใจดี", "0812345671", "osm", 0, code_names_community=True),
    "volunteer2": Registrant("volunteer", "มาลี ศรีสุข", "0812345672", "committee", 1),
}
PERSONA_CODE_DAYS = 1
# The newcomer's code: municipality-wide, for a whole training session.
NEWCOMER_CODE_DAYS = 30
NEWCOMER_CODE_USES = 20
NEWCOMER_CODE_FILE = "demo-newcomer-code.txt"
class DemoError(Exception):
    """The demo could not be seeded as intended (said in one line, without personal data)."""


@dataclass
class DemoWorld:
    """What the last phase found or made, for later steps and for the summary."""

    municipality: Municipality
    # The municipality's calendar day (Thai time): after 17:00 UTC it is already tomorrow there.
    today: date
    communities: list[Community] = field(default_factory=list)
    people: dict[str, Person] = field(default_factory=dict)
    households: list[Household] = field(default_factory=list)
    surveyed: set[str] = field(default_factory=set)  # house codes surveyed in this run
    newcomer_code: str = ""
    household_code: str = ""  # the household persona's confirmation code ("" once it is linked)
    # Only a hash of an invite code is stored: the demo keeps its newcomer's code here to show it again.
    code_file: Path | None = None

    def summary(self) -> str:
        """One line for the terminal (counts only: no names)."""
        roles = [person.role for person in self.people.values()]
        return (
            f"{len(self.communities)} communities, {roles.count('supervisor')} supervisor, "
            f"{roles.count('volunteer')} volunteers, {len(self.households)} households"
        )


@dataclass(frozen=True)
class DemoSeeded:
    """What `thaiqm-bot demo` prints: the summary and the code a newcomer registers with."""

    summary: str
    newcomer_code: str
    rich_menus: str  # "published", or why not
    household_code: str = ""  # the household persona sends it to link its LINE ("" once linked)


SeedStep = Callable[[Session, DemoWorld, datetime], None]


def seed(app: Flask, now: datetime | None = None) -> DemoSeeded:
    """Seed the demo through a local-mode app whose LINE stand-in is running."""
    state = app_state(app)
    if not emulator_enabled(state.config):
        raise DemoError("the demo chats through the local LINE stand-in: it needs local mode (no LINE credentials)")
    standin = StandInClient(state.config.line_api_base_url)
    standin.messages([], 0)  # StandInUnavailable now, in one clear line, rather than mid-way
    now = now or datetime.now(timezone.utc)
    with transaction(state.session_factory) as session:
        rich_menus = _publish_rich_menus(session, state.config, now)
        municipality = _municipality(session, now)
        communities = _communities(session, municipality, now)
        friends, registered = _persona_standing(session)
        codes = _persona_codes(session, municipality, communities, registered, now)
        municipality_id = municipality.id
        to_survey = [h for h in HOUSEHOLDS if h.house_code not in _house_codes(session, municipality_id)]
    # Committed first: the app reads the codes in its own transactions.
    _chat_people_in(app, standin, friends, codes)
    form = current_form()
    for household in to_survey:
        survey(ScriptedChat(app, standin, PERSONAS_BY_KEY[household.volunteer].line_user_id), form, household, local_day(now, state.config.zone))
    with transaction(state.session_factory) as session:
        municipality = session.get_one(Municipality, municipality_id)
        world = DemoWorld(municipality=municipality, communities=_communities(session, municipality, now), today=local_day(now, state.config.zone))
        world.code_file = Path(state.config.instance_path).resolve() / NEWCOMER_CODE_FILE
        world.surveyed = {h.house_code for h in to_survey}
        world.people = _registered_people(session)
        for step in SEED_STEPS:
            step(session, world, now)
        session.flush()
        return DemoSeeded(world.summary(), display_code(world.newcomer_code), rich_menus, world.household_code)


def _publish_rich_menus(session: Session, config: Config, now: datetime) -> str:
    """Every role's rich menu at the stand-in (it forgets them when it stops), as `thaiqm-bot richmenu` does at LINE."""
    try:
        font_path = find_thai_font()
    except FontMissing as error:
        return f"not shown ({error})"  # the menus still come as quick replies
    try:
        publish_menus_at(config, session, font_path, now)
    except RichMenuRefused as error:
        raise DemoError(f"the LINE stand-in refused a rich menu request (status {error.status})") from None
    return "published"


def _municipality(session: Session, now: datetime) -> Municipality:
    """The demo municipality, by its (made-up) tambon code."""
    found = session.scalars(select(Municipality).where(Municipality.tambon_code == MUNICIPALITY["tambon_code"])).first()
    if found is None:
        found = Municipality(**MUNICIPALITY, created_at=now)
        session.add(found)
        session.flush()
    return found


def _communities(session: Session, municipality: Municipality, now: datetime) -> list[Community]:
    """The municipality's communities in COMMUNITIES order, with household targets for progress figures."""
    existing = {
        community.name: community for community in session.scalars(select(Community).where(Community.municipality_id == municipality.id))
    }
    communities = []
    for name, moo, target in COMMUNITIES:
        community = existing.get(name)
        if community is None:
            community = Community(municipality_id=municipality.id, name=name, moo=moo, target_households=target, created_at=now)
            session.add(community)
        communities.append(community)
    session.flush()
    return communities


def _house_codes(session: Session, municipality_id: int) -> set[str]:
    """House codes of the municipality's households (a demo household is never surveyed twice)."""
    codes = [h.house_code for h in HOUSEHOLDS]
    found = session.scalars(select(Household.house_code).where(Household.municipality_id == municipality_id, Household.house_code.in_(codes)))
    return set(found)


def _persona_standing(session: Session) -> tuple[dict[str, bool | None], set[str]]:
    """Per persona: True when a friend of the bot, False when it blocked it, None when never added; and who is registered."""
    by_id = {persona.line_user_id: persona.key for persona in PERSONAS}
    rows = session.execute(
        select(LineUser.line_user_id, LineUser.active, LineUser.followed_at, Person.id)
        .outerjoin(Person, Person.line_user_id == LineUser.id)
        .where(LineUser.line_user_id.in_(by_id))
    ).all()
    friends: dict[str, bool | None] = {key: None for key in by_id.values()}
    registered = set()
    for line_user_id, active, followed_at, person_id in rows:
        friends[by_id[line_user_id]] = bool(active and followed_at is not None)
        if person_id is not None:
            registered.add(by_id[line_user_id])
    return friends, registered


def _persona_codes(
    session: Session, municipality: Municipality, communities: list[Community], registered: set[str], now: datetime
) -> dict[str, str]:
    """A fresh one-use invite code for each demo person not registered yet (audited like any other)."""
    codes = {}
    for key, who in REGISTRANTS.items():
        if key in registered:
            continue
        community_id = communities[who.community].id if who.code_names_community and who.community is not None else None
        invite = issue_invite(session, who.role, municipality.id, community_id, now, PERSONA_CODE_DAYS, 1)
        codes[key] = invite.code
    return codes


def _chat_people_in(app: Flask, standin: StandInClient, friends: dict[str, bool | None], codes: dict[str, str]) -> None:
    """Each persona adds the bot (if it has not), then registers with its code, as a person would type it."""
    for persona in PERSONAS:
        chat = ScriptedChat(app, standin, persona.line_user_id)
        if not friends[persona.key]:
            chat.follow(unblocked=friends[persona.key] is False)
        if persona.key in codes:
            _register(chat, REGISTRANTS[persona.key], codes[persona.key])


def _register(chat: ScriptedChat, who: Registrant, code: str) -> None:
    """Answer the registration dialog step by step, with the texts its buttons send."""
    chat.say(_("register"))
    chat.say(display_code(code))
    chat.say(who.full_name)
    chat.say(who.phone)
    if who.role == "volunteer":
        chat.say(_(VOLUNTEER_TYPES[who.volunteer_type or "other"]))
        if not who.code_names_community and who.community is not None:
            chat.say(COMMUNITIES[who.community][0])
    chat.say(_("confirm"))


def _registered_people(session: Session) -> dict[str, Person]:
    """The demo people the chats registered; DemoError when one is missing."""
    by_id = {PERSONAS_BY_KEY[key].line_user_id: key for key in REGISTRANTS}
    people = {
        by_id[line_user_id]: person
        for person, line_user_id in session.execute(
            select(Person, LineUser.line_user_id).join(LineUser, Person.line_user_id == LineUser.id).where(LineUser.line_user_id.in_(by_id))
        ).all()
    }
    missing = sorted(set(REGISTRANTS) - set(people))
    if missing:
        raise DemoError(f"the registration dialog did not register the demo persona(s) {', '.join(missing)}")
    return people


def seed_household_member(session: Session, world: DemoWorld, now: datetime) -> None:
    """The household persona's LINE user (its chat added the bot in phase 2): never a registered person,
    it links its LINE to its household with the confirmation code `seed_household_code` gives."""
    _friend_line_user(session, PERSONAS_BY_KEY["household"].line_user_id, now)


def _friend_line_user(session: Session, line_user_id: str, now: datetime) -> LineUser:
    """The persona's LINE user row (made by its follow event; made here only if that row is missing)."""
    insert_ignoring_conflict(
        session,
        LineUser.__table__,
        {"line_user_id": line_user_id, "active": True, "events_handled": 0, "followed_at": now, "created_at": now},
    )
    return session.scalars(select(LineUser).where(LineUser.line_user_id == line_user_id)).one()


def seed_households(session: Session, world: DemoWorld, now: datetime) -> None:
    """The households the volunteers surveyed; those surveyed in this run are dated to their visit.

    The chat submitted them all just now; a demo of a survey under way shows visits over
    the past week (the supervisor's "today" counts start at zero), so their timestamps
    take the survey date the volunteer typed.
    """
    by_code = {
        household.house_code: household
        for household in session.scalars(
            select(Household).where(Household.municipality_id == world.municipality.id, Household.house_code.in_([h.house_code for h in HOUSEHOLDS]))
        )
    }
    for planned in HOUSEHOLDS:
        household = by_code.get(planned.house_code)
        expected = HouseholdStatus.DRAFT if planned.stop_at is not None else HouseholdStatus.SUBMITTED
        if household is None or (planned.house_code in world.surveyed and household.status != expected):
            raise DemoError(f"the survey dialog did not leave demo house code {planned.house_code} {expected}")
        if planned.house_code in world.surveyed and planned.days_ago:
            visited = now - timedelta(days=planned.days_ago)
            household.created_at = household.updated_at = visited
            if household.submitted_at is not None:
                household.submitted_at = visited
        world.households.append(household)
    session.flush()


def seed_newcomer_code(session: Session, world: DemoWorld, now: datetime) -> None:
    """An unused volunteer code for the emulator's "new user": the same one until it runs out or nearly expires."""
    known = world.code_file.read_text().strip() if world.code_file and world.code_file.exists() else ""
    invite = find_invite(session, known) if known else None
    tomorrow = now + timedelta(days=1)  # a code about to expire would fail a newcomer mid-training
    if invite is not None and invite.municipality_id == world.municipality.id and invite_problem(invite, tomorrow) is None:
        world.newcomer_code = known
        return
    invite = issue_invite(session, "volunteer", world.municipality.id, None, now, NEWCOMER_CODE_DAYS, NEWCOMER_CODE_USES)
    world.newcomer_code = invite.code or ""
    if world.code_file is not None:
        world.code_file.parent.mkdir(parents=True, exist_ok=True)
        world.code_file.write_text(world.newcomer_code + "\n")


# Later features add their step here, after what they need, e.g.:
#   reminders     – a due reminder for the draft; exports – nothing (they read the above).
SEED_STEPS: tuple[SeedStep, ...] = (seed_household_member, seed_households, seed_earlier_round, seed_round_deadlines, seed_newcomer_code, seed_household_code)
