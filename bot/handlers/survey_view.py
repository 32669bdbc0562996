"""Render the dialog engine's outcome as replies: Thai texts, quick replies, review cards."""

from __future__ import annotations

from typing import Sequence

from bot.chat import postback
from bot.dialogs.engine import Join, Outcome
from bot.dialogs.prompts import Ask, Fields, Label, Msg, Option, Review
from bot.i18n import N_, _
from bot.chat.replies import Button, Card, CardRow, Cards, Reply, Text

ROUTE = "sv"
QUICK_REPLY_LABEL = 20
MAX_QUICK_REPLIES = 13
# What the review of answers is called in notifications (a Re-X-ray visit passes its own).
REVIEW_HEADING = N_("Review of the survey answers")
# Options that are taps on the question in hand carry its slot, so an old tap changes nothing.
SLOT_BOUND = {"answer", "toggle", "skip", "keep", "done", "date", "answer_text", "no_value"}


def tr(label: Label | Join | object) -> str:
    """The Thai text of a message id (parameters translated too) or a literal."""
    if isinstance(label, Msg):
        params = {key: tr_fields(value) if isinstance(value, Fields) else tr(value) for key, value in label.params.items()}
        return _(label.id, **params) if params else _(label.id)
    if isinstance(label, Join):
        return ", ".join(tr(part) for part in label.parts)
    return str(label)


def tr_fields(fields: Fields) -> Fields:
    """A listed item with its fields translated, for labels like "{item.label}"."""
    return Fields({name: tr(value) for name, value in fields.items()})


