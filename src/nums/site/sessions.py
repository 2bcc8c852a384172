"""Signed-in sessions kept on the server, and the CSRF token each one carries.

A session id is 32 random bytes (``secrets``), sent once in the cookie and stored only as its
SHA-256: a copy of the database signs no one in. Every sign-in makes a new id (an id planted in a
browser before sign-in is never the one that is signed in: no session fixation). A session ends
when it has been idle too long, when it is too old whatever its use, when the person signs out,
and everywhere at once when their password changes or their account is disabled.

The CSRF token of a session is an HMAC of its id with the site's secret (``site.secret``, made by
``nums site init``, readable by its owner only): nothing more is stored, a page can print it in
every form, and the web app checks it on every cookie-authenticated write.
"""

from __future__ import annotations

import hashlib
import hmac
import secrets
from datetime import datetime, timedelta
from pathlib import Path

from sqlalchemy import Connection, bindparam, delete, select, update
from sqlalchemy.orm import Session, joinedload

from nums import policy
from nums.errors import NumsError, Problem
from nums.site import SECRET_FILE
from nums.site import db as tables

IDLE_LIFETIME = timedelta(hours=2)
"""A session unused this long is over: long enough to write a criterion's evidence with the page
open, short enough that a browser left signed in on a shared computer closes by the next lesson."""

ABSOLUTE_LIFETIME = timedelta(hours=12)
"""A session this old is over however much it is used: a working day; every morning signs in anew."""

TOUCH_INTERVAL = timedelta(minutes=1)
"""``last_seen`` is written at most this often, so reading pages is not a database write each time;
the idle lifetime is therefore kept to within a minute."""

SESSION_ID_BYTES = 32
"""Random bytes in a session id (256 bits): guessing one is out of reach."""

SECRET_BYTES = 32


def digest(value: str) -> str:
    """What the database keeps of a session id or one-time token: its SHA-256, in hex."""
    return hashlib.sha256(value.encode("utf-8")).hexdigest()


def start(db: Session, person_id: int, now: datetime | None = None) -> str:
    """A new session for the person; the id returned is the cookie's value and is stored nowhere."""
    moment = now or tables.now()
    session_id = secrets.token_urlsafe(SESSION_ID_BYTES)
    db.add(
        tables.SignInSession(
            id_hash=digest(session_id), person_id=person_id, created=moment, last_seen=moment
        )
    )
    db.flush()
    return session_id


def person_for(db: Session, session_id: str | None, now: datetime | None = None) -> tables.Person | None:
    """The person a cookie's session id belongs to, or None: unknown, over, or their account disabled.

    A session found to be over is deleted, so it cannot be brought back by a later clock."""
    if not session_id:
        return None
    found = _session_and_person(db, session_id)
    if found is None:
        return None
    row, person = found
    if not _still_live(db, session_id, row.created, row.last_seen, now or tables.now()) or person.disabled:
        return None
    return person


def policy_person_for(
    db: Session | Connection, session_id: str | None, now: datetime | None = None
) -> policy.Person | None:
    """``person_for`` as the policy sees the person, asked of the database in one plain query
    (no ORM objects made): what every request of a signed-in person costs, so kept small (about
    a third of the time ``person_for`` and ``accounts.as_policy_person`` took together)."""
    if not session_id:
        return None
    rows = db.execute(_WHO.params(id_hash=digest(session_id))).all()
    if not rows:
        return None
    first = rows[0]
    if not _still_live(db, session_id, first.created, first.last_seen, now or tables.now()) or first.disabled:
        return None
    held = [(row.role, row.programme) for row in rows if row.role is not None]
    return policy.person_from(first.person_id, first.email, first.name, first.slug, held)


_WHO = (
    select(
        tables.SignInSession.created,
        tables.SignInSession.last_seen,
        tables.Person.id.label("person_id"),
        tables.Person.email,
        tables.Person.name,
        tables.Person.disabled,
        tables.Institution.slug,
        tables.Membership.role,
        tables.Membership.programme,
    )
    .select_from(tables.SignInSession)
    .join(tables.Person, tables.Person.id == tables.SignInSession.person_id)
    .outerjoin(tables.Institution, tables.Institution.id == tables.Person.institution_id)
    .outerjoin(tables.Membership, tables.Membership.person_id == tables.Person.id)
    .where(tables.SignInSession.id_hash == bindparam("id_hash"))
)
"""A session, its person, their institution and one row per role they hold (a person with no
role yet has one row, its role None). Made once: SQLAlchemy keeps its compiled form."""


