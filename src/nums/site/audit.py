"""The audit trail: append-only, "who, when, what, and the fingerprints before and after" (issue 23).

"An append-only audit trail records every change of state, every save of a submission or review,
every decision, invoice, role change, sign-in failure and mail sent [...] exported as CSV [...] and
kept when a programme is withdrawn. Nothing in the app can rewrite it."

``record`` is the only writer; there is no function that changes or removes an event, the ORM
refuses it (``records._frozen``) and so do the database's triggers (migration 0002).
"""

from __future__ import annotations

import csv
import io
import json
from collections.abc import Iterable, Sequence
from datetime import date, datetime, time
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from nums import policy
from nums.escaping import csv_cell
from nums.site import db as tables
from nums.site.records import AuditEvent

CSV_COLUMNS = ("id", "at", "actor", "what", "programme", "before", "after", "detail")

# what an event says happened (the `what` column)
STATE_CHANGED = "state changed"
MAIL_SENT = "mail sent"
MAIL_NOT_SENT = "mail not sent"
INVOICE_RECORDED = "invoice recorded"
INVOICE_PAID = "invoice paid"
REQUEST_ANSWERED = "evidence request answered"
AWARD_RECORDED = "award recorded"
REMINDER_SENT = "reminder sent"


def record(
    db: Session,
    actor: policy.Person | str,
    what: str,
    programme: str | None = None,
    before: str | None = None,
    after: str | None = None,
    at: datetime | None = None,
    **detail: Any,
) -> AuditEvent:
    """Append one event in the caller's transaction: it is kept exactly when the change it records is."""
    event = AuditEvent(
        at=at or tables.now(),
        actor=actor if isinstance(actor, str) else actor.email,
        what=what,
        programme=programme,
        before=before,
        after=after,
        detail=json.dumps(detail, sort_keys=True, default=str, ensure_ascii=False),
    )
    db.add(event)
    db.flush()
    return event


def events(db: Session, programme: str | None = None, since: date | None = None) -> list[AuditEvent]:
    """The trail, oldest first: all of it, one programme's, or from a day on (that day included)."""
    query = select(AuditEvent).order_by(AuditEvent.id)
    if programme is not None:
        query = query.where(AuditEvent.programme == programme)
    if since is not None:
        query = query.where(AuditEvent.at >= datetime.combine(since, time.min, tzinfo=tables.now().tzinfo))
    return list(db.scalars(query))


def visible_to(person: policy.Person, found: Iterable[AuditEvent]) -> list[AuditEvent]:
    """The events ``person`` may see: those of programmes the policy lets them see the trail of
    (an admin's: all, the site's own events too)."""
    shown = []
    for event in found:
        if event.programme is None:
            if policy.can(person, policy.Action.VIEW_AUDIT, policy.SITE):
                shown.append(event)
            continue
        institution, _, rest = event.programme.partition("/")
        if policy.can(person, policy.Action.VIEW_AUDIT, policy.Programme(institution, rest)):
            shown.append(event)
    return shown


def as_csv(found: Sequence[AuditEvent]) -> str:
    """The events as CSV, a header line first; moments in UTC, ISO 8601. Every cell goes through
    ``escaping.csv_cell``, as the portfolio's CSV does: a programme, a name or a note an applicant
    chose is never read by a spreadsheet as a formula."""
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(CSV_COLUMNS)
    for e in found:
        cells = (e.id, e.at.isoformat(), e.actor, e.what, e.programme, e.before, e.after, e.detail)
        writer.writerow([csv_cell(cell) for cell in cells])  # a name starting "=" stays text
    return out.getvalue()
