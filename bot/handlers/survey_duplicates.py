"""The possible-duplicate warning: once per matching record, naming what matched, with the two answers to it."""

from __future__ import annotations

from bot.chat.replies import Button, Card, CardRow, Cards, Reply, Text
from bot.dialogs.form import Form, get_form
from bot.handlers.context import EventContext
from bot.handlers.survey_drafts import day_of, draft_name
from bot.handlers.survey_records import records_for
from bot.handlers.survey_view import data, tr
from bot.dialogs.prompts import Msg
from bot.i18n import N_, _
from bot.people.policy import can_view_household
from storage import drafts, surveys
from storage.models import Household, Person
from storage.statuses import HouseholdStatus

STATUS_LABELS = {HouseholdStatus.DRAFT: N_("being surveyed"), HouseholdStatus.SUBMITTED: N_("submitted")}
# What the volunteer said of a possible duplicate (duplicate_notes.decision).
SHOWN, DIFFERENT = "shown", "different"


def warn(ctx: EventContext, person: Person, household: Household) -> list[Reply]:
    """Warn of records of this round that match a duplicate key, each one only the first time it matches."""
    form = get_form(household.form_id, household.form_version)
    found = surveys.find_duplicates(ctx.session, household, records_for(form).duplicate_groups)
    if not found:  # the usual case: no query for what was noted before
        return []
    seen = drafts.noted(ctx.session, household.id)
    new = [other for other in found if other.id not in seen]
    for other in new:
        drafts.note(ctx.session, household.id, other.id, SHOWN, ctx.now)
    if not new:
        return []
    visible = [other for other in new if can_view_household(person, other)]
    if not visible:
        # A record the volunteer may not view: mentioned, nothing of it shown.
        return [Text(_("Note: a household with the same house code, head's ID or house number is already recorded in this round by another volunteer. Please check with your supervisor."))]
    other = visible[0]
    rows = (
        CardRow(_("Matches on"), ", ".join(_matched(form, household, other)) or "-"),
        CardRow(_("Existing record"), _("{name}, status: {status}", name=draft_name(other), status=_(STATUS_LABELS.get(other.status, N_("submitted"))))),
        CardRow(_("Surveyed by"), _("{volunteer} on {date}", volunteer=drafts.volunteer_name(ctx.session, other) or "-", date=day_of(ctx, other))),
    )
    buttons = (
        Button(_("Same household (open the existing record)"), kind="postback", data=data(household.id, "dup_same", str(other.id)), text=_("Same household (open the existing record)")),
        Button(_("A different household"), kind="postback", data=data(household.id, "dup_other", str(other.id)), text=_("A different household")),
    )
    return [Cards(_("This household may already be recorded"), (Card(_("This household may already be recorded"), rows, buttons),))]


def _matched(form: Form, household: Household, other: Household) -> list[str]:
    """What the two records share, by the form's duplicate groups: "House number 12/3", a masked head's ID."""
    parts: list[str] = []
    for group in form.duplicates:
        questions = [form.question(code) for code in group]
        if not all(getattr(household, column) and getattr(household, column) == getattr(other, column) for q in questions for column in q.project):
            continue
        for question in questions:
            if question.source or not question.project:
                continue  # a choice from the area (the community) is implied by the rest
            value = str(getattr(other, question.project[0]))
            shown = masked_id(value) if question.sensitive else value
            parts.append(f"{tr(Msg(question.label))} {shown}")
    return parts


def masked_id(value: str) -> str:
    """A national ID with only its last three digits shown: x-xxxx-xxxxx-12-3."""
    digits = "".join(ch for ch in value if ch.isdigit())
    return f"x-xxxx-xxxxx-{digits[10:12]}-{digits[12:]}" if len(digits) == 13 else "x" * len(digits)


def other_of(ctx: EventContext, person: Person, household: Household, value: str) -> Household | None:
    """The existing record a warning's button names, when the person may see it."""
    other = ctx.session.get(Household, int(value)) if value.isdigit() else None
    return other if other is not None and other.id != household.id and can_view_household(person, other) else None


def different(ctx: EventContext, household: Household, other_id: int) -> str:
    """"A different household": remembered, so this record is not named again; the note said before the question."""
    drafts.note(ctx.session, household.id, other_id, DIFFERENT, ctx.now)
    return _("Noted: a different household. The survey goes on.")
