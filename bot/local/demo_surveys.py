"""The demo's households, surveyed by its volunteers in their own chats.

Each household is answered the way a volunteer answers it: "survey", then one typed
answer per question (choice numbers, dates, numbers, names), the house's location shared
from the chat, ticked problems typed as their numbers, and "Submit" at the review. The
answers go through the real dialog, so the stored households have their answers,
members, problems and receipt numbers; the draft stops at a question and is paused, so
"resume" brings it back. The data here is made up; answers are written as the form's
choice codes and turned into what a volunteer types, so the script reads as the survey.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta
from typing import Iterator

from bot.dialogs.checks import concerned
from bot.dialogs.engine import engine_for
from bot.dialogs.form import Form
from bot.dialogs.inputs import Env
from bot.local.emulator import SAMPLE_LOCATION
from bot.local.emulator.scripted_chat import ScriptedChat
from bot.i18n import _

PROBLEM_DIMENSIONS = ("H", "L", "E", "I", "A")
HOUSEHOLD = "household"  # a problem of the whole household rather than one member


@dataclass(frozen=True)
class Member:
    """One member's answers; member 1 is the head, whose name and ID the form takes from the household part."""

    sex: str
    age: int
    health: str = "normal"
    education: str = "primary"
    occupation: str = "farmer"
    income: int = 0
    welfare: tuple[str, ...] = ("none",)
    name: str = ""
    relation: str = "head"


@dataclass(frozen=True)
class Problem:
    """A ticked problem: its code, whose problem it is (a member number or HOUSEHOLD) and a short detail."""

    code: str
    member: int | str = HOUSEHOLD
    detail: str = ""


@dataclass(frozen=True)
class DemoHousehold:
    """A household a demo volunteer surveys; `stop_at` leaves it a draft after that many answers."""

    volunteer: str  # persona key
    community: str
    house_code: str
    house_no: str
    head: str
    head_id: str
    phone: str
    days_ago: int
    members: tuple[Member, ...]
    problems: tuple[Problem, ...] = ()
    needs: str = ""
    stop_at: int | None = None


# Every national ID below passes the check digit and starts with 9 (no real card does).
HOUSEHOLDS = (
    DemoHousehold(
        "volunteer", "ชุมชนบ้านหนองบัว", "99010100011", "12/3", "นายประสิทธิ์ ทองดี", "9990100000121", "0891110001", 6,
        (
            Member("male", 68, "chronic", "primary", "none", 0, ("elderly_allowance", "welfare_card")),
            Member("female", 64, "bedridden", "none", "none", 0, ("elderly_allowance",), "นางสายใจ ทองดี", "spouse"),
        ),
        (Problem("H1", 2, "ติดเตียงหลังเป็นอัมพฤกษ์"), Problem("L2"), Problem("I1")),
        "ซ่อมหลังคาบ้าน และอุปกรณ์ดูแลผู้ป่วยติดเตียง",
    ),
    DemoHousehold(
        "volunteer", "ชุมชนบ้านหนองบัว", "99010100029", "15", "นางสมหญิง แก้วใส", "9990100000237", "0891110002", 4,
        (
            Member("female", 41, occupation="labourer", income=6500, welfare=("welfare_card",)),
            Member("male", 12, education="studying", name="เด็กชายก้องภพ แก้วใส", relation="child"),
            Member("female", 8, education="studying", name="เด็กหญิงใบเตย แก้วใส", relation="child"),
        ),
        (Problem("E5", 2), Problem("I4", 1, "หนี้นอกระบบประมาณ 30,000 บาท")),
        "ทุนการศึกษาสำหรับบุตร",
    ),
    DemoHousehold(
        "volunteer", "ชุมชนบ้านหนองบัว", "99010100037", "21/1", "นายทองใบ พึ่งตน", "9990100000342", "", 1,
        (Member("male", 55, "disabled", "lower_secondary", "none", 0, ("disability_allowance",)),),
        (Problem("H3", 1, "ใช้รถเข็น"), Problem("I2", 1)),
    ),
    DemoHousehold(
        "volunteer2", "ชุมชนวัดป่าสามัคคี", "99010100045", "7 ม.2", "นางบัวผัน ดวงดี", "9990100000458", "0891110004", 2,
        (
            Member("female", 72, welfare=("elderly_allowance",), occupation="none"),
            Member("female", 45, education="upper_secondary", occupation="trader", income=9000, name="นางสาวจันทร์เพ็ญ ดวงดี", relation="child"),
        ),
        (Problem("L4"),),
    ),
    # The draft: its volunteer stopped at the head's ID card and paused.
    DemoHousehold(
        "volunteer", "ชุมชนบ้านหนองบัว", "99010100053", "33", "นายเสถียร มั่นคง", "", "", 0, (), stop_at=7,
    ),
)


def survey(chat: ScriptedChat, form: Form, household: DemoHousehold, today: date) -> None:
    """Answer one household in the volunteer's chat: to the receipt, or to `stop_at` and a pause."""
    chat.say(_("survey"))
    for count, answer in enumerate(script(form, household, today), start=1):
        if household.stop_at is not None and count > household.stop_at:
            chat.say(_("Pause"))
            return
        if answer is None:
            chat.send_location(SAMPLE_LOCATION["latitude"], SAMPLE_LOCATION["longitude"], _("Sample house (emulator)"), _("Nai Mueang, Mueang Khon Kaen, Khon Kaen 40000"))
        else:
            chat.say(answer)
    chat.say(_("Submit"))


