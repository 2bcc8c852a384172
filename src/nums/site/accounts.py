"""People and how they sign in: passwords, throttling, invitations, resets, registration.

Done as Django's auth does it, in a few rules:

- Passwords are hashed with Argon2id (``argon2-cffi``'s ``PasswordHasher``, its defaults, which
  follow RFC 9106); a hash made with older parameters is replaced at the next sign-in. A password
  is never logged, never printed, never taken from a command line.
- Signing in never says whether an account exists: a wrong address and a wrong password get the
  same words, take the same work (a hash is checked either way) and count towards the same
  throttle.
- Failures are slowed per account and per address: a few free tries, then a wait that doubles
  with each further failure, up to a ceiling (the numbers below). A refused try is not counted,
  so waiting is always enough; a success clears the account's count.
- Invitations and resets are one-time links: a random token mailed once, stored as its SHA-256,
  good for a day and for one use. A reset is bound to the password it replaces (a digest of its
  hash): once the password has changed, every earlier reset link is dead.
- Disabling an account ends every session it has; changing a password ends every other one.
"""

from __future__ import annotations

import hashlib
import ipaddress
import re
import secrets
from dataclasses import dataclass
from datetime import datetime, timedelta

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from nums import policy
from nums.errors import NumsError, Problem
from nums.site import audit, sessions
from nums.site import db as tables

MIN_PASSWORD_LENGTH = 12
"""Characters in a password, at least: the issue's rule, and NIST SP 800-63B's advice that length,
not required symbols, is what makes a password hard to guess."""

MAX_PASSWORD_LENGTH = 1024
"""Characters in a password, at most: a passphrase fits; a megabyte is not a password."""

TOKEN_LIFETIME = timedelta(days=1)
"""An invitation or reset link works for a day (the issue: "expiring in a day")."""

TOKEN_BYTES = 32
"""Random bytes in a one-time token (256 bits)."""

FREE_TRIES_PER_ACCOUNT = 5
"""Failed sign-ins to one account before any wait: enough for a person's typing slips."""

FREE_TRIES_PER_ADDRESS = 20
"""Failed sign-ins from one address before any wait: higher, because a university's staff may all
come from one address, and one guesser trying many accounts is caught here."""

FIRST_DELAY = timedelta(seconds=2)
"""The wait after the first failure past the free tries; each further failure doubles it."""

MAX_DELAY = timedelta(minutes=15)
"""The longest wait: a guesser gets under a hundred tries a day at most per account, while the
owner locked out by someone else's guessing waits a quarter of an hour (or resets the password)."""

FAILURE_MEMORY = timedelta(days=1)
"""Failures older than this no longer count."""

BAD_SIGN_IN = "the email address or the password is not right"
BAD_LINK = (
    "this link cannot be used: it has been used already, has expired, or was replaced; ask for a new one"
)

HASHER = PasswordHasher()
"""The one password hasher (Argon2id). Its parameters are argon2-cffi's defaults; a hash made with
others is rehashed when its owner next signs in."""


Actor = policy.Person | str
"""Who made a change, for the audit trail: a signed-in person, or words (``audit.command_line()``)."""

UNKNOWN_ACCOUNT, WRONG_PASSWORD, DISABLED, THROTTLED = (
    "unknown account",
    "wrong password",
    "disabled",
    "throttled",
)
"""Why a sign-in failed, as the audit trail says it (the person trying is never told which)."""


class SignInRefused(NumsError):
    """A sign-in that did not succeed; ``retry_after`` (seconds) when the refusal is a throttle;
    ``reason`` what the audit trail records (one of ``UNKNOWN_ACCOUNT`` ...)."""

    def __init__(self, message: str, retry_after: int | None = None, reason: str = WRONG_PASSWORD) -> None:
        super().__init__(Problem(message))
        self.retry_after = retry_after
        self.reason = reason


@dataclass(frozen=True)
class SignedIn:
    person: tables.Person
    session_id: str


# --- plain values --------------------------------------------------------------------------


_EMAIL = re.compile(r"[^@\s]{1,64}@[^@\s]{1,255}")
_SLUG = re.compile(r"[a-z0-9][a-z0-9-]{0,99}")


