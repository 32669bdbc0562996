"""A supervisor erases a household's personal data on request, in the chat, after confirming.

    ลบข้อมูลส่วนบุคคล QM-2566-000123  → the household named, "erase?" with Yes / No
    era.ok h=<household id>            → erased (bot.people.erasure), audited
"""

from __future__ import annotations

from bot.chat import postback
from bot.chat.replies import Button, Reply, Text
from bot.handlers.access import refusal
from bot.handlers.context import EventContext
from bot.handlers.dialog import Dialog, Entry
from bot.i18n import N_, _
from bot.people import policy
from bot.people.erasure import erase_household
from bot.people.menus import menu_buttons
from storage import surveys
from storage.models import Household


def ask(ctx: EventContext, argument: str) -> list[Reply]:
    """Name the household and ask to confirm; the same answer for unknown and out-of-area records."""
    person = ctx.person()
    if (refused := policy.may_supervise(person)) is not None:
        return refusal(refused, person.role if person else None)
    household = surveys.by_receipt(ctx.session, argument.strip().upper()) if argument.strip() else None
    if household is None or policy.erase_household(person, household) is not None:
        return [Text(_("Type \"erase personal data\" and the survey number, e.g. erase personal data QM-2566-000123. No survey with that number was found in your area."), menu_buttons(person.role))]
    if household.forgotten_at is not None:
        return [Text(_("The personal data of survey {receipt} was already erased.", receipt=household.receipt_no), menu_buttons(person.role))]
    return [Text(
        _("Erase the personal data of survey {receipt} (house {house}) at the household's request? Names, ID numbers, phone numbers, the location and notes are deleted for good; the anonymous counts stay.", receipt=household.receipt_no, house=household.house_no or "-"),
        (
            Button(_("Yes, erase"), kind="postback", data=postback.encode("era.ok", h=household.id), text=_("Yes, erase")),
            Button(_("No, keep"), text=_("menu")),
        ),
    )]


def confirm(ctx: EventContext, params: dict[str, str], _line_params: dict[str, str]) -> list[Reply]:
    """Erase after the supervisor confirmed (asked of the policy again: the button may be old)."""
    person = ctx.person()
    household = ctx.session.get(Household, int(params["h"])) if params.get("h", "").isdigit() else None
    if household is None or policy.erase_household(person, household) is not None:
        return refusal(policy.Denied.NOT_YOURS, person.role if person else None)
    if household.forgotten_at is None:
        erase_household(ctx.session, household, ctx.now, actor_id=person.id)  # type: ignore[union-attr]
    return [Text(_("The personal data of survey {receipt} was erased. The record stays in the counts without it.", receipt=household.receipt_no), menu_buttons(person.role))]  # type: ignore[union-attr]


DIALOG = Dialog(
    name="erasure",
    entries=(Entry((N_("erase personal data"),), ask, argument=True),),
    routes={"era.ok": confirm},
)
