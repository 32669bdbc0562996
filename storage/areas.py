"""Municipalities and communities: creating them and reading the area of a person or code."""

from __future__ import annotations

import csv
import functools
from dataclasses import dataclass, field
from typing import Iterable, TextIO

from sqlalchemy import Select, bindparam, select
from sqlalchemy.orm import Session

from bot.areas import find_tambon
from storage.models import Community, Municipality
from storage.recent import forget

# The three municipality types and their Thai names (also the CLI's choices).
MUNICIPALITY_KINDS = {"city": "เทศบาลนคร", "town": "เทศบาลเมือง", "subdistrict": "เทศบาลตำบล"}
COMMUNITY_COLUMNS = ("tambon_code", "name", "moo", "target_households")


class AreaError(ValueError):
    """An area that cannot be created; the message is one line for the operator."""


def create_municipality(session: Session, name: str, kind: str, tambon_code: str) -> Municipality:
    """Add a municipality whose codes come from the official tambon list."""
    if kind not in MUNICIPALITY_KINDS:
        raise AreaError(f"unknown municipality type {kind!r}: use one of {', '.join(MUNICIPALITY_KINDS)}")
    tambon = find_tambon(tambon_code)
    if tambon is None:
        raise AreaError(f"tambon code {tambon_code!r} is not in the official list (six digits, e.g. 401002)")
    if not name.strip():
        raise AreaError("the municipality needs a name")
    if municipality_by_tambon(session, tambon.code) is not None:
        raise AreaError(f"a municipality with tambon code {tambon.code} already exists")
    municipality = Municipality(
        name=name.strip(), kind=kind, tambon_code=tambon.code, amphoe_code=tambon.amphoe_code, province_code=tambon.province_code
    )
    session.add(municipality)
    session.flush()
    forget()
    return municipality


def municipality_by_tambon(session: Session, tambon_code: str) -> Municipality | None:
    """The municipality registered for a tambon code."""
    return session.scalars(select(Municipality).where(Municipality.tambon_code == tambon_code.strip())).first()


def add_community(session: Session, municipality: Municipality, name: str, target_households: int, moo: int | None = None) -> Community:
    """Add a community to a municipality; names are unique within it."""
    name = " ".join(name.split())
    if not name:
        raise AreaError("the community needs a name")
    if target_households < 0:
        raise AreaError("the household target cannot be negative")
    existing = session.scalars(
        select(Community.id).where(Community.municipality_id == municipality.id, Community.name == name)
    ).first()
    if existing is not None:
        raise AreaError(f"community {name!r} already exists in {municipality.name}")
    community = Community(municipality_id=municipality.id, name=name, moo=moo, target_households=target_households)
    session.add(community)
    session.flush()
    forget()  # this process's survey steps see it at once, other workers within seconds (storage/recent.py)
    return community


def communities_of(session: Session, municipality_id: int) -> list[Community]:
    """A municipality's communities in the order they were set up (the municipality's own list order)."""
    return list(session.scalars(select(Community).where(Community.municipality_id == municipality_id).order_by(Community.id)))


@dataclass(frozen=True)
class CommunityRow:
    """One checked line of a communities CSV."""

    line: int
    municipality: Municipality
    name: str
    moo: int | None
    target_households: int


@dataclass(frozen=True)
class SurveyArea:
    """What a survey step needs of a municipality: its name and codes, its communities as (id, name) and their village numbers."""

    name: str
    tambon_code: str
    amphoe_code: str
    province_code: str
    communities: tuple[tuple[str, str], ...]
    moo: dict[str, int | None] = field(default_factory=dict, compare=False)  # community id -> its Moo, if any


def survey_area(session: Session, municipality_id: int) -> SurveyArea | None:
    """A municipality and its communities in one query of plain columns (None if it does not exist)."""
    rows = session.execute(_survey_area_query(), {"municipality_id": municipality_id}).all()
    if not rows:
        return None
    name, tambon, amphoe, province = rows[0][:4]
    present = [row for row in rows if row[4] is not None]
    return SurveyArea(name, tambon, amphoe, province, tuple((str(row[4]), row[5]) for row in present), {str(row[4]): row[6] for row in present})


@functools.cache
def _survey_area_query() -> Select:
    """The statement of survey_area, built once: every survey step runs it.

    Table columns (Core), not ORM attributes: the ORM's statement handling cost more than
    the query itself.
    """
    m, c = Municipality.__table__.c, Community.__table__.c
    return (
        select(m.name, m.tambon_code, m.amphoe_code, m.province_code, c.id, c.name, c.moo)
        .select_from(Municipality.__table__.outerjoin(Community.__table__, c.municipality_id == m.id))
        .where(m.id == bindparam("municipality_id"))
        .order_by(c.id)
    )


def import_communities(session: Session, source: TextIO) -> tuple[int, list[str]]:
    """Add every community of a CSV, or none: returns (added, errors by line)."""
    rows, errors = _check_rows(session, csv.DictReader(source))
    if errors:
        return 0, errors
    for row in rows:
        session.add(Community(municipality_id=row.municipality.id, name=row.name, moo=row.moo, target_households=row.target_households))
    session.flush()
    forget()
    return len(rows), []


def _check_rows(session: Session, reader: csv.DictReader) -> tuple[list[CommunityRow], list[str]]:
    """Validate all lines first, so the operator sees every problem at once."""
    missing = [column for column in ("tambon_code", "name", "target_households") if column not in (reader.fieldnames or ())]
    if missing:
        return [], [f"the CSV needs the columns {', '.join(COMMUNITY_COLUMNS)} (missing: {', '.join(missing)})"]
    municipalities = {m.tambon_code: m for m in session.scalars(select(Municipality))}
    existing = {(c.municipality_id, c.name) for c in session.scalars(select(Community))}
    seen: dict[tuple[int, str], int] = {}
    rows: list[CommunityRow] = []
    errors: list[str] = []
    for line, raw in enumerate(reader, start=2):
        code = (raw.get("tambon_code") or "").strip()
        name = " ".join((raw.get("name") or "").split())
        municipality = municipalities.get(code)
        if find_tambon(code) is None:
            errors.append(f"line {line}: tambon code {code!r} is not in the official list")
            continue
        if municipality is None:
            errors.append(f"line {line}: no municipality has tambon code {code} (create it with `thaiqm-bot area create-municipality`)")
            continue
        if not name:
            errors.append(f"line {line}: the community has no name")
            continue
        target, moo = _number(raw.get("target_households")), _number(raw.get("moo"))
        if target is None or ((raw.get("moo") or "").strip() and moo is None):
            errors.append(f"line {line}: target_households and moo must be whole numbers (0 or more)")
            continue
        key = (municipality.id, name)
        if key in existing:
            errors.append(f"line {line}: community {name!r} already exists in {municipality.name}")
        elif key in seen:
            errors.append(f"line {line}: community {name!r} is listed twice (also on line {seen[key]})")
        else:
            seen[key] = line
            rows.append(CommunityRow(line, municipality, name, moo, target))
    return rows, errors


def _number(raw: str | None) -> int | None:
    """A non-negative whole number from a CSV cell (None when empty or not a number)."""
    text = (raw or "").strip()
    return int(text) if text.isascii() and text.isdigit() else None


def names_of(session: Session, community_ids: Iterable[int]) -> dict[int, str]:
    """Community names by id, in one query."""
    ids = set(community_ids)
    if not ids:
        return {}
    return {row.id: row.name for row in session.execute(select(Community.id, Community.name).where(Community.id.in_(ids)))}