def email_key(email: str) -> str:
    """How addresses are compared: without surrounding spaces, case folded; cut to what the database
    holds, with NUL (which PostgreSQL refuses in text) shown as U+FFFD: such a key names no account."""
    return email.strip().casefold().replace("\x00", "\ufffd")[:320]


def checked_email(email: str) -> str:
    email = email.strip()
    if not _EMAIL.fullmatch(email) or any(ord(c) < 32 or ord(c) == 127 for c in email):
        raise NumsError(Problem(f"{email!r} is not an email address", field="email"))
    return email


def checked_password(password: str) -> str:
    if len(password) < MIN_PASSWORD_LENGTH:
        raise NumsError(Problem(f"must be at least {MIN_PASSWORD_LENGTH} characters long", field="password"))
    if len(password) > MAX_PASSWORD_LENGTH:
        raise NumsError(Problem(f"must be at most {MAX_PASSWORD_LENGTH} characters long", field="password"))
    return password


def checked_slug(slug: str) -> str:
    if not _SLUG.fullmatch(slug):
        raise NumsError(
            Problem(
                f"{slug!r} is not an institution's short name",
                field="slug",
                suggestion="lower-case letters, digits and hyphens, such as 'northfield'; it names its folder",
            )
        )
    return slug


def _one_line(value: str, field: str, longest: int = 200) -> str:
    value = value.strip()
    if not value or len(value) > longest or any(ord(c) < 32 or ord(c) == 127 for c in value):
        raise NumsError(Problem(f"must be one line of 1 to {longest} characters", field=field))
    return value


def _password_digest(password_hash: str | None) -> str:
    return hashlib.sha256((password_hash or "").encode("utf-8")).hexdigest()


def address_key(address: str) -> str:
    """An address as throttled: an IPv6 address by its /64 (one home or host has the whole /64)."""
    try:
        parsed = ipaddress.ip_address(address)
    except ValueError:
        return address.replace("\x00", "\ufffd")[:64]
    if isinstance(parsed, ipaddress.IPv6Address):
        if parsed.ipv4_mapped is not None:
            return str(parsed.ipv4_mapped)
        return str(ipaddress.ip_network(f"{parsed}/64", strict=False))
    return str(parsed)


# --- institutions and people ---------------------------------------------------------------


def add_institution(
    db: Session, slug: str, name: str, now: datetime | None = None, *, by: Actor = audit.SITE_ACTOR
) -> tables.Institution:
    """A new institution; recorded in the audit trail as ``by``'s."""
    slug = checked_slug(slug)
    if db.scalar(select(tables.Institution).where(tables.Institution.slug == slug)) is not None:
        raise NumsError(Problem(f"there is already an institution {slug!r}", field="slug"))
    institution = tables.Institution(slug=slug, name=_one_line(name, "name"), created=now or tables.now())
    db.add(institution)
    db.flush()
    audit.record(db, by, audit.INSTITUTION_ADDED, at=institution.created, slug=slug, name=institution.name)
    return institution


def institution(db: Session, slug: str) -> tables.Institution:
    found = db.scalar(select(tables.Institution).where(tables.Institution.slug == slug))
    if found is None:
        known = list(db.scalars(select(tables.Institution.slug)))
        from nums.errors import did_you_mean

        raise NumsError(
            Problem(
                f"there is no institution {slug!r}", field="institution", suggestion=did_you_mean(slug, known)
            )
        )
    return found


def find_person(db: Session, email: str) -> tables.Person | None:
    return db.scalar(select(tables.Person).where(tables.Person.email_key == email_key(email)))


def add_person(
    db: Session,
    email: str,
    name: str,
    password: str | None,
    institution_slug: str | None = None,
    now: datetime | None = None,
    *,
    by: Actor = audit.SITE_ACTOR,
) -> tables.Person:
    """A new account; ``password`` None for one that is invited (it signs in once it has one)."""
    email = checked_email(email)
    if find_person(db, email) is not None:
        raise NumsError(Problem(f"{email} already has an account", field="email"))
    person = tables.Person(
        email=email,
        email_key=email_key(email),
        name=_one_line(name, "name"),
        password_hash=None if password is None else HASHER.hash(checked_password(password)),
        disabled=False,
        created=now or tables.now(),
        institution=None if institution_slug is None else institution(db, institution_slug),
    )
    db.add(person)
    db.flush()
    audit.record(
        db, by, audit.PERSON_ADDED, at=person.created, institution=institution_slug, **_subject(person)
    )
    return person


