"""Progress on demand: a supervisor's Flex view of the round in their area (and the figures the CLI prints)."""

from __future__ import annotations

from datetime import datetime, time, timedelta, timezone, tzinfo

from bot.chat import postback
from bot.chat.replies import Button, Card, CardRow, Cards, Reply, Text
from bot.dialogs.answers import format_date_be
from bot.dialogs.form import Form, current_form, get_form
from bot.handlers.context import EventContext
from bot.i18n import N_, _
from bot.people.menus import menu_buttons
from storage.models import Community, Person, Round
from storage.progress import CommunityProgress, Progress, VolunteerActivity, progress
from storage.rounds import current_round
from storage.statuses import ProblemStatus

# A volunteer holding drafts with nothing done for this many days is listed by name.
IDLE_DAYS = 3
# Communities per bubble, and bubbles of communities: with the three summary bubbles the view
# stays within one carousel of 12 (and each bubble far under LINE's 30 KB).
COMMUNITIES_PER_CARD = 10
MAX_COMMUNITY_CARDS = 9
MAX_PEOPLE_SHOWN = 15
STATUS_NAMES = {
    ProblemStatus.FOUND: N_("found, not yet followed up"),
    ProblemStatus.HELPED: N_("helped (solved)"),
    ProblemStatus.SELF_RESOLVED: N_("solved by the household itself"),
    ProblemStatus.IN_PROGRESS: N_("help under way"),
    ProblemStatus.NOT_RESOLVED: N_("not yet solved"),
    ProblemStatus.NOT_APPLICABLE: N_("no longer a problem or recorded in error"),
}


def show(ctx: EventContext, person: Person, argument: str) -> list[Reply]:
    """The progress of the supervisor's area, or of one community named after the command."""
    community_id = person.community_id if person.role != "admin" else None
    if community_id is None and argument.strip():
        community_id = _community_named(ctx, person.municipality_id, argument.strip())
        if community_id is None:
            return [Text(_("No community called \"{name}\" was found in your area.", name=argument.strip()), menu_buttons(person.role))]
    current = current_round(ctx.session, person.municipality_id)
    figures = progress(ctx.session, person.municipality_id, current.name, start_of_day(ctx.now, ctx.config.zone), community_id)
    cards = progress_cards(figures, current, dimension_names(round_form(current)), ctx.now, ctx.config.zone)
    return [Cards(cards[0], cards[1], menu_buttons(person.role))]


def _community_named(ctx: EventContext, municipality_id: int, typed: str) -> int | None:
    """The community of the municipality whose name holds the typed words (case and spacing aside)."""
    from sqlalchemy import select

    wanted = " ".join(typed.split()).casefold()
    for cid, name in ctx.session.execute(select(Community.id, Community.name).where(Community.municipality_id == municipality_id).order_by(Community.id)):
        if wanted in " ".join(name.split()).casefold():
            return cid
    return None


def start_of_day(now: datetime, zone: tzinfo) -> datetime:
    """Midnight of today in the municipality's time zone, in UTC (times are stored in UTC)."""
    return datetime.combine(now.astimezone(zone).date(), time.min, tzinfo=zone).astimezone(timezone.utc)


def round_form(found: Round) -> Form:
    """The form a round's surveys use."""
    return get_form(found.form_id, found.form_version) if found.form_version else current_form(found.form_id)


def dimension_names(form: Form) -> dict[str, str]:
    """Each problem dimension (the section id of a problem checklist) by its title, translated."""
    return {section.id: _(section.title) for section in form.sections if any(q.problems for q in section.questions)}


def percent(done: int, target: int) -> int:
    """Whole percent done (0 without a target)."""
    return round(100 * done / target) if target else 0


def status_name(status: str) -> str:
    """A problem status as people read it."""
    return _(STATUS_NAMES[status]) if status in STATUS_NAMES else status