def _still_live(
    db: Session | Connection, session_id: str, created: datetime, last_seen: datetime, moment: datetime
) -> bool:
    """Whether a session is within its idle and absolute lifetimes at ``moment``; one that is not
    is deleted, and one in use has its ``last_seen`` written (at most every ``TOUCH_INTERVAL``)."""
    where = tables.SignInSession.id_hash == digest(session_id)
    if moment - last_seen > IDLE_LIFETIME or moment - created > ABSOLUTE_LIFETIME:
        db.execute(delete(tables.SignInSession).where(where))
        return False
    if moment - last_seen >= TOUCH_INTERVAL:
        db.execute(update(tables.SignInSession).where(where).values(last_seen=moment))
    return True


def _session_and_person(db: Session, session_id: str) -> tuple[tables.SignInSession, tables.Person] | None:
    """The session row and its person, with the person's institution and roles, in one query."""
    query = (
        select(tables.SignInSession, tables.Person)
        .join(tables.Person, tables.Person.id == tables.SignInSession.person_id)
        .where(tables.SignInSession.id_hash == digest(session_id))
        .options(joinedload(tables.Person.institution), joinedload(tables.Person.memberships))
    )
    found = db.execute(query).unique().first()
    return None if found is None else (found[0], found[1])


def end(db: Session, session_id: str) -> None:
    """Sign out: this session only."""
    db.execute(delete(tables.SignInSession).where(tables.SignInSession.id_hash == digest(session_id)))
    db.flush()


def end_all(db: Session, person_id: int, keep: str | None = None) -> int:
    """End every session of the person (but ``keep``, when given); how many ended."""
    query = delete(tables.SignInSession).where(tables.SignInSession.person_id == person_id)
    if keep is not None:
        query = query.where(tables.SignInSession.id_hash != digest(keep))
    ended = db.execute(query).rowcount
    db.flush()
    return ended or 0


def count_for(db: Session, person_id: int) -> int:
    rows = db.scalars(select(tables.SignInSession.id_hash).where(tables.SignInSession.person_id == person_id))
    return len(list(rows))


def end_expired(db: Session, now: datetime | None = None) -> int:
    """Delete every session that is over (idle or too old): housekeeping, safe to run at any time."""
    moment = now or tables.now()
    query = delete(tables.SignInSession).where(
        (tables.SignInSession.last_seen < moment - IDLE_LIFETIME)
        | (tables.SignInSession.created < moment - ABSOLUTE_LIFETIME)
    )
    ended = db.execute(query).rowcount
    db.flush()
    return ended or 0


# --- CSRF --------------------------------------------------------------------------------------


def make_secret(folder: Path) -> None:
    """Write the site's secret (``site.secret``, mode 0600); refused if one is there."""
    from nums.writing import write_bytes_atomically

    write_bytes_atomically(
        folder / SECRET_FILE, secrets.token_bytes(SECRET_BYTES), exclusive=True, mode=0o600
    )


def read_secret(folder: Path) -> bytes:
    path = folder / SECRET_FILE
    try:
        secret = path.read_bytes()
    except OSError as exc:
        raise NumsError(
            Problem(f"the site's secret cannot be read: {exc.strerror or exc}", file=str(path))
        ) from None
    if len(secret) < SECRET_BYTES:
        raise NumsError(Problem(f"the site's secret is shorter than {SECRET_BYTES} bytes", file=str(path)))
    return secret


def csrf_token(secret: bytes, session_id: str) -> str:
    """The token a form of this session carries."""
    return hmac.new(secret, b"csrf:" + session_id.encode("utf-8"), hashlib.sha256).hexdigest()


def csrf_ok(secret: bytes, session_id: str, token: str | None) -> bool:
    """Whether a write brings its session's token (compared in constant time)."""
    if not token:
        return False
    expected = csrf_token(secret, session_id).encode("ascii")
    return hmac.compare_digest(expected, token.encode("utf-8", "surrogatepass"))
