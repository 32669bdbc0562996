"""Household confirmation (thaiqm-form.md §4): codes, LINE users linked to households, answers, witnesses.

A problem set to helped or self-resolved is "claimed resolved" until the household confirms it,
from its own LINE (after a one-time code the volunteer gives) or before a witness the volunteer
records. Each answer is a `ProblemConfirmation` beside the problem_history row it wrote.
"""

from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import ForeignKey, Integer, String
from sqlalchemy.orm import Mapped, mapped_column

from storage.models import PERSONAL, Base, utcnow
from storage.sealed import SealedText


class ConfirmationCode(Base):
    """A one-time 6-digit code bound to a household: only its keyed hash is stored."""

    __tablename__ = "confirmation_codes"

    id: Mapped[int] = mapped_column(primary_key=True)
    # Not unique: a million codes are few, so two households' codes (one long used) may share one.
    code_hash: Mapped[str] = mapped_column(String(80), index=True)
    household_id: Mapped[int] = mapped_column(ForeignKey("households.id", ondelete="CASCADE"), index=True)
    created_by: Mapped[int | None] = mapped_column(ForeignKey("people.id"))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    expires_at: Mapped[datetime]
    used_at: Mapped[datetime | None]
    used_by: Mapped[int | None] = mapped_column(ForeignKey("line_users.id"))


class HouseholdLink(Base):
    """A LINE user who sent a household's code: it sees that household's problems, one household at a time."""

    __tablename__ = "household_links"

    line_user_id: Mapped[int] = mapped_column(ForeignKey("line_users.id"), primary_key=True)
    household_id: Mapped[int] = mapped_column(ForeignKey("households.id", ondelete="CASCADE"), index=True)
    code_id: Mapped[int | None] = mapped_column(ForeignKey("confirmation_codes.id", ondelete="SET NULL"))
    linked_at: Mapped[datetime] = mapped_column(default=utcnow)
    # When it last asked its volunteer to get in touch (one push an hour at most).
    contacted_at: Mapped[datetime | None]


class ConfirmationGuard(Base):
    """Wrong confirmation codes per LINE user: in the database, so the lockout spans workers and restarts."""

    __tablename__ = "confirmation_guards"

    line_user_id: Mapped[int] = mapped_column(ForeignKey("line_users.id"), primary_key=True)
    failures: Mapped[int] = mapped_column(Integer, default=0)
    locked_until: Mapped[datetime | None]
    # The latest wrong code: guesses spread over many new LINE accounts are counted together.
    last_failed_at: Mapped[datetime | None]


class ConfirmationWitness(Base):
    """Who confirmed in person for a household without LINE, their relation to it and when (recorded by the volunteer)."""

    __tablename__ = "confirmation_witnesses"

    id: Mapped[int] = mapped_column(primary_key=True)
    household_id: Mapped[int] = mapped_column(ForeignKey("households.id", ondelete="CASCADE"), index=True)
    volunteer_id: Mapped[int] = mapped_column(ForeignKey("people.id"))
    name: Mapped[str | None] = mapped_column(SealedText, info=PERSONAL)
    relation: Mapped[str | None] = mapped_column(String(100), info=PERSONAL)
    witnessed_on: Mapped[date | None]
    created_at: Mapped[datetime] = mapped_column(default=utcnow)


class ProblemConfirmation(Base):
    """The household's answer on one claimed-resolved problem: who, when, what, and its history row."""

    __tablename__ = "problem_confirmations"

    id: Mapped[int] = mapped_column(primary_key=True)
    problem_id: Mapped[int] = mapped_column(ForeignKey("household_problems.id", ondelete="CASCADE"), index=True)
    household_id: Mapped[int] = mapped_column(ForeignKey("households.id", ondelete="CASCADE"), index=True)
    # The problem_history row the answer wrote (via "household"): the digest reads the comment from here.
    history_id: Mapped[int | None] = mapped_column(ForeignKey("problem_history.id", ondelete="CASCADE"), unique=True)
    # What the household answered (a ConfirmationAnswer: solved, or not solved after all)
    answer: Mapped[str] = mapped_column(String(16))
    # The household's words when not solved (sealed: they may name anyone); a voice message is only noted.
    comment: Mapped[str | None] = mapped_column(SealedText, info=PERSONAL)
    voice: Mapped[bool] = mapped_column(default=False)
    # Who confirmed: the household's LINE user, or a witness recorded by a volunteer.
    line_user_id: Mapped[int | None] = mapped_column(ForeignKey("line_users.id"))
    witness_id: Mapped[int | None] = mapped_column(ForeignKey("confirmation_witnesses.id", ondelete="SET NULL"))
    recorded_by: Mapped[int | None] = mapped_column(ForeignKey("people.id"))
    confirmed_at: Mapped[datetime] = mapped_column(default=utcnow)
