"""Mail a step of the journey sends, sent once the step is committed (issue 23's "told in time").

A step's messages are composed in its transaction and kept with its database session
(``queue``); ``OpenSite.transaction`` hands them to ``deliver`` after the commit, after the
step's slow follow-ups (``then``: a decision's letter and award). So nobody is
told of a step that did not happen (a step that fails or is refused sends nothing), a slow or
refusing mail server never holds the step's transaction open (on SQLite, the whole database's
write lock) nor undoes a step already made, and how each message went is an audit event of its
own: "mail sent", or "mail not sent" with the reason ("every [...] mail sent" is in the trail,
and so is every one that was not). The people's pages deliver alike (``people._deliver``).
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from contextlib import AbstractContextManager
from dataclasses import dataclass
from datetime import datetime
from email.message import EmailMessage

from sqlalchemy.orm import Session

from nums.errors import NumsError
from nums.site import audit, mail
from nums.site.settings import SiteSettings

log = logging.getLogger(__name__)

OUTBOX = "nums.outbox"
"""Where a session keeps its step's messages (``Session.info``), until it is committed."""
THEN = "nums.then"
"""Where a session keeps what its step does once committed (``then``), before its mail."""


@dataclass(frozen=True)
class Queued:
    """One message of a step: who made the step, about which programme, when, and the page
    link the log shows where mail is not set up."""

    message: EmailMessage
    actor: str
    programme: str | None
    at: datetime
    kind: str
    shown_link: str | None = None
    detail: tuple[tuple[str, str], ...] = ()  # more the audit event names (whose trail it is in)


def queue(db: Session, queued: Queued) -> None:
    """Keep ``queued`` with the step's session: sent after its commit, never if it rolls back."""
    db.info.setdefault(OUTBOX, []).append(queued)


def taken(db: Session) -> list[Queued]:
    """The session's messages, taken out of it (each is delivered once)."""
    return db.info.pop(OUTBOX, [])


def then(db: Session, job: Callable[[], None]) -> None:
    """Run ``job`` once the step's session is committed, before its mail goes (never if it rolls
    back): the slow part of a step that must not hold its transaction open, such as laying out
    a decision's letter and certificate. A job records its own outcome in a transaction of its
    own; one that fails is logged and the next still runs."""
    db.info.setdefault(THEN, []).append(job)


def run_jobs(db: Session) -> None:
    """The committed session's jobs, each once, in the order the step asked for them."""
    for job in db.info.pop(THEN, []):
        try:
            job()
        except Exception:  # a job's failure is its own: the step is made, and the rest still run
            log.exception("a step's follow-up failed after its commit")


def deliver(
    settings: SiteSettings, found: list[Queued], transaction: Callable[[], AbstractContextManager[Session]]
) -> None:
    """Send each message, and record how it went in a transaction of its own. A mail server
    that refuses is logged and recorded, never raised: the step it announces is made."""
    for queued in found:
        problem = None
        try:
            sent = mail.send(settings, queued.message, shown_link=queued.shown_link)
        except NumsError as exc:
            log.warning("%s", exc)
            sent, problem = False, "; ".join(p.message for p in exc.problems)
        try:
            with transaction() as db:
                _record(db, queued, sent, problem)
        except Exception:  # the database gone after the step: the log keeps what happened
            log.exception("how the mail to %s went could not be recorded", queued.message["To"])


def _record(db: Session, queued: Queued, sent: bool, problem: str | None) -> None:
    detail = {
        "to": str(queued.message["To"]),
        "subject": str(queued.message["Subject"]),
        "kind": queued.kind,
        **dict(queued.detail),
    }
    if problem:
        detail["problem"] = problem
    audit.record(
        db,
        queued.actor,
        audit.MAIL_SENT if sent else audit.MAIL_NOT_SENT,
        queued.programme,
        at=queued.at,
        **detail,
    )
