"""The journey's tables (issue 23): applications, their frozen snapshots, requests for evidence,
invoices, the append-only audit trail and the reminders sent. Made by migration 0002; the
programmes' lock rows and "one open application per programme" by 0003.

A snapshot and an audit event are never changed once written: the ORM refuses an update or a
delete of either (``_frozen``), and the migration adds database triggers that refuse them too, so
not even a hand-written SQL statement through the app's connection rewrites the trail.
"""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

from sqlalchemy import Date, ForeignKey, Index, Integer, String, Text, UniqueConstraint, event, text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from nums.site.db import Base, UTCDateTime

PROGRAMME_ID = 300  # "INSTITUTION/PROGRAMME", as memberships hold it

OPEN_APPLICATION = text("state IN ('submitted', 'in review', 'evidence requested', 'resubmitted')")
"""An application not yet decided nor withdrawn (``states.OPEN``; a test holds the two together):
a programme has at most one, which the database itself keeps (``uq_applications_open``)."""


class Application(Base):
    """One application of a programme, from its submission to its decision or withdrawal."""

    __tablename__ = "applications"
    __table_args__ = (
        Index(
            "uq_applications_open",
            "programme",
            unique=True,
            sqlite_where=OPEN_APPLICATION,
            postgresql_where=OPEN_APPLICATION,
        ),
    )
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    programme: Mapped[str] = mapped_column(String(PROGRAMME_ID), index=True)
    state: Mapped[str] = mapped_column(String(30))
    since: Mapped[datetime] = mapped_column(UTCDateTime())
    assessor_id: Mapped[int | None] = mapped_column(
        ForeignKey("people.id", ondelete="SET NULL"), nullable=True
    )
    outcome: Mapped[str | None] = mapped_column(String(40), nullable=True)  # the level awarded, or "none"
    awarded: Mapped[date | None] = mapped_column(
        Date, nullable=True
    )  # the award's first day, as the review dates it
    letter: Mapped[str | None] = mapped_column(String(300), nullable=True)  # in the site folder
    quote_json: Mapped[str] = mapped_column(Text, default="null")
    snapshots: Mapped[list[Snapshot]] = relationship(order_by="Snapshot.number", viewonly=True)
    requests: Mapped[list[EvidenceRequestRow]] = relationship(order_by="EvidenceRequestRow.id", viewonly=True)


class ProgrammeLock(Base):
    """A programme's lock: the row every step of its journey locks first (``journey.lock``), so two
    steps of one programme at the same moment run one after the other and the second sees what the
    first did. Made on a programme's first step; it holds nothing else."""

    __tablename__ = "programme_locks"
    programme: Mapped[str] = mapped_column(String(PROGRAMME_ID), primary_key=True)


class Snapshot(Base):
    """A submission as it was submitted: frozen, and what the assessor reviews.

    ``sha256`` is the submission document's fingerprint (``fingerprint.fingerprints``, the one a
    review records); ``source`` its bytes as they were; ``items_json`` each criterion's claim with
    its evidence and their SHA-256 (what "what changed" compares); ``assessment_json`` the
    assessment then. The evidence files themselves are kept by hash in the site folder."""

    __tablename__ = "snapshots"
    __table_args__ = (UniqueConstraint("application_id", "number", name="uq_snapshots_number"),)
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    application_id: Mapped[int] = mapped_column(
        ForeignKey("applications.id", ondelete="RESTRICT"), index=True
    )
    number: Mapped[int] = mapped_column(Integer)
    created: Mapped[datetime] = mapped_column(UTCDateTime())
    sha256: Mapped[str] = mapped_column(String(64))
    source_sha256: Mapped[str] = mapped_column(String(64))
    source: Mapped[str] = mapped_column(Text)
    items_json: Mapped[str] = mapped_column(Text)
    assessment_json: Mapped[str] = mapped_column(Text)


