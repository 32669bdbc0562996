"""The tables of what a household answered: answers, members, problems, changes, duplicate notes."""

from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import ForeignKey, Integer, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, validates

from storage.models import PERSONAL, Base, utcnow
from storage.sealed import PartlySealedText, SealedText, lookup_hash
from storage.statuses import ProblemStatus


class SurveyAnswer(Base):
    """One answer to one question (per member for the member questions), written when given."""

    __tablename__ = "survey_answers"
    __table_args__ = (UniqueConstraint("household_id", "code", "member_no"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    household_id: Mapped[int] = mapped_column(ForeignKey("households.id", ondelete="CASCADE"))
    code: Mapped[str] = mapped_column(String(40))
    # 0 for household questions and problem follow-ups, else the member's number.
    member_no: Mapped[int] = mapped_column(Integer, default=0)
    # None: skipped. Canonical text otherwise (codes, ISO dates, digits); sealed for a sensitive question.
    value: Mapped[str | None] = mapped_column(PartlySealedText)
    answered_by: Mapped[int | None] = mapped_column(ForeignKey("people.id"))
    answered_at: Mapped[datetime] = mapped_column(default=utcnow)


class HouseholdMember(Base):
    """A member of a surveyed household (member 1 is the head)."""

    __tablename__ = "household_members"
    __table_args__ = (UniqueConstraint("household_id", "member_no"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    household_id: Mapped[int] = mapped_column(ForeignKey("households.id", ondelete="CASCADE"))
    member_no: Mapped[int] = mapped_column(Integer)
    full_name: Mapped[str | None] = mapped_column(String(200), info=PERSONAL)
    sex: Mapped[str | None] = mapped_column(String(16))
    relation: Mapped[str | None] = mapped_column(String(16))
    birth_year_be: Mapped[int | None]
    national_id: Mapped[str | None] = mapped_column(SealedText, info=PERSONAL)
    national_id_hash: Mapped[str | None] = mapped_column(String(80), index=True)
    health: Mapped[str | None] = mapped_column(String(16))
    education: Mapped[str | None] = mapped_column(String(24))
    occupation: Mapped[str | None] = mapped_column(String(16))
    monthly_income: Mapped[int | None]
    # Space-separated welfare codes, as answered.
    welfare: Mapped[str | None] = mapped_column(String(200))

    @validates("national_id")
    def _hash_national_id(self, _key: str, value: str | None) -> str | None:
        """Keep the lookup hash beside the sealed ID."""
        self.national_id_hash = lookup_hash(value)
        return value


class HouseholdProblem(Base):
    """A problem found in a household (code like H1), whom it concerns, and its status."""

    __tablename__ = "household_problems"
    __table_args__ = (UniqueConstraint("household_id", "code"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    household_id: Mapped[int] = mapped_column(ForeignKey("households.id", ondelete="CASCADE"))
    code: Mapped[str] = mapped_column(String(16))
    # The ThaiQM/TPMAP dimension key: health, living, education, income, accessibility.
    dimension: Mapped[str] = mapped_column(String(16))
    member_no: Mapped[int | None]
    detail: Mapped[str | None] = mapped_column(Text, info=PERSONAL)
    # A ProblemStatus: "found" at the survey; Re-X-ray moves it on (its history: problem_history).
    status: Mapped[str] = mapped_column(String(16), default=ProblemStatus.FOUND)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    # The round it was first recorded in (None: the household's own round).
    found_round: Mapped[str | None] = mapped_column(String(32))
    # How it was helped: space-separated PartnerNetwork and HelpKind codes, who, when, and the
    # volunteer's analysis or next step (required while in progress or not resolved).
    partners: Mapped[str | None] = mapped_column(String(200))
    help_kinds: Mapped[str | None] = mapped_column(String(200))
    agency: Mapped[str | None] = mapped_column(String(200))
    help_date: Mapped[date | None]
    note: Mapped[str | None] = mapped_column(Text, info=PERSONAL)
    status_changed_at: Mapped[datetime | None]
    status_changed_by: Mapped[int | None] = mapped_column(ForeignKey("people.id"))


class AnswerChange(Base):
    """A change to a submitted household's answer: old and new value, who and when."""

    __tablename__ = "answer_changes"

    id: Mapped[int] = mapped_column(primary_key=True)
    household_id: Mapped[int] = mapped_column(ForeignKey("households.id", ondelete="CASCADE"), index=True)
    code: Mapped[str] = mapped_column(String(40))
    member_no: Mapped[int] = mapped_column(Integer, default=0)
    old_value: Mapped[str | None] = mapped_column(PartlySealedText)
    new_value: Mapped[str | None] = mapped_column(PartlySealedText)
    changed_by: Mapped[int | None] = mapped_column(ForeignKey("people.id"))
    changed_at: Mapped[datetime] = mapped_column(default=utcnow)


class DuplicateNote(Base):
    """A possible duplicate already shown for a household, and what the volunteer said of it."""

    __tablename__ = "duplicate_notes"
    __table_args__ = (UniqueConstraint("household_id", "other_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    household_id: Mapped[int] = mapped_column(ForeignKey("households.id", ondelete="CASCADE"))
    other_id: Mapped[int] = mapped_column(ForeignKey("households.id", ondelete="CASCADE"), index=True)
    # "shown" once warned; "different" when the volunteer said it is another household.
    decision: Mapped[str] = mapped_column(String(16))
    at: Mapped[datetime] = mapped_column(default=utcnow)
