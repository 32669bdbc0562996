"""Reading the database as an intruder with a copy would: plain SQL, no models, no key."""

from __future__ import annotations

from sqlalchemy import Engine

from storage.models import Base


def plain_text_hits(engine: Engine, needles: list[str]) -> list[str]:
    """Every `table.column` whose stored text contains one of the values (digits compared without separators)."""
    hits = []
    with engine.connect() as connection:
        for table in Base.metadata.sorted_tables:
            result = connection.exec_driver_sql(f"SELECT * FROM {table.name}")
            columns = list(result.keys())
            for row in result:
                for column, value in zip(columns, row):
                    text = "".join(ch for ch in str(value) if ch.isdigit()) if value is not None else ""
                    if any(needle in str(value) or needle in text for needle in needles if value is not None):
                        hits.append(f"{table.name}.{column}")
    return sorted(set(hits))