class EvidenceRequestRow(Base):
    """A criterion the assessor wants more evidence for: their words, the day it is due, the answer."""

    __tablename__ = "evidence_requests"
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    application_id: Mapped[int] = mapped_column(
        ForeignKey("applications.id", ondelete="RESTRICT"), index=True
    )
    snapshot_id: Mapped[int] = mapped_column(ForeignKey("snapshots.id", ondelete="RESTRICT"))
    criterion: Mapped[str] = mapped_column(String(100))
    message: Mapped[str] = mapped_column(Text)
    created: Mapped[datetime] = mapped_column(UTCDateTime())
    due: Mapped[date] = mapped_column(Date)
    answered: Mapped[datetime | None] = mapped_column(UTCDateTime(), nullable=True)
    answer_note: Mapped[str] = mapped_column(Text, default="")
    closed: Mapped[bool] = mapped_column(default=False)  # the resubmission that carried it went in


class Invoice(Base):
    """The invoice finance records for an application: a sequential number, VAT, a due date."""

    __tablename__ = "invoices"
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    number: Mapped[int] = mapped_column(Integer, unique=True)
    application_id: Mapped[int] = mapped_column(
        ForeignKey("applications.id", ondelete="RESTRICT"), unique=True
    )
    currency: Mapped[str] = mapped_column(String(3))
    net: Mapped[str] = mapped_column(String(20))  # decimal amounts as text: exact on every database
    vat_rate: Mapped[str] = mapped_column(String(10))
    vat: Mapped[str] = mapped_column(String(20))
    total: Mapped[str] = mapped_column(String(20))
    issued: Mapped[date] = mapped_column(Date)
    due: Mapped[date] = mapped_column(Date)
    paid: Mapped[date | None] = mapped_column(Date, nullable=True)
    recorded_by: Mapped[int | None] = mapped_column(
        ForeignKey("people.id", ondelete="SET NULL"), nullable=True
    )


class AuditEvent(Base):
    """One thing that happened: who, when, what, to which programme, fingerprints before and after.

    ``actor`` is the email as it was (kept when the account goes); ``detail`` JSON."""

    __tablename__ = "audit_events"
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    at: Mapped[datetime] = mapped_column(UTCDateTime(), index=True)
    actor: Mapped[str] = mapped_column(String(320))
    what: Mapped[str] = mapped_column(String(60))
    programme: Mapped[str | None] = mapped_column(String(PROGRAMME_ID), nullable=True, index=True)
    before: Mapped[str | None] = mapped_column(String(64), nullable=True)
    after: Mapped[str | None] = mapped_column(String(64), nullable=True)
    detail: Mapped[str] = mapped_column(Text, default="{}")


class ReminderSent(Base):
    """A reminder that an award lapses, sent once: the award (programme, level, first day) and which
    reminder (days before the lapse). The unique key is what makes ``nums site remind`` idempotent."""

    __tablename__ = "reminders_sent"
    __table_args__ = (
        UniqueConstraint("programme", "level", "awarded", "days_before", name="uq_reminders_sent_award"),
    )
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    programme: Mapped[str] = mapped_column(String(PROGRAMME_ID))
    level: Mapped[str] = mapped_column(String(40))
    awarded: Mapped[date] = mapped_column(Date)
    days_before: Mapped[int] = mapped_column(Integer)
    lapses: Mapped[date] = mapped_column(Date)
    sent: Mapped[datetime] = mapped_column(UTCDateTime())
    recipients: Mapped[str] = mapped_column(Text)


class FrozenRecord(Exception):
    """An attempt to change what is kept as it was: a snapshot, or the audit trail."""


def _frozen(mapper: Any, connection: Any, target: Any) -> None:
    raise FrozenRecord(f"{type(target).__tablename__} is append-only: a row, once written, is never changed")


for _model in (AuditEvent, Snapshot):
    event.listen(_model, "before_update", _frozen)
    event.listen(_model, "before_delete", _frozen)

APPEND_ONLY = ("audit_events", "snapshots")
"""The tables the migration guards with triggers as well."""
