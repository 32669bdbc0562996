"""Typed SQLAlchemy models: the tables every feature stands on."""

from __future__ import annotations

from datetime import date, datetime, timezone

from sqlalchemy import JSON, DateTime, Float, ForeignKey, Index, Integer, MetaData, String, Text, UniqueConstraint, func
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column, validates

from storage.sealed import SealedText, lookup_hash

from storage.statuses import EventOutcome, HouseholdOrigin, HouseholdStatus, OutboxStatus

# Stable constraint names, so Alembic migrations read the same on SQLite and PostgreSQL.
NAMING_CONVENTION = {
    "ix": "ix_%(column_0_label)s",
    "uq": "uq_%(table_name)s_%(column_0_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}


# Marks a column of a household, its members or problems that names, identifies, reaches or
# locates someone, or is free text: what `forget` erases (storage/forget.py reads the mark).
PERSONAL = {"personal": True}


def utcnow() -> datetime:
    """The current time, timezone-aware UTC (stored as such everywhere)."""
    return datetime.now(timezone.utc)


class Base(DeclarativeBase):
    """Declarative base with the project's naming convention."""

    metadata = MetaData(naming_convention=NAMING_CONVENTION)
    type_annotation_map = {datetime: DateTime(timezone=True)}


class LineUser(Base):
    """A LINE account that has talked to the bot; the per-user lock lives on this row."""

    __tablename__ = "line_users"

    id: Mapped[int] = mapped_column(primary_key=True)
    line_user_id: Mapped[str] = mapped_column(String(64), unique=True)
    active: Mapped[bool] = mapped_column(default=True)
    followed_at: Mapped[datetime | None]
    unfollowed_at: Mapped[datetime | None]
    events_handled: Mapped[int] = mapped_column(Integer, default=0)
    created_at: Mapped[datetime] = mapped_column(default=utcnow, server_default=func.now())


class ProcessedEvent(Base):
    """A webhook event handled once; its id makes redeliveries harmless."""

    __tablename__ = "processed_events"

    webhook_event_id: Mapped[str] = mapped_column(String(64), primary_key=True)
    chat_id: Mapped[str] = mapped_column(String(64))
    event_type: Mapped[str] = mapped_column(String(32))
    outcome: Mapped[str] = mapped_column(String(16), default=EventOutcome.OK)
    received_at: Mapped[datetime] = mapped_column(default=utcnow)


class OutboxMessage(Base):
    """Messages owed to one chat, stored with the answer that caused them.

    Sending happens after the commit; a row stays pending until LINE accepted it,
    and its retry key lets a push be retried without LINE delivering it twice.
    """

    __tablename__ = "outbox"
    # The second index finds a newer answer to the same chat (an unsent older one is stale then).
    __table_args__ = (Index("ix_outbox_pending", "status", "created_at"), Index("ix_outbox_chat", "chat_id", "id"))

    id: Mapped[int] = mapped_column(primary_key=True)
    retry_key: Mapped[str] = mapped_column(String(36), unique=True)
    chat_id: Mapped[str] = mapped_column(String(64))
    reply_token: Mapped[str | None] = mapped_column(String(255))
    messages: Mapped[list | None] = mapped_column(JSON)
    # A multicast's chats (chat_id is then "multicast"): one message for many, one retry key.
    recipients: Mapped[list | None] = mapped_column(JSON)
    status: Mapped[str] = mapped_column(String(16), default=OutboxStatus.PENDING)
    attempts: Mapped[int] = mapped_column(Integer, default=0)
    last_error: Mapped[str | None] = mapped_column(String(64))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    sent_at: Mapped[datetime | None]


class Municipality(Base):
    """A local government (อปท.): its type decides survey-all or Re-X-ray."""

    __tablename__ = "municipalities"

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(200))
    # "city" เทศบาลนคร, "town" เทศบาลเมือง, "subdistrict" เทศบาลตำบล
    kind: Mapped[str] = mapped_column(String(16))
    tambon_code: Mapped[str] = mapped_column(String(6), unique=True)
    amphoe_code: Mapped[str] = mapped_column(String(4))
    province_code: Mapped[str] = mapped_column(String(2))
    # The round its new surveys go to; None: the round marked current for all (storage/rounds.py).
    current_round: Mapped[str | None] = mapped_column(ForeignKey("rounds.name"))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)