def progress_cards(
    figures: Progress, found: Round, dimensions: dict[str, str], now: datetime, zone: tzinfo, community_cards: int = MAX_COMMUNITY_CARDS, idle_days: int = IDLE_DAYS
) -> tuple[str, tuple[Card, ...]]:
    """The notification text and the bubbles: summary, today, idle volunteers, then the communities
    (at most `community_cards` bubbles of them: the daily push shows those furthest behind)."""
    summary = _("Progress of round {round}: {done} of {target} households surveyed ({percent}%)", round=figures.round_name, done=figures.surveyed, target=figures.target, percent=percent(figures.surveyed, figures.target))
    cards = (_summary_card(figures, found, dimensions), _today_card(figures), _idle_card(figures, now, zone, idle_days), *_community_cards(figures.communities, community_cards))
    return summary, cards


def _summary_card(figures: Progress, found: Round, dimensions: dict[str, str]) -> Card:
    """The whole area: households, Re-X-ray, confirmations, problems, the deadline."""
    rexray_done = sum(c.rexray_verified for c in figures.communities)
    rexray_all = sum(c.rexray_assigned for c in figures.communities)
    by_status = "\n".join(f"{status_name(s)}: {n:,}" for s, n in sorted(figures.problems_by_status.items())) or _("none yet")
    by_dimension = "\n".join(f"{dimensions.get(d, d)}: {figures.problems_by_dimension[d]:,}" for d in _dimension_order(figures, dimensions)) or _("none yet")
    done, target = f"{figures.surveyed:,}", f"{figures.target:,}"
    approved, awaiting = f"{figures.approved:,}", f"{figures.awaiting:,}"
    rows = [
        CardRow(_("Households surveyed"), _("{done} of {target} ({percent}%)", done=done, target=target, percent=percent(figures.surveyed, figures.target)), bar=_part(figures.surveyed, figures.target)),
        CardRow(_("Records approved by a supervisor"), _("{approved} approved, {awaiting} awaiting approval", approved=approved, awaiting=awaiting)),
        CardRow(_("Re-X-ray households verified"), _("{done} of {target}", done=rexray_done, target=rexray_all), bar=_part(rexray_done, rexray_all)),
        CardRow(_("Household confirmations received"), f"{figures.confirmations:,}"),
        CardRow(_("Problems found, by status"), by_status),
        CardRow(_("Problems found, by dimension"), by_dimension),
    ]
    if found.survey_deadline is not None:
        rows.append(CardRow(_("Survey deadline"), format_date_be(found.survey_deadline)))
    if found.resolution_deadline is not None:
        rows.append(CardRow(_("Deadline to solve the problems"), format_date_be(found.resolution_deadline)))
    return Card(_("Survey progress, round {round}", round=figures.round_name), tuple(rows))


def _dimension_order(figures: Progress, dimensions: dict[str, str]) -> list[str]:
    """Dimensions in the form's order, then any the form does not name."""
    return [d for d in dimensions if d in figures.problems_by_dimension] + sorted(d for d in figures.problems_by_dimension if d not in dimensions)


def _today_card(figures: Progress) -> Card:
    """Households each volunteer submitted today."""
    active = figures.active_today()
    rows = [CardRow(_who(v), _("{count} households today, {drafts} drafts", count=v.submitted_today, drafts=v.drafts)) for v in active[:MAX_PEOPLE_SHOWN]]
    if len(active) > MAX_PEOPLE_SHOWN:
        rows.append(CardRow("", _("…and {count} more volunteers", count=len(active) - MAX_PEOPLE_SHOWN)))
    return Card(_("Today's activity"), tuple(rows) or (CardRow("", _("No household has been submitted today yet.")),))