def short(text: str, limit: int = QUICK_REPLY_LABEL) -> str:
    """A button label within LINE's limit, cut at a space where possible."""
    if len(text) <= limit:
        return text
    cut = text[: limit - 1]
    space = cut.rfind(" ")
    return (cut[:space] if space >= limit // 2 else cut).rstrip() + "…"


def data(household_id: int, action: str, value: str = "", slot: str | None = None, route: str = ROUTE) -> str:
    """Postback data of a survey button (another dialog on the engine, e.g. the Re-X-ray visit, gives its own route)."""
    params: dict[str, object] = {"h": household_id, "a": action}
    if value:
        params["v"] = value
    if slot is not None:
        params["s"] = slot
    return postback.encode(route, **params)


def option_button(household_id: int, option: Option, slot: str | None, dates: tuple[str, str, str] | None = None, route: str = ROUTE) -> Button:
    """A quick-reply button for an option."""
    text = tr(option.short if option.short is not None else option.label)
    tick = "✓" if option.ticked else ""
    numbered = f"{tick}{option.number}. {text}" if option.number is not None and option.action in ("answer", "toggle") else f"{tick}{text}"
    # The form's labels fit with their number (its `short` labels, checked by tests/test_thai_text.py);
    # only names and communities may not: there the words matter more than the number.
    label = numbered if len(numbered) <= QUICK_REPLY_LABEL else f"{tick}{text}" if len(tick + text) <= QUICK_REPLY_LABEL else numbered
    bound = slot if option.action in SLOT_BOUND else None
    if option.action == "location":
        return Button(short(label), kind="location")
    if option.action == "date" and dates is not None:
        initial, low, high = dates
        return Button(short(label), kind="date", data=data(household_id, "date", slot=bound, route=route), initial=initial, min=low, max=high)
    return Button(short(label), kind="postback", data=data(household_id, option.action, option.value, bound, route), text=tr(option.label))


def render(outcome: Outcome, household_id: int, extra_notes: Sequence[str] = (), route: str = ROUTE, heading: str = REVIEW_HEADING) -> list[Reply]:
    """The replies for an outcome: notes, then the question, the review (titled `heading`, a message id) or the options."""
    notes = [tr(note) for note in outcome.notes] + list(extra_notes)
    replies: list[Reply] = []
    if outcome.ask is not None:
        text = "\n\n".join(notes + [question_text(outcome.ask)])
        buttons = ask_buttons(outcome.ask, household_id, len(outcome.options), route)
        if outcome.options:
            lead = 1 if any(o.action == "done" for o in outcome.ask.controls) else 0  # "Done" stays first
            buttons = buttons[:lead] + tuple(option_button(household_id, o, None, route=route) for o in outcome.options) + buttons[lead:]
        replies.append(Text(text, buttons[:MAX_QUICK_REPLIES]))
    elif outcome.review is not None and outcome.event == "stale":
        # The review is still on screen above: say why nothing changed and offer the edit.
        replies.append(Text("\n\n".join(notes), tuple(option_button(household_id, o, None, route=route) for o in outcome.options)))
    elif outcome.review is not None:
        replies += review_replies(outcome.review, household_id, notes, route, heading)
    elif notes or outcome.options:
        replies.append(Text("\n\n".join(notes) or "-", tuple(option_button(household_id, o, None, route=route) for o in outcome.options)))
    return replies


def question_text(ask: Ask) -> str:
    """Progress, question, hint, numbered choices and the current answer."""
    if ask.brief is not None:
        return tr(ask.brief)
    where = _("Part {number}/{total} · {section}", number=ask.progress[0], total=ask.progress[1], section=_(ask.section))
    if ask.within is not None:
        where += " · " + tr(ask.within)
    lines = [where, tr(ask.label)]
    if ask.hint is not None:
        lines.append(f"({tr(ask.hint)})")
    numbered = sorted((o for o in ask.options if o.number is not None), key=lambda o: o.number or 0)
    if numbered:
        lines.append("\n".join(f"{'✓ ' if o.ticked else ''}{o.number}. {tr(o.label)}" for o in numbered))
    if cut_off(ask):
        lines.append(_("Not every choice fits on the buttons: type the number of the one you need."))
    if ask.current is not None:
        lines.append(_("Current answer: {answer}", answer=", ".join(tr(part) for part in ask.current) or "-"))
    return "\n".join(lines)


def ask_buttons(ask: Ask, household_id: int, reserved: int = 0, route: str = ROUTE) -> tuple[Button, ...]:
    """Quick replies: the options first, then controls, 13 at most (typed numbers always work)."""
    options = [option_button(household_id, o, ask.slot, ask.dates, route) for o in ask.options]
    # "Done" leads the row: LINE scrolls a long row sideways and a button out of sight is missed.
    done = [option_button(household_id, o, ask.slot, route=route) for o in ask.controls if o.action == "done"]
    controls = [option_button(household_id, o, ask.slot, route=route) for o in ask.controls if o.action != "done"]
    room = MAX_QUICK_REPLIES - reserved - len(controls) - len(done)
    if len(options) > room:
        # A long list: keep every control (typed numbers still pick any choice, as the text says).
        options = options[: max(room, 0)]
    return tuple(done + options + controls)[: MAX_QUICK_REPLIES - reserved]


def cut_off(ask: Ask) -> bool:
    """Do some options not fit on the buttons (they are still listed with their numbers)?"""
    return len(ask.options) > MAX_QUICK_REPLIES - len(ask.controls)


def review_replies(review: Review, household_id: int, notes: Sequence[str] = (), route: str = ROUTE, heading: str = REVIEW_HEADING) -> list[Reply]:
    """The review: one card per section with an edit button per answer, then submit (notes go last, in one text)."""
    cards = []
    for section in review.sections:
        rows = tuple(
            CardRow(tr(item.label), ", ".join(tr(part) for part in item.value), Button(_("Edit"), kind="postback", data=data(household_id, "edit", item.slot, route=route), text=_("Edit: {question}", question=short(tr(item.label), 60))))
            for item in section.items
        )
        cards.append(Card(tr(section.title), rows))
    replies: list[Reply] = [Cards(_(heading), tuple(cards))]
    lines = list(notes) + [_("Please check every answer above. Tap \"Edit\" beside an answer to change it, or \"Submit\" when all is correct.")]
    buttons = [Button(_("Submit"), kind="postback", data=data(household_id, "submit", slot="review|0|", route=route), text=_("Submit"))]
    titles = dict(review.titles)
    for message, slot in review.suggestions:
        lines.append("• " + tr(message))
        title = titles.get(slot, "")
        label = short(_("Edit the {section}", section=tr(title)))
        if all(b.label != label for b in buttons):
            buttons.append(Button(label, kind="postback", data=data(household_id, "edit", slot, route=route), text=_("Edit: {question}", question=tr(title))))
    buttons += [
        Button(_("Back"), kind="postback", data=data(household_id, "back", route=route), text=_("Back")),
        Button(_("Pause"), kind="postback", data=data(household_id, "pause", route=route), text=_("Pause")),
    ]
    replies.append(Text("\n".join(lines), tuple(buttons)))
    return replies




def section_of(review: Review, slot: str) -> Label:
    """The title of the review section holding a slot's question (a dimension's problems)."""
    question = slot.split("|")[0]
    titles = (section.title for section in review.sections for item in section.items if item.slot.split("|")[0] == question)
    return next(titles, question)
