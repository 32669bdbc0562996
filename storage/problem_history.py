"""The history of a household problem's status: every change, from what, to what, who and when."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import ForeignKey, Index, String, text
from sqlalchemy.orm import Mapped, mapped_column

from storage.models import Base, utcnow


class ProblemHistory(Base):
    """One change of a problem's status: from what, to what, who, when and how (ids and codes only)."""

    __tablename__ = "problem_history"
    # The progress view counts the households' own answers (via 'household') without reading the rest.
    __table_args__ = (
        Index("ix_problem_history_confirmations", "household_id", postgresql_where=text("via = 'household'"), sqlite_where=text("via = 'household'")),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    problem_id: Mapped[int] = mapped_column(ForeignKey("household_problems.id", ondelete="CASCADE"), index=True)
    household_id: Mapped[int] = mapped_column(ForeignKey("households.id", ondelete="CASCADE"), index=True)
    old_status: Mapped[str | None] = mapped_column(String(16))
    new_status: Mapped[str] = mapped_column(String(16))
    # A ProblemChange; the round the change belongs to.
    via: Mapped[str] = mapped_column(String(16))
    round_name: Mapped[str | None] = mapped_column(String(32))
    changed_by: Mapped[int | None] = mapped_column(ForeignKey("people.id"))
    changed_at: Mapped[datetime] = mapped_column(default=utcnow)