def script(form: Form, household: DemoHousehold, today: date) -> Iterator[str | None]:
    """What the volunteer types, question by question (None: they share the house's location)."""
    number = _Numbers(form)
    visited = today - timedelta(days=household.days_ago)
    yield number("consent", "yes")
    yield number("respondent", "head")
    yield f"{visited.day}/{visited.month}/{visited.year + 543}"  # as typed: Buddhist Era
    yield household.house_code
    yield household.house_no
    # The demo's volunteers are bound to a community with a village number: the form fills both in.
    known = {question.code for question in form.questions() if question.known_from}
    if "moo" not in known:
        yield _("Skip")
    if "community" not in known:
        yield household.community
    yield number("area_confirm", "yes")
    yield household.head
    yield household.head_id or _("No ID card")
    yield household.phone or _("Skip")
    yield str(len(household.members))
    yield None
    for member_no, member in enumerate(household.members, start=1):
        yield from _member(form, number, member_no, member, household.head)
    for dimension in PROBLEM_DIMENSIONS:
        yield from _problems(form, number, dimension, household)
    yield household.needs or _("Skip")
    if form.by_code["note"].ask != "on_review":
        yield _("Skip")  # no surveyor's note (a form that asks it in its turn)


def _member(form: Form, number: _Numbers, member_no: int, member: Member, head: str) -> Iterator[str]:
    """One member's answers, in the form's order and with its conditions (by age)."""
    if member_no > 1:
        yield f"{member.name} {member.age}"  # the age typed after the name, as in the house register
    else:
        yield str(member.age)
    infer = form.by_code["m_sex"].infer
    if infer is None or not any((member.name or head).startswith(prefix) for prefix, _code in infer[1]):
        yield number("m_sex", member.sex)  # a title before the name says the sex: not asked then
    if member_no > 1:
        yield number("m_relation", member.relation)
    if member_no > 1:
        yield _("Skip")  # the ID card is not at hand
    yield number("m_health", member.health)
    if member.age >= 3:
        yield number("m_education", member.education)
    if member.age >= 15:
        yield number("m_occupation", member.occupation)
        yield f"{member.income:,}"
    yield number("m_welfare", *member.welfare)


def _problems(form: Form, number: _Numbers, dimension: str, household: DemoHousehold) -> Iterator[str]:
    """A problem checklist answered by typed numbers, then whose problem each is and its detail."""
    ticked = [p for p in household.problems if p.code.startswith(dimension)]
    # The checklist lists only the problems of the members' ages, numbered as listed.
    offered = _offered(form, dimension, household)
    if not ticked:
        yield number(dimension, form.by_code[dimension].none or "none", among=offered)
        return
    yield number(dimension, *(p.code for p in ticked), among=offered)
    whole = str(len(household.members) + 1)  # the choice after the members
    on_request = form.by_code[dimension].detail == "on_request"
    for problem in ticked:
        if _known_member(form, household, problem.code) is None:  # else the answers show whose it is
            yield whole if problem.member == HOUSEHOLD else str(problem.member)
        if problem.detail and on_request:
            yield _("Add a detail")
        if problem.detail or not on_request:
            yield problem.detail or _("Skip")


def _known_member(form: Form, household: DemoHousehold, code: str) -> str | None:
    """Whose problem the form makes known from the members' answers (its `concerns`), as the dialog does."""
    engine = engine_for(form)
    choice = form.by_code[code[0]].choice(code)
    today = date.today()
    answers: dict[tuple[str, int], str | None] = {("member_count", 0): str(len(household.members)), ("survey_date", 0): today.isoformat()}
    for number, member in enumerate(household.members, start=1):
        answers.update({("m_birth_year", number): str(today.year + 543 - member.age), ("m_health", number): member.health, ("m_welfare", number): " ".join(member.welfare)})
        if member.age >= 3:
            answers[("m_education", number)] = member.education
        if member.age >= 15:
            answers.update({("m_occupation", number): member.occupation, ("m_income", number): str(member.income)})
    return concerned(engine, choice, answers, Env(today=today)) if choice is not None else None


def _offered(form: Form, dimension: str, household: DemoHousehold) -> list[str]:
    """The codes a problem checklist offers this household: those without ages, or with a member of those ages."""
    ages = [member.age for member in household.members]
    return [c.code for c in form.by_code[dimension].choices if c.ages is None or any(c.ages[0] <= age and (c.ages[1] is None or age <= c.ages[1]) for age in ages)]


class _Numbers:
    """The numbers a volunteer types for choices of a question (by choice code), space-separated."""

    def __init__(self, form: Form) -> None:
        self._form = form

    def __call__(self, code: str, *choices: str, among: list[str] | None = None) -> str:
        """E.g. ("consent", "yes") -> "1"; ("m_health", "normal") -> "1"; ("H", "H1", "H4") -> "1 4" (numbered among the offered codes, when given)."""
        question = self._form.by_code[code]
        codes = among if among is not None else ["yes", "no"] if question.type == "yes_no" else [choice.code for choice in question.choices]
        return " ".join(str(codes.index(choice) + 1) for choice in choices)
