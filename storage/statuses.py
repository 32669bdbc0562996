"""Every status the database stores, in one place: StrEnums, so the stored values stay these strings."""

from __future__ import annotations

import enum


class HouseholdStatus(enum.StrEnum):
    """Where a household's record is (households.status)."""

    DRAFT = "draft"  # being surveyed
    SUBMITTED = "submitted"  # counted; a correction keeps it submitted
    REFUSED = "refused"  # no consent: only area, date and volunteer stay
    CANCELLED = "cancelled"  # the volunteer dropped the draft
    IMPORTED = "imported"  # an earlier round's record read from a file: counted there, by nobody here
    VERIFIED = "verified"  # a Re-X-ray visit's record, done: its results are on the household it revisited


# Records still in someone's hand: a duplicate of one of these is worth a warning.
OPEN_HOUSEHOLD_STATUSES = (HouseholdStatus.DRAFT, HouseholdStatus.SUBMITTED)


class OutboxStatus(enum.StrEnum):
    """What became of a queued message (outbox.status)."""

    PENDING = "pending"  # not taken by LINE yet: the worker pushes it again
    SENT = "sent"
    UNCERTAIN = "uncertain"  # may have reached LINE: never resent (a reply has no retry key)
    FAILED = "failed"  # LINE refused it, or it grew too old to send


class ProblemStatus(enum.StrEnum):
    """A household problem's standing (household_problems.status), as ThaiQM counts it (thaiqm-form.md §3)."""

    FOUND = "found"  # recorded at a survey, not checked since
    HELPED = "helped"  # ช่วยเหลือแล้ว (แก้ไขแล้ว)
    SELF_RESOLVED = "self_resolved"  # แก้ไขได้ด้วยตนเอง
    IN_PROGRESS = "in_progress"  # อยู่ระหว่างดำเนินการ
    NOT_RESOLVED = "not_resolved"  # ยังไม่ได้รับการแก้ไข
    NOT_APPLICABLE = "not_applicable"  # ไม่พบปัญหานี้แล้ว / ข้อมูลเดิมคลาดเคลื่อน


# What a Re-X-ray visit may set a problem to (FOUND is only where a survey starts it).
CHECKED_PROBLEM_STATUSES = tuple(s for s in ProblemStatus if s is not ProblemStatus.FOUND)
# Statuses that leave work to do: the volunteer writes what is next (thaiqm-form.md §3).
PROBLEM_STATUSES_NEEDING_NOTE = (ProblemStatus.IN_PROGRESS, ProblemStatus.NOT_RESOLVED)


class ProblemChange(enum.StrEnum):
    """What changed a problem's status (problem_history.via)."""

    IMPORT = "import"  # a round's file (thaiqm-bot import-round)
    REXRAY = "rexray"  # a volunteer's Re-X-ray visit
    SURVEY = "survey"  # found at a survey
    HOUSEHOLD = "household"  # the household's own answer (confirmed, or not solved after all)
    SUPERVISOR = "supervisor"  # a supervisor updated it


class PartnerNetwork(enum.StrEnum):
    """The 7 partner networks (ภาคีเครือข่าย) that help solve a problem (household_problems.partners)."""

    GOVERNMENT = "government"  # ภาครัฐ
    ACADEMIC = "academic"  # นักวิชาการ
    RELIGIOUS = "religious"  # ภาคศาสนา
    PRIVATE = "private"  # ภาคเอกชน
    CITIZENS = "citizens"  # ภาคประชาชน
    CIVIL_SOCIETY = "civil_society"  # ภาคประชาสังคม
    MEDIA = "media"  # ภาคสื่อมวลชน


class HelpKind(enum.StrEnum):
    """The kind of help a problem received (household_problems.help_kinds)."""

    MONEY = "money"  # เงินช่วยเหลือ
    GOODS = "goods"  # สิ่งของ/ถุงยังชีพ
    HOUSING = "housing"  # ซ่อมแซม/สร้างบ้าน
    TRAINING = "training"  # ฝึกอาชีพ/ทุนประกอบอาชีพ
    RIGHTS = "rights"  # สิทธิ/เอกสาร/บัตร
    TREATMENT = "treatment"  # ส่งต่อการรักษา
    SCHOLARSHIP = "scholarship"  # ทุนการศึกษา
    OTHER = "other_help"  # อื่นๆ


class HouseholdPresence(enum.StrEnum):
    """Whether a household revisited at Re-X-ray is still there (households.presence)."""

    PRESENT = "present"  # อยู่
    MOVED = "moved"  # ย้ายออก
    NOT_FOUND = "not_found"  # ไม่พบครัวเรือน
    DECEASED_ALL = "deceased_all"  # ไม่มีผู้อาศัยแล้ว


class HouseholdOrigin(enum.StrEnum):
    """How a household's record came to be (households.origin)."""

    SURVEYED = "surveyed"  # surveyed in the chat in its round
    IMPORTED = "imported"  # an earlier round's record, read from a file
    MISSED = "missed"  # ตกหล่น: missed by the earlier round, surveyed at Re-X-ray
    NEW = "new"  # newly distressed, surveyed at Re-X-ray


class RexrayStatus(enum.StrEnum):
    """Where a household's Re-X-ray stands (households.rexray_status; None: not to be revisited)."""

    PENDING = "pending"  # on a volunteer's worklist, not visited
    STARTED = "started"  # the visit's answers are being given
    DONE = "done"  # every recorded problem checked (or the household is gone): verified


class ApprovalStatus(enum.StrEnum):
    """A submitted survey's or Re-X-ray's standing with the area's supervisor (households.approval; None: nothing to approve)."""

    AWAITING = "awaiting"  # submitted (again): waits for a supervisor
    APPROVED = "approved"  # a supervisor approved it: exported by default
    SENT_BACK = "sent_back"  # a supervisor sent it back with a note: the volunteer corrects it


class EventOutcome(enum.StrEnum):
    """How a webhook event's handling ended (processed_events.outcome)."""

    OK = "ok"
    FAILED = "failed"  # its handler raised: a redelivery is not handled again


class InviteProblem(enum.StrEnum):
    """Why an invite code can no longer register anyone (worked out, not stored)."""

    EXPIRED = "expired"
    USED_UP = "used_up"


class ConfirmationAnswer(enum.StrEnum):
    """A household's answer on a claimed-resolved problem (problem_confirmations.answer)."""

    CONFIRMED = "confirmed"  # ยืนยันว่าแก้ไขแล้ว
    NOT_RESOLVED = "not_resolved"  # ยังไม่ได้แก้ไข: the problem is reopened


# Statuses a volunteer or supervisor sets that the household is asked to confirm.
CLAIMED_RESOLVED = (ProblemStatus.HELPED, ProblemStatus.SELF_RESOLVED)


class ExportFileStatus(enum.StrEnum):
    """Where a supervisor's chat export is (export_files.status)."""

    WAITING = "waiting"  # asked for, not taken by a job yet
    BUILDING = "building"  # a job is writing it (claimed_at says since when)
    READY = "ready"  # stored and its link pushed; kept until expires_at
    FAILED = "failed"  # the job failed (the supervisor was told) or found nothing to write