def _idle_card(figures: Progress, now: datetime, zone: tzinfo, days: int = IDLE_DAYS) -> Card:
    """Volunteers with drafts in hand and no activity for `days` days, by name, each with a button to nudge them."""
    idle = figures.idle(now - timedelta(days=days))
    rows = [CardRow(_who(v), _waiting(v, zone), button=_nudge_button(v)) for v in idle[:MAX_PEOPLE_SHOWN]]
    if len(idle) > MAX_PEOPLE_SHOWN:
        rows.append(CardRow("", _("…and {count} more volunteers", count=len(idle) - MAX_PEOPLE_SHOWN)))
    title = _("Work waiting, no activity for {days} days", days=days)
    return Card(title, tuple(rows) or (CardRow("", _("Every volunteer with work waiting has been active.")),))


def _waiting(volunteer: VolunteerActivity, zone: tzinfo) -> str:
    """An idle volunteer's drafts and households to revisit (Re-X-ray), and when they last did anything."""
    date = last_seen(volunteer, zone)
    if not volunteer.revisits:
        return _("{drafts} drafts, last active {date}", drafts=volunteer.drafts, date=date)
    if not volunteer.drafts:
        return _("{households} households to revisit, last active {date}", households=volunteer.revisits, date=date)
    return _("{drafts} drafts, {households} households to revisit, last active {date}", drafts=volunteer.drafts, households=volunteer.revisits, date=date)


def _nudge_button(volunteer: VolunteerActivity) -> Button:
    """Send the volunteer a friendly reminder (route sup.nudge, once a day)."""
    return Button(_("Nudge"), kind="postback", data=postback.encode("sup.nudge", p=volunteer.person_id), text=_("Nudge {name}", name=volunteer.name)[:300])


def last_seen(volunteer: VolunteerActivity, zone: tzinfo) -> str:
    """The day of a volunteer's last activity, or "never"."""
    if volunteer.last_activity is None:
        return _("never")
    moment = volunteer.last_activity if volunteer.last_activity.tzinfo else volunteer.last_activity.replace(tzinfo=timezone.utc)
    return format_date_be(moment.astimezone(zone).date())


def _who(volunteer: VolunteerActivity) -> str:
    """A volunteer's name and community."""
    return f"{volunteer.name} ({volunteer.community})" if volunteer.community else volunteer.name


def _community_cards(communities: list[CommunityProgress], max_cards: int = MAX_COMMUNITY_CARDS) -> list[Card]:
    """Communities ten to a bubble; beyond `max_cards` bubbles, those furthest behind (the rest are summed up)."""
    shown = communities
    limit = COMMUNITIES_PER_CARD * max_cards
    if len(communities) > limit:
        shown = sorted(sorted(communities, key=lambda c: _part(c.surveyed, c.target))[:limit], key=lambda c: c.name)
    cards = []
    for start in range(0, len(shown), COMMUNITIES_PER_CARD):
        page = shown[start : start + COMMUNITIES_PER_CARD]
        rows = tuple(_community_row(c) for c in page)
        if len(communities) > limit and start + COMMUNITIES_PER_CARD >= len(shown):
            rows += (CardRow("", _("Shown: the {shown} communities furthest behind of {count}. Type \"progress\" and a community's name to see it.", shown=len(shown), count=len(communities))),)
        cards.append(Card(_("Communities {first}–{last} of {count}", first=start + 1, last=start + len(page), count=len(shown)), rows))
    return cards


def _community_row(community: CommunityProgress) -> CardRow:
    """One community: households surveyed of its target, with a bar, and its Re-X-ray."""
    value = _(
        "{done} of {target} households ({percent}%), drafts {drafts}, Re-X-ray {verified} of {assigned}",
        done=community.surveyed, target=community.target, percent=percent(community.surveyed, community.target), drafts=community.drafts,
        verified=community.rexray_verified, assigned=community.rexray_assigned,
    )
    return CardRow(community.name, value, bar=_part(community.surveyed, community.target))


def _part(done: int, target: int) -> float:
    """The part done, 0 to 1."""
    return min(1.0, done / target) if target else 0.0