class Round(Base):
    """A survey round: its form, deadlines and settings are data, so a new round needs no code."""

    __tablename__ = "rounds"

    id: Mapped[int] = mapped_column(primary_key=True)
    # What receipts and households.round_name carry, e.g. "2566".
    name: Mapped[str] = mapped_column(String(32), unique=True)
    form_id: Mapped[str] = mapped_column(String(64))
    # None: the newest version of the form (a draft still finishes on the version it began with).
    form_version: Mapped[str | None] = mapped_column(String(32))
    survey_deadline: Mapped[date | None]
    resolution_deadline: Mapped[date | None]
    # Basic-needs (จปฐ.) income line, baht per person per year: the form's setting of that name.
    basic_needs_line: Mapped[int | None]
    # The survey date a volunteer may enter: not before survey_opens, nor more than
    # survey_days_back days before today.
    survey_opens: Mapped[date | None]
    survey_days_back: Mapped[int] = mapped_column(Integer, default=366)
    # The round of every municipality that has not chosen one (one row at most is current).
    current: Mapped[bool] = mapped_column(default=False)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)


class Community(Base):
    """A municipal community (ชุมชน), with a household target for progress figures."""

    __tablename__ = "communities"
    __table_args__ = (UniqueConstraint("municipality_id", "name"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    municipality_id: Mapped[int] = mapped_column(ForeignKey("municipalities.id"))
    name: Mapped[str] = mapped_column(String(200))
    moo: Mapped[int | None]
    target_households: Mapped[int] = mapped_column(Integer, default=0)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)


class Person(Base):
    """Someone with a role: admin, supervisor, volunteer or household, tied to a LINE user."""

    __tablename__ = "people"

    id: Mapped[int] = mapped_column(primary_key=True)
    line_user_id: Mapped[int | None] = mapped_column(ForeignKey("line_users.id"), unique=True)
    # "admin", "supervisor", "volunteer", "household"
    role: Mapped[str] = mapped_column(String(16))
    # for volunteers: "committee" คณะกรรมการชุมชน, "osm" อสม., "osb" อสบ., "othl" อถล., "other"
    volunteer_type: Mapped[str | None] = mapped_column(String(16))
    full_name: Mapped[str] = mapped_column(String(200))
    phone: Mapped[str | None] = mapped_column(SealedText)
    municipality_id: Mapped[int] = mapped_column(ForeignKey("municipalities.id"))
    community_id: Mapped[int | None] = mapped_column(ForeignKey("communities.id"))
    active: Mapped[bool] = mapped_column(default=True)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    deactivated_at: Mapped[datetime | None]


class Household(Base):
    """One household's record in a round: who surveyed it, where, and how far it got."""

    __tablename__ = "households"
    __table_args__ = (
        Index("ix_households_volunteer_status", "volunteer_id", "status"),
        # The duplicate check looks up a house number within a municipality's round.
        Index("ix_households_house_no", "municipality_id", "round_name", "house_no"),
        # A volunteer's Re-X-ray worklist: pending households in walking order.
        Index("ix_households_rexray_worklist", "volunteer_id", "rexray_status", "walk_order"),
        # A supervisor's list of records awaiting approval; the export of approved ones.
        Index("ix_households_approval", "municipality_id", "approval"),
        # The progress view's day-dependent figures: today's submissions, each volunteer's last activity.
        Index("ix_households_submitted", "municipality_id", "submitted_at"),
        Index("ix_households_volunteer_updated", "volunteer_id", "updated_at"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    municipality_id: Mapped[int] = mapped_column(ForeignKey("municipalities.id"))
    community_id: Mapped[int | None] = mapped_column(ForeignKey("communities.id"))
    # The volunteer who surveys it (or to whom a supervisor assigned it).
    volunteer_id: Mapped[int | None] = mapped_column(ForeignKey("people.id"))
    round_name: Mapped[str] = mapped_column(String(32))
    form_id: Mapped[str] = mapped_column(String(64))
    form_version: Mapped[str] = mapped_column(String(32))
    status: Mapped[str] = mapped_column(String(16), default=HouseholdStatus.DRAFT)  # a HouseholdStatus
    house_code: Mapped[str | None] = mapped_column(String(11), index=True, info=PERSONAL)
    house_no: Mapped[str | None] = mapped_column(String(64), info=PERSONAL)
    head_name: Mapped[str | None] = mapped_column(String(200), info=PERSONAL)
    receipt_no: Mapped[str | None] = mapped_column(String(32), unique=True)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(default=utcnow)
    submitted_at: Mapped[datetime | None]
    # When its personal data was erased on request (thaiqm-bot forget): the rest only counts.
    forgotten_at: Mapped[datetime | None]
    # Answers of the household part, projected from survey_answers for SQL queries and duplicates.
    respondent: Mapped[str | None] = mapped_column(String(16))
    survey_date: Mapped[date | None]
    moo: Mapped[int | None]
    head_national_id: Mapped[str | None] = mapped_column(SealedText, info=PERSONAL)
    # The keyed hash the duplicate check and search find the head's ID by (set with the ID).
    head_national_id_hash: Mapped[str | None] = mapped_column(String(80), index=True)
    phone: Mapped[str | None] = mapped_column(SealedText, info=PERSONAL)
    member_count: Mapped[int | None]
    latitude: Mapped[float | None] = mapped_column(Float, info=PERSONAL)
    longitude: Mapped[float | None] = mapped_column(Float, info=PERSONAL)
    needs: Mapped[str | None] = mapped_column(Text, info=PERSONAL)
    note: Mapped[str | None] = mapped_column(Text, info=PERSONAL)
    # The dialog's pointer into the stored answers (question, member, problem) and its flags.
    dialog_state: Mapped[str | None] = mapped_column(String(40))
    dialog_member: Mapped[int] = mapped_column(Integer, default=0)
    dialog_problem: Mapped[str] = mapped_column(String(16), default="")
    dialog_tries: Mapped[int] = mapped_column(Integer, default=0)
    dialog_editing: Mapped[bool] = mapped_column(default=False)
    dialog_confirm_cancel: Mapped[bool] = mapped_column(default=False)
    # Re-X-ray (thaiqm-form.md §3): how the record came, whether the household is still there
    # (a HouseholdPresence), where its revisit stands (a RexrayStatus; None: not to revisit),
    # and its place in the volunteer's walk through the community (the file's order).
    origin: Mapped[str] = mapped_column(String(16), default=HouseholdOrigin.SURVEYED, server_default=HouseholdOrigin.SURVEYED)
    presence: Mapped[str | None] = mapped_column(String(16))
    rexray_status: Mapped[str | None] = mapped_column(String(16))
    walk_order: Mapped[int | None]
    rexray_at: Mapped[datetime | None]
    # The supervisor's approval of the submitted survey or Re-X-ray (an ApprovalStatus; None:
    # nothing submitted to approve), who approved or sent it back, when, and the note sent back.
    approval: Mapped[str | None] = mapped_column(String(16))
    approved_by: Mapped[int | None] = mapped_column(ForeignKey("people.id"))
    approved_at: Mapped[datetime | None]
    sent_back_note: Mapped[str | None] = mapped_column(Text, info=PERSONAL)
    # A Re-X-ray visit's own record (its answers, pointer and receipt, on the rexray form): the
    # earlier round's household it revisits. None for every household's survey record.
    revisit_of: Mapped[int | None] = mapped_column(ForeignKey("households.id"), index=True)

    @validates("head_national_id")
    def _hash_head_national_id(self, _key: str, value: str | None) -> str | None:
        """Keep the lookup hash beside the sealed ID."""
        self.head_national_id_hash = lookup_hash(value)
        return value


class InviteCode(Base):
    """A registration code bound to a role and an area, with an expiry and a number of uses."""

    __tablename__ = "invite_codes"

    id: Mapped[int] = mapped_column(primary_key=True)
    # Only the keyed hash of the normalized code (upper-case, no separators) is stored; the
    # plain code exists in memory just after creation, to be shown once as XXXX-XXXX.
    code_hash: Mapped[str] = mapped_column(String(80), unique=True)
    role: Mapped[str] = mapped_column(String(16))
    municipality_id: Mapped[int] = mapped_column(ForeignKey("municipalities.id"))
    # None: the whole municipality (a volunteer then picks a community).
    community_id: Mapped[int | None] = mapped_column(ForeignKey("communities.id"))
    # None when made with the CLI by the municipal IT officer.
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("people.id"))
    expires_at: Mapped[datetime]
    max_uses: Mapped[int] = mapped_column(Integer, default=1)
    uses: Mapped[int] = mapped_column(Integer, default=0)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)

    # The plain code, in memory only: set it to store its hash; it reads None once loaded again.
    _plain_code = None  # not mapped: no annotation

    @property
    def code(self) -> str | None:
        """The plain code, known only to the request that made it."""
        return self._plain_code

    @code.setter
    def code(self, plain: str) -> None:
        self._plain_code = plain
        self.code_hash = lookup_hash(plain)  # type: ignore[assignment]


class RegistrationGuard(Base):
    """Wrong invite codes per LINE user: in the database so a lockout survives restarts and spans workers."""

    __tablename__ = "registration_guards"

    line_user_id: Mapped[int] = mapped_column(ForeignKey("line_users.id"), primary_key=True)
    failures: Mapped[int] = mapped_column(Integer, default=0)
    locked_until: Mapped[datetime | None]


class RegistrationDraft(Base):
    """The answers of a registration in progress (deleted when done); its step is the user's conversation."""

    __tablename__ = "registration_drafts"

    line_user_id: Mapped[int] = mapped_column(ForeignKey("line_users.id"), primary_key=True)
    invite_code_id: Mapped[int | None] = mapped_column(ForeignKey("invite_codes.id"))
    full_name: Mapped[str | None] = mapped_column(String(200))
    phone: Mapped[str | None] = mapped_column(SealedText)
    volunteer_type: Mapped[str | None] = mapped_column(String(16))
    community_id: Mapped[int | None] = mapped_column(ForeignKey("communities.id"))
    updated_at: Mapped[datetime] = mapped_column(default=utcnow)


class AuditEntry(Base):
    """Who did what to whom, when: ids only, never names, phones or answers."""

    __tablename__ = "audit_log"
    __table_args__ = (Index("ix_audit_log_subject", "subject_person_id", "at"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    at: Mapped[datetime] = mapped_column(default=utcnow)
    # e.g. "register", "invite.create", "household.reassign", "person.deactivate", "role.change"
    action: Mapped[str] = mapped_column(String(32))
    # None when done from the CLI (the server operator).
    actor_person_id: Mapped[int | None] = mapped_column(ForeignKey("people.id"))
    subject_person_id: Mapped[int | None] = mapped_column(ForeignKey("people.id"))
    household_id: Mapped[int | None] = mapped_column(ForeignKey("households.id"))
    # Further ids (invite code, previous volunteer, new role): never personal data.
    details: Mapped[dict | None] = mapped_column(JSON)


class RichMenu(Base):
    """The LINE rich menu made for each role by `thaiqm-bot richmenu`, linked to users at registration."""

    __tablename__ = "rich_menus"

    role: Mapped[str] = mapped_column(String(16), primary_key=True)
    line_rich_menu_id: Mapped[str] = mapped_column(String(64))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)


class Conversation(Base):
    """Where a LINE user is in the chat: which dialog, which step of it, which draft (dialog None: none)."""

    __tablename__ = "conversations"
    # "Take this draft out of every hand" looks rows up by dialog and draft.
    __table_args__ = (Index("ix_conversations_dialog_draft", "dialog", "draft_id"),)

    line_user_id: Mapped[int] = mapped_column(ForeignKey("line_users.id"), primary_key=True)
    dialog: Mapped[str | None] = mapped_column(String(24))
    # Where in the dialog, for a dialog that keeps its step here (registration); the survey keeps
    # its pointer on the household row, so a paused draft resumes where it stood.
    step: Mapped[str | None] = mapped_column(String(40))
    # The dialog's draft: a household for the survey; none for registration (its draft is per user).
    draft_id: Mapped[int | None]
    updated_at: Mapped[datetime] = mapped_column(default=utcnow)


# The answers' tables and Re-X-ray's history of problem statuses live in their own modules;
# imported here so that every user of the models (Alembic, the tests' schema) has their tables
# and finds them under storage.models.
from storage.answer_models import AnswerChange, DuplicateNote, HouseholdMember, HouseholdProblem, SurveyAnswer  # noqa: E402,F401
from storage.problem_history import ProblemHistory  # noqa: E402,F401
from storage.confirmation_models import ConfirmationCode, ConfirmationGuard, ConfirmationWitness, HouseholdLink, ProblemConfirmation  # noqa: E402,F401
from storage.push_records import PushRecord  # noqa: E402,F401
from storage.counter_models import HouseholdCount, ProblemCount  # noqa: E402,F401
from storage.export_files import ExportFile  # noqa: E402,F401
