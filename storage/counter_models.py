"""The progress view's maintained counts: households and problems per area, volunteer and status, kept by triggers.

Migration 0017 creates these tables and the triggers on households and household_problems that keep
them equal to a count of those tables in the same transaction as every change (storage/progress_counts.py
recounts them). "None" is stored as 0 or '' so every column can be part of the key (NULLs never conflict).
"""

from __future__ import annotations

from sqlalchemy import Integer, String
from sqlalchemy.orm import Mapped, mapped_column

from storage.models import Base


class HouseholdCount(Base):
    """Households (not Re-X-ray visit records) per municipality, round, community, volunteer, status, approval and Re-X-ray status."""

    __tablename__ = "progress_households"

    municipality_id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=False)
    round_name: Mapped[str] = mapped_column(String(32), primary_key=True)
    community_id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=False)  # 0: none
    volunteer_id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=False)  # 0: none
    status: Mapped[str] = mapped_column(String(16), primary_key=True)
    approval: Mapped[str] = mapped_column(String(16), primary_key=True)  # '': none
    rexray_status: Mapped[str] = mapped_column(String(16), primary_key=True)  # '': none
    households: Mapped[int] = mapped_column(Integer)


class ProblemCount(Base):
    """Problems of submitted households (not Re-X-ray visit records) per municipality, round, community, volunteer, dimension and status."""

    __tablename__ = "progress_problems"

    municipality_id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=False)
    round_name: Mapped[str] = mapped_column(String(32), primary_key=True)
    community_id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=False)  # 0: none
    volunteer_id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=False)  # 0: none
    dimension: Mapped[str] = mapped_column(String(16), primary_key=True)
    status: Mapped[str] = mapped_column(String(16), primary_key=True)
    problems: Mapped[int] = mapped_column(Integer)