def _subject(person: tables.Person) -> dict[str, str]:
    """The detail naming the account an event is about (what its trail is found by)."""
    return {audit.SUBJECT: person.email_key}


def grant(
    db: Session,
    person: tables.Person,
    role: str,
    programme: str | None = None,
    *,
    by: Actor = audit.SITE_ACTOR,
) -> None:
    """Give a role. A lead holds it over their institution; a coordinator over one programme
    ("INSTITUTION/PROGRAMME" or just "PROGRAMME" within their institution)."""
    try:
        chosen = policy.Role(role)
    except ValueError:
        from nums.errors import did_you_mean

        raise NumsError(
            Problem(
                f"there is no role {role!r}",
                field="role",
                suggestion=did_you_mean(role, [r.value for r in policy.Role]),
            )
        ) from None
    if chosen in (policy.Role.LEAD, policy.Role.COORDINATOR) and person.institution is None:
        raise NumsError(
            Problem(f"a {chosen} belongs to an institution: give --institution", field="institution")
        )
    if chosen is policy.Role.COORDINATOR:
        programme = _programme_id(person, programme)
    elif programme is not None:
        raise NumsError(
            Problem(f"only a coordinator holds a role over one programme, not a {chosen}", field="programme")
        )
    for held in person.memberships:
        if held.role == chosen and held.programme == programme:
            raise NumsError(
                Problem(f"{person.email} is already {chosen}" + (f" of {programme}" if programme else ""))
            )
    person.memberships.append(tables.Membership(role=str(chosen), programme=programme))
    db.flush()
    audit.record(db, by, audit.ROLE_GRANTED, programme, role=str(chosen), **_subject(person))


def _programme_id(person: tables.Person, programme: str | None) -> str:
    assert person.institution is not None
    if not programme:
        raise NumsError(Problem("a coordinator coordinates a programme: give --programme", field="programme"))
    slug = person.institution.slug
    name = programme.removeprefix(f"{slug}/")
    if not _SLUG.fullmatch(name):
        raise NumsError(
            Problem(
                f"{programme!r} is not a programme of {slug}",
                field="programme",
                suggestion="its folder's name, such as 'peer-mentoring'",
            )
        )
    return f"{slug}/{name}"


def revoke(
    db: Session,
    person: tables.Person,
    role: str,
    programme: str | None = None,
    *,
    by: Actor = audit.SITE_ACTOR,
) -> None:
    """Take a role away (a coordinator's of one programme: give the programme). Every session
    of the person stays; what they may do is read from their roles at each request."""
    wanted = programme
    if programme is not None and "/" not in programme and person.institution is not None:
        wanted = f"{person.institution.slug}/{programme}"  # as ``grant`` reads a bare programme name
    for held in list(person.memberships):
        if held.role == role and held.programme == wanted:
            person.memberships.remove(held)
            db.flush()
            audit.record(db, by, audit.ROLE_REVOKED, wanted, role=role, **_subject(person))
            return
    shown = f"{role} of {wanted}" if wanted else role
    raise NumsError(Problem(f"{person.email} is not {shown}", field="role"))


def institutions(db: Session) -> list[tables.Institution]:
    return list(db.scalars(select(tables.Institution).order_by(tables.Institution.slug)))


def as_policy_person(person: tables.Person) -> policy.Person:
    """What ``policy.can`` is asked about."""
    return policy.person_from(
        person.id,
        person.email,
        person.name,
        person.institution.slug if person.institution else None,
        [(m.role, m.programme) for m in person.memberships],
    )


def disable(db: Session, email: str, *, by: Actor = audit.SITE_ACTOR) -> tables.Person:
    """Disable an account: it cannot sign in, and every session it has ends now."""
    person = find_person(db, email)
    if person is None:
        raise NumsError(Problem(f"there is no account {email!r}", field="email"))
    person.disabled = True
    ended = sessions.end_all(db, person.id)
    db.flush()
    audit.record(db, by, audit.ACCOUNT_DISABLED, sessions_ended=ended, **_subject(person))
    return person


def people(db: Session) -> list[tables.Person]:
    return list(db.scalars(select(tables.Person).order_by(tables.Person.email_key)))


