"""Build areas, people, codes and households straight in the database, as a test's starting point."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime, timedelta, timezone
from typing import Any

from sqlalchemy import Engine, select
from sqlalchemy.orm import Session

from storage.models import Community, Household, InviteCode, LineUser, Municipality, Person


def now() -> datetime:
    """The current time in UTC."""
    return datetime.now(timezone.utc)


@dataclass
class World:
    """A handle on the test database with helpers that commit each thing they make."""

    engine: Engine
    ids: dict[str, int] = field(default_factory=dict)

    def add(self, row: Any) -> int:
        """Insert a row and return its id."""
        with Session(self.engine) as session, session.begin():
            session.add(row)
            session.flush()
            return row.id

    def municipality(self, name: str = "เทศบาลเมืองบ้านไผ่", tambon: str = "401002", kind: str = "town") -> int:
        """A municipality with codes from the official list."""
        return self.add(Municipality(name=name, kind=kind, tambon_code=tambon, amphoe_code=tambon[:4], province_code=tambon[:2]))

    def community(self, municipality_id: int, name: str, target: int = 100) -> int:
        """A community of a municipality."""
        return self.add(Community(municipality_id=municipality_id, name=name, target_households=target))

    def invite(self, municipality_id: int, code: str, role: str = "volunteer", community_id: int | None = None,
               days: float = 7, max_uses: int = 5, uses: int = 0) -> int:
        """An invite code (days may be negative for an expired one)."""
        return self.add(InviteCode(code=code, role=role, municipality_id=municipality_id, community_id=community_id,
                                   expires_at=now() + timedelta(days=days), max_uses=max_uses, uses=uses))

    def person(self, role: str, municipality_id: int, community_id: int | None = None, name: str = "สมหญิง ใจดี",
               line_user_id: str | None = None, active: bool = True) -> int:
        """A registered person, tied to a LINE user id when given."""
        line_pk = None
        if line_user_id is not None:
            line_pk = self.add(LineUser(line_user_id=line_user_id, active=True, events_handled=0))
        return self.add(Person(role=role, full_name=name, phone="0812345678", municipality_id=municipality_id,
                               community_id=community_id, line_user_id=line_pk, active=active,
                               volunteer_type="osm" if role == "volunteer" else None))

    def household(self, municipality_id: int, community_id: int | None, volunteer_id: int | None, house_code: str,
                  status: str = "draft", submitted_at: datetime | None = None, house_no: str = "12/3",
                  head_name: str = "นายทดสอบ ครัวเรือน") -> int:
        """A household record."""
        return self.add(Household(municipality_id=municipality_id, community_id=community_id, volunteer_id=volunteer_id,
                                  round_name="2566", form_id="thaiqm-2566", form_version="1", status=status,
                                  house_code=house_code, house_no=house_no, head_name=head_name, submitted_at=submitted_at))

    def get(self, model: Any, pk: Any) -> Any:
        """A row by primary key, detached for reading."""
        with Session(self.engine, expire_on_commit=False) as session:
            return session.get(model, pk)

    def all(self, model: Any) -> list[Any]:
        """Every row of a table."""
        with Session(self.engine, expire_on_commit=False) as session:
            return list(session.scalars(select(model)))
