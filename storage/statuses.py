"""Every status the database stores, in one place: StrEnums, so the stored values stay these strings."""

from __future__ import annotations

import enum


class HouseholdStatus(enum.StrEnum):
    """Where a household's record is (households.status)."""

    DRAFT = "draft"  # being surveyed
    SUBMITTED = "submitted"  # counted; a correction keeps it submitted
    REFUSED = "refused"  # no consent: only area, date and volunteer stay
    CANCELLED = "cancelled"  # the volunteer dropped the draft


# Records still in someone's hand: a duplicate of one of these is worth a warning.
OPEN_HOUSEHOLD_STATUSES = (HouseholdStatus.DRAFT, HouseholdStatus.SUBMITTED)


class OutboxStatus(enum.StrEnum):
    """What became of a queued message (outbox.status)."""

    PENDING = "pending"  # not taken by LINE yet: the worker pushes it again
    SENT = "sent"
    UNCERTAIN = "uncertain"  # may have reached LINE: never resent (a reply has no retry key)
    FAILED = "failed"  # LINE refused it, or it grew too old to send


class ProblemStatus(enum.StrEnum):
    """A household problem's standing (household_problems.status); Re-X-ray will add more."""

    FOUND = "found"


class EventOutcome(enum.StrEnum):
    """How a webhook event's handling ended (processed_events.outcome)."""

    OK = "ok"
    FAILED = "failed"  # its handler raised: a redelivery is not handled again


class InviteProblem(enum.StrEnum):
    """Why an invite code can no longer register anyone (worked out, not stored)."""

    EXPIRED = "expired"
    USED_UP = "used_up"
