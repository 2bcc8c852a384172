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
from datetime import date, datetime, time, timedelta
from typing import Any

from sqlalchemy import func, or_, select
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
SUBMISSION_SAVED = "submission saved"
REVIEW_SAVED = "review saved"
EVIDENCE_ADDED = "evidence added"
PERSON_ADDED = "person added"
PERSON_INVITED = "person invited"
ROLE_GRANTED = "role granted"
ROLE_REVOKED = "role revoked"
ACCOUNT_DISABLED = "account disabled"
INSTITUTION_ADDED = "institution added"
REGISTRATION_APPROVED = "registration approved"
REGISTRATION_REFUSED = "registration refused"
SIGN_IN_FAILED = "sign-in failed"
RESET_ASKED = "password reset asked for"
RESET_USED = "password reset used"
PASSWORD_CHANGED = "password changed"
INVITATION_ACCEPTED = "invitation accepted"

SITE_ACTOR = "the site"
"""The actor of a change no person asked for by name (a caller that did not say who)."""

ANYONE = "anyone"
"""The actor of what someone not signed in did (a sign-in that failed, a reset asked for): who
they said they were is the event's ``person``, never its actor."""

SUBJECT = "person"
"""The detail key naming the account an event is about (its email, as ``accounts.email_key``
compares it): what a person's trail is found by, with the events they made."""

TYPED_LONGEST = 320
"""Characters kept of an address someone typed (an email's longest): the trail holds what was
tried, not a megabyte of it."""


def command_line() -> str:
    """The actor of a ``nums site`` command: the command line and the system account that ran it
    (the site has no session there; the operating system says who)."""
    import getpass

    try:
        user = getpass.getuser()
    except (KeyError, OSError):  # no name for this uid (a container): the uid will do
        import os

        user = str(os.getuid()) if hasattr(os, "getuid") else "unknown"
    return f"command line ({user})"


def typed(value: str) -> str:
    """Text someone typed, as the trail keeps it: one line, no NUL, at most ``TYPED_LONGEST``
    characters. It is still hostile: the page escapes it, the CSV guards it."""
    cleaned = "".join(c if c.isprintable() else "\ufffd" for c in value.strip())
    return cleaned[:TYPED_LONGEST]


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
    """Append one event in the caller's transaction: it is kept exactly when the change it records is.
    The local person (``policy.LOCAL_PERSON``, what a ``nums site`` command acts as) is recorded
    as ``command_line()``: the system account that ran the command."""
    event = AuditEvent(
        at=at or tables.now(),
        actor=actor if isinstance(actor, str) else command_line() if actor.everything else actor.email,
        what=what,
        programme=programme,
        before=before,
        after=after,
        detail=json.dumps(detail, sort_keys=True, default=str, ensure_ascii=False),
    )
    db.add(event)
    db.flush()
    return event


def events(
    db: Session,
    programme: str | None = None,
    since: date | None = None,
    *,
    until: date | None = None,
    person: str | None = None,
    newest_first: bool = False,
    limit: int | None = None,
    before_id: int | None = None,
) -> list[AuditEvent]:
    """The trail, oldest first (or newest first): all of it, one programme's, one person's (what
    they did and what was done to their account), from a day on and up to a day (both included),
    at most ``limit`` events, those older than event ``before_id`` (the next page)."""
    query = select(AuditEvent).order_by(AuditEvent.id.desc() if newest_first else AuditEvent.id)
    if programme is not None:
        query = query.where(AuditEvent.programme == programme)
    zone = tables.now().tzinfo
    if since is not None:
        query = query.where(AuditEvent.at >= datetime.combine(since, time.min, tzinfo=zone))
    if until is not None:
        query = query.where(
            AuditEvent.at < datetime.combine(until + timedelta(days=1), time.min, tzinfo=zone)
        )
    if before_id is not None:
        query = query.where(AuditEvent.id < before_id)
    if person is None:
        return list(db.scalars(query.limit(limit)))
    key = person_key(person)
    mention = f'"{SUBJECT}": {json.dumps(key, ensure_ascii=False)}'
    query = query.where(
        or_(func.lower(AuditEvent.actor) == key, AuditEvent.detail.contains(mention, autoescape=True))
    )
    found = []
    for event in db.scalars(query):  # the text search narrows; this decides (a note may quote anything)
        if about(event, key):
            found.append(event)
            if limit is not None and len(found) >= limit:
                break
    return found


def person_key(email: str) -> str:
    """An address as a person's trail is found by (``accounts.email_key``'s rule: case folded)."""
    return email.strip().casefold()[:TYPED_LONGEST]


def about(event: AuditEvent, key: str) -> bool:
    """Whether the event is the person's (``key`` a ``person_key``): they made it, or it names
    their account as its ``person``."""
    if event.actor.strip().casefold() == key:
        return True
    try:
        detail = json.loads(event.detail or "{}")
    except ValueError:
        return False
    return isinstance(detail, dict) and detail.get(SUBJECT) == key


def details(event: AuditEvent) -> dict[str, Any]:
    """An event's detail as values (an unreadable one as its text, under ``text``)."""
    try:
        found = json.loads(event.detail or "{}")
    except ValueError:
        return {"text": event.detail}
    return found if isinstance(found, dict) else {"text": event.detail}


def event_json(event: AuditEvent) -> dict[str, Any]:
    """One event as the JSON API answers it (a public contract: fields are added, never renamed)."""
    return {
        "id": event.id,
        "at": event.at.isoformat(),
        "actor": event.actor,
        "what": event.what,
        "programme": event.programme,
        "before": event.before,
        "after": event.after,
        "detail": details(event),
    }


def visible_to(
    person: policy.Person, found: Iterable[AuditEvent], account: str | None = None
) -> list[AuditEvent]:
    """The events ``person`` may see: those of programmes the policy lets them see the trail of
    (an admin's: all, the site's own events too). With ``account`` (an email), the events of that
    person's trail instead (``about``), all of them when the policy lets ``person`` see that
    account's trail (``policy.Account``: an admin any, everyone their own), none otherwise."""
    if account is not None:
        if not policy.can(person, policy.Action.VIEW_AUDIT, policy.Account(account)):
            return []
        key = person_key(account)
        return [event for event in found if about(event, key)]
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


def export(
    db: Session,
    programme: str | None = None,
    since: date | None = None,
    until: date | None = None,
    person: str | None = None,
) -> str:
    """``nums site audit``'s CSV: the whole trail, or the part the filters name, oldest first."""
    return as_csv(events(db, programme, since, until=until, person=person))


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
