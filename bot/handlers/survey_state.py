"""A draft's dialog state: loaded from its stored answers and pointer, and the pointer stored back."""

from __future__ import annotations

from bot.areas import find_tambon
from bot.dialogs.engine import Cursor, Engine, engine_for
from bot.dialogs.form import Form, current_form, get_form
from bot.dialogs.inputs import Env
from bot.handlers.context import EventContext
from bot.i18n import _
from storage import surveys
from storage.areas import SurveyArea, survey_area
from storage.models import Household, Person
from storage.recent import recent
from storage.rounds import current_round, earliest_survey_date, round_rules, round_settings


def load_draft(ctx: EventContext, household: Household, rows: dict | None = None) -> tuple[Engine, Cursor, dict, Env]:
    """The engine of the draft's own form version, its pointer, its answers and the environment."""
    engine = engine_for(get_form(household.form_id, household.form_version))
    answers = surveys.answers_of(rows if rows is not None else surveys.answer_rows(ctx.session, household.id))
    cursor = Cursor(
        state=household.dialog_state or engine.states[0],
        member_no=household.dialog_member,
        problem=household.dialog_problem,
        tries=household.dialog_tries,
        editing=household.dialog_editing,
        confirm_cancel=household.dialog_confirm_cancel,
    )
    return engine, cursor, answers, _env(ctx, household)


def round_form(ctx: EventContext, person: Person) -> tuple[Form, str]:
    """The form a new survey of the person's municipality uses, and the round it goes to."""
    current = current_round(ctx.session, person.municipality_id)
    form = get_form(current.form_id, current.form_version) if current.form_version else current_form(current.form_id)
    return form, current.name


def _env(ctx: EventContext, household: Household) -> Env:
    """Today in the configured zone, the municipality's communities and area names, the household round's settings."""
    # The area and the round's rules change only by command line: kept for seconds (two queries fewer a step).
    database = id(ctx.session.get_bind())
    area = recent(("area", database, household.municipality_id), lambda: survey_area(ctx.session, household.municipality_id))
    known, place = _known(ctx, household, area)
    today = ctx.now.astimezone(ctx.config.zone).date()
    recorded_in = recent(("round", database, household.round_name), lambda: round_rules(ctx.session, household.round_name))
    return Env(
        today=today,
        communities=area.communities if area else (),
        area={**_area_names(area), "place": place} if area else {},
        translate=_,
        known=known,
        settings=round_settings(recorded_in),
        round_earliest=earliest_survey_date(recorded_in, today),
    )


def _known(ctx: EventContext, household: Household, area: SurveyArea | None) -> tuple[dict[str, str], str]:
    """What the form may fill in without asking (its `known_from` words), and how the area confirmation names it.

    The community is the one the volunteer's invite bound them to (read from the household's
    area, already loaded: one query fewer per step); its village number, or none ("") when the
    community is recorded without one.
    """
    volunteer = ctx.session.get(Person, household.volunteer_id) if household.volunteer_id else None
    community_id = str(volunteer.community_id) if volunteer is not None and volunteer.community_id else None
    names = dict(area.communities) if area else {}
    if community_id is None or community_id not in names:  # none, or a community of another municipality
        return {}, ""
    known = {"volunteer_community": community_id}
    moo = area.moo.get(community_id) if area else None
    if moo:
        known["community_moo"] = str(moo)
        return known, _("in {community}, Moo {moo}, ", community=names[community_id], moo=moo)
    # A community recorded without a village number has none (municipal communities): not asked.
    known["community_moo"] = ""
    return known, _("in {community}, ", community=names[community_id])


def _area_names(area: SurveyArea) -> dict[str, str]:
    """The municipality's tambon, amphoe and province by name (codes where the official list lacks them)."""
    tambon = find_tambon(area.tambon_code)
    if tambon is None:  # only a made-up area (the demo's): its codes, set apart from the words before them
        return {"municipality": area.name, "tambon": f" {area.tambon_code}", "amphoe": f" {area.amphoe_code}", "province": f" {area.province_code}"}
    return {"municipality": area.name, "tambon": tambon.name, "amphoe": tambon.amphoe_name, "province": tambon.province_name}


def save_cursor(household: Household, cursor: Cursor) -> None:
    """Store the pointer on the household row."""
    surveys.save_pointer(household, cursor.state, cursor.member_no, cursor.problem, cursor.tries, cursor.editing, cursor.confirm_cancel)
