"""The progress view's maintained counts: households and problems per area, volunteer and status, kept by triggers.

Migration 0017 creates these tables and the triggers on households and household_problems that keep
them equal to a count of those tables in the same transaction as every change (storage/progress_counts.py
recounts them). "None" is stored as 0 or '' so every column can be part of the key (NULLs never conflict).
"""

from __future__ import annotations

from sqlalchemy import Integer, String
from sqlalchemy.orm import Mapped, mapped_column

from storage.models import Base


class _Whose:
    """The key both counts begin with: where, which round, and whose (0 for no community or volunteer)."""

    # First in each table and in its primary key, as migration 0017 made them (a mixin's columns would come last).
    municipality_id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=False, sort_order=-4)
    round_name: Mapped[str] = mapped_column(String(32), primary_key=True, sort_order=-3)
    community_id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=False, sort_order=-2)  # 0: none
    volunteer_id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=False, sort_order=-1)  # 0: none


class HouseholdCount(_Whose, Base):
    """Households (not Re-X-ray visit records) per municipality, round, community, volunteer, status, approval and Re-X-ray status."""

    __tablename__ = "progress_households"

    status: Mapped[str] = mapped_column(String(16), primary_key=True)
    approval: Mapped[str] = mapped_column(String(16), primary_key=True)  # '': none
    rexray_status: Mapped[str] = mapped_column(String(16), primary_key=True)  # '': none
    households: Mapped[int] = mapped_column(Integer)


class ProblemCount(_Whose, Base):
    """Problems of submitted households (not Re-X-ray visit records) per municipality, round, community, volunteer, dimension and status."""

    __tablename__ = "progress_problems"

    dimension: Mapped[str] = mapped_column(String(16), primary_key=True)
    status: Mapped[str] = mapped_column(String(16), primary_key=True)
    problems: Mapped[int] = mapped_column(Integer)