# --- signing in ----------------------------------------------------------------------------


_DUMMY_HASH: str | None = None


def _dummy_hash() -> str:
    """A hash to check a password against when there is no account, so both take the same work."""
    global _DUMMY_HASH
    if _DUMMY_HASH is None:
        _DUMMY_HASH = HASHER.hash(secrets.token_urlsafe(16))
    return _DUMMY_HASH


def _verify(password_hash: str | None, password: str) -> bool:
    try:
        return HASHER.verify(password_hash or _dummy_hash(), password) and password_hash is not None
    except (VerificationError, InvalidHashError):
        return False


def _wait(failures: list[datetime], free: int, moment: datetime) -> int:
    """Seconds still to wait after these failures (newest last), or 0."""
    beyond = len(failures) - free
    if beyond < 0:
        return 0
    delay = min(FIRST_DELAY * (2**beyond), MAX_DELAY)
    remaining = failures[-1] + delay - moment
    return max(0, int(-(-remaining.total_seconds() // 1)))


def _failures(
    db: Session, moment: datetime, *, account: str | None = None, address: str | None = None
) -> list[datetime]:
    attempt = tables.SignInAttempt
    since = moment - FAILURE_MEMORY
    if account is not None:
        last_success = db.scalar(
            select(func.max(attempt.at)).where(attempt.account_key == account, attempt.succeeded.is_(True))
        )
        if last_success is not None:
            since = max(since, last_success)
        condition = attempt.account_key == account
    else:
        condition = attempt.address == address
    query = (
        select(attempt.at)
        .where(condition, attempt.succeeded.is_(False), attempt.at >= since)
        .order_by(attempt.at)
    )
    return list(db.scalars(query))


def throttle_wait(db: Session, email: str, address: str, now: datetime | None = None) -> int:
    """Seconds before this account may be tried again from this address (0: now)."""
    moment = now or tables.now()
    by_account = _wait(_failures(db, moment, account=email_key(email)), FREE_TRIES_PER_ACCOUNT, moment)
    by_address = _wait(_failures(db, moment, address=address_key(address)), FREE_TRIES_PER_ADDRESS, moment)
    return max(by_account, by_address)


def sign_in(db: Session, email: str, password: str, address: str, now: datetime | None = None) -> SignedIn:
    """Check the password and start a new session (a new id, whatever the browser had)."""
    moment = now or tables.now()
    wait = throttle_wait(db, email, address, moment)
    if wait:
        _failed(db, email, address, THROTTLED, moment)
        raise SignInRefused(
            f"too many tries: wait {wait} seconds, then try again", retry_after=wait, reason=THROTTLED
        )
    person = find_person(db, email)
    right = _verify(person.password_hash if person else None, password[:MAX_PASSWORD_LENGTH])
    db.add(
        tables.SignInAttempt(
            account_key=email_key(email), address=address_key(address), at=moment, succeeded=right
        )
    )
    db.flush()
    if not right or person is None:
        why = UNKNOWN_ACCOUNT if person is None else WRONG_PASSWORD
        _failed(db, email, address, why, moment)
        raise SignInRefused(BAD_SIGN_IN, reason=why)
    if person.disabled:
        _failed(db, email, address, DISABLED, moment)
        raise SignInRefused("this account is disabled; ask the scheme's administrator", reason=DISABLED)
    if HASHER.check_needs_rehash(person.password_hash or ""):
        person.password_hash = HASHER.hash(password)
    return SignedIn(person, sessions.start(db, person.id, moment))


def _failed(db: Session, email: str, address: str, reason: str, moment: datetime) -> None:
    """A failed sign-in in the audit trail: the address as typed (normalised, cut to an email's
    length), where from, and why; never the password. Its actor is ``audit.ANYONE``: who they
    said they were is only the event's ``person``."""
    typed = audit.person_key(audit.typed(email))
    audit.record(
        db,
        audit.ANYONE,
        audit.SIGN_IN_FAILED,
        at=moment,
        address=audit.typed(address),
        reason=reason,
        **{audit.SUBJECT: typed},
    )


def forget_old_attempts(db: Session, now: datetime | None = None) -> int:
    """Delete the sign-in attempts that no longer count (older than ``FAILURE_MEMORY``):
    housekeeping, safe at any time; how many went."""
    from sqlalchemy import delete

    cutoff = (now or tables.now()) - FAILURE_MEMORY
    gone = db.execute(delete(tables.SignInAttempt).where(tables.SignInAttempt.at < cutoff)).rowcount
    db.flush()
    return gone or 0


def change_password(db: Session, person: tables.Person, old: str, new: str, keep_session: str) -> None:
    """A new password, given the old one: every other session of the person ends."""
    if not _verify(person.password_hash, old):
        raise NumsError(Problem("is not your current password", field="current password"))
    person.password_hash = HASHER.hash(checked_password(new))
    ended = sessions.end_all(db, person.id, keep=keep_session)
    db.flush()
    audit.record(db, person.email, audit.PASSWORD_CHANGED, sessions_ended=ended, **_subject(person))


# --- one-time links ------------------------------------------------------------------------


def _issue(
    db: Session, person: tables.Person, purpose: str, moment: datetime, bound_to: str | None = None
) -> str:
    token = secrets.token_urlsafe(TOKEN_BYTES)
    db.add(
        tables.OneTimeToken(
            token_hash=sessions.digest(token),
            purpose=purpose,
            person_id=person.id,
            created=moment,
            expires=moment + TOKEN_LIFETIME,
            bound_to=bound_to,
        )
    )
    db.flush()
    return token


def _usable(
    db: Session, token: str, purpose: str, moment: datetime
) -> tuple[tables.OneTimeToken, tables.Person]:
    """The token's row and its person, when the token may still be used; ``BAD_LINK`` otherwise."""
    row = db.scalar(
        select(tables.OneTimeToken).where(tables.OneTimeToken.token_hash == sessions.digest(token))
    )
    person = None if row is None else db.get(tables.Person, row.person_id)
    if (
        row is None
        or person is None
        or row.purpose != purpose
        or row.used is not None
        or moment >= row.expires
        or person.disabled
        or (row.bound_to is not None and row.bound_to != _password_digest(person.password_hash))
    ):
        raise NumsError(Problem(BAD_LINK))
    return row, person


def _take(db: Session, token: str, purpose: str, moment: datetime) -> tables.Person:
    """The person a one-time token was issued to, the token then spent; ``BAD_LINK`` otherwise."""
    row, person = _usable(db, token, purpose, moment)
    row.used = moment
    db.flush()
    return person


def link_holder(db: Session, token: str, purpose: str, now: datetime | None = None) -> tables.Person:
    """Whom a one-time link is for, without spending it: the page a link opens greets its person
    and shows the form; only the form's answer spends it. ``BAD_LINK`` for a link that cannot be used."""
    return _usable(db, token, purpose, now or tables.now())[1]


def invite(
    db: Session,
    email: str,
    name: str,
    role: str,
    institution_slug: str | None = None,
    programme: str | None = None,
    now: datetime | None = None,
    *,
    by: Actor = audit.SITE_ACTOR,
) -> str:
    """An account without a password, with its role, and the invitation token that sets one."""
    moment = now or tables.now()
    person = add_person(db, email, name, None, institution_slug, moment, by=by)
    grant(db, person, role, programme, by=by)
    audit.record(db, by, audit.PERSON_INVITED, at=moment, role=role, **_subject(person))
    return _issue(db, person, "invitation", moment)


def reinvite(db: Session, email: str, now: datetime | None = None) -> tuple[tables.Person, str]:
    """A new invitation for an account that has not chosen its password yet (the first was lost
    or has expired); earlier invitations stay usable only until they expire or one is used."""
    person = find_person(db, email)
    if person is None or person.disabled or person.password_hash is not None:
        raise NumsError(Problem(f"{email} is not an invited account waiting for its password", field="email"))
    return person, _issue(db, person, "invitation", now or tables.now())


def accept_invitation(
    db: Session, token: str, password: str, now: datetime | None = None, name: str | None = None
) -> tables.Person:
    """Set the first password of an invited account, and the name it goes by when given (whoever
    invited them may have spelt it otherwise); the web app then starts its session."""
    checked_password(password)
    chosen = None if name is None or not name.strip() else _one_line(name, "name")
    person = _take(db, token, "invitation", now or tables.now())
    person.password_hash = HASHER.hash(password)
    if chosen is not None:
        person.name = chosen
    db.flush()
    audit.record(db, person.email, audit.INVITATION_ACCEPTED, **_subject(person))
    return person


def request_reset(db: Session, email: str, now: datetime | None = None) -> tuple[tables.Person, str] | None:
    """A reset token for the account, or None when there is none to reset (the page says the same
    either way: "if there is an account, a link is on its way")."""
    person = find_person(db, email)
    if person is None or person.disabled or person.password_hash is None:
        return None  # not recorded: the trail is of accounts, and there is none to reset
    token = _issue(db, person, "reset", now or tables.now(), bound_to=_password_digest(person.password_hash))
    audit.record(db, audit.ANYONE, audit.RESET_ASKED, **_subject(person))
    return person, token


def reset_password(db: Session, token: str, password: str, now: datetime | None = None) -> tables.Person:
    """Set a new password from a reset link: every session of the person ends."""
    checked_password(password)
    person = _take(db, token, "reset", now or tables.now())
    person.password_hash = HASHER.hash(password)
    ended = sessions.end_all(db, person.id)
    db.flush()
    audit.record(db, person.email, audit.RESET_USED, sessions_ended=ended, **_subject(person))
    return person


# --- registration --------------------------------------------------------------------------


def request_registration(
    db: Session, email: str, name: str, institution_name: str, message: str = "", now: datetime | None = None
) -> tables.RegistrationRequest:
    """An institution's lead asks for an account; it waits for an admin."""
    email = checked_email(email)
    request = tables.RegistrationRequest(
        email=email,
        email_key=email_key(email),
        name=_one_line(name, "name"),
        institution_name=_one_line(institution_name, "institution"),
        message=message.strip()[:2000],
        created=now or tables.now(),
    )
    db.add(request)
    db.flush()
    return request


def pending_registrations(db: Session) -> list[tables.RegistrationRequest]:
    query = select(tables.RegistrationRequest).where(tables.RegistrationRequest.decided.is_(None))
    return list(db.scalars(query.order_by(tables.RegistrationRequest.created)))


def approve_registration(
    db: Session,
    request_id: int,
    slug: str,
    admin: tables.Person | None,
    now: datetime | None = None,
    *,
    by: Actor = audit.SITE_ACTOR,
) -> tuple[tables.Person, str]:
    """Approve a request: the institution (made if ``slug`` is new), its lead invited. The token
    returned is the invitation to mail."""
    moment = now or tables.now()
    request = db.get(tables.RegistrationRequest, request_id)
    if request is None or request.decided is not None:
        raise NumsError(Problem(f"there is no registration request {request_id} waiting", field="request"))
    by = _actor(admin, by)
    if db.scalar(select(tables.Institution).where(tables.Institution.slug == slug)) is None:
        add_institution(db, slug, request.institution_name, moment, by=by)
    token = invite(db, request.email, request.name, policy.Role.LEAD, slug, now=moment, by=by)
    request.decided, request.outcome = moment, "approved"
    request.decided_by = admin.id if admin else None  # None: from the command line
    db.flush()
    person = find_person(db, request.email)
    assert person is not None
    audit.record(
        db, by, audit.REGISTRATION_APPROVED, at=moment, request=request.id, slug=slug, **_subject(person)
    )
    return person, token


def _actor(admin: tables.Person | None, by: Actor) -> Actor:
    """Who decided: the admin's account when there is one, else what the caller said."""
    return admin.email if admin is not None else by


def refuse_registration(
    db: Session,
    request_id: int,
    admin: tables.Person | None,
    now: datetime | None = None,
    *,
    by: Actor = audit.SITE_ACTOR,
) -> tables.RegistrationRequest:
    """Refuse a request: it is kept, decided, and makes no account. The reason goes to the person
    who asked, by mail (``nums.site.people.refuse_registration``); the database keeps the outcome."""
    request = db.get(tables.RegistrationRequest, request_id)
    if request is None or request.decided is not None:
        raise NumsError(Problem(f"there is no registration request {request_id} waiting", field="request"))
    request.decided, request.outcome = now or tables.now(), "refused"
    request.decided_by = admin.id if admin else None
    db.flush()
    audit.record(
        db,
        _actor(admin, by),
        audit.REGISTRATION_REFUSED,
        at=request.decided,
        request=request.id,
        **{audit.SUBJECT: request.email_key},
    )
    return request
