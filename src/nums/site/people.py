"""What the site's people do on its pages: sign in, reset, accept an invitation, ask to register,
and the admin's and the lead's work (issue 22). One function per thing a page does.

Each function opens its own transaction on the site (``OpenSite.transaction``), asks
``nums.policy`` whether the person asking may do it (the route row asked already; asking here
too keeps the rule true for the command line and for a thing the row cannot name, such as the
institution of a lead's page), does it through ``nums.site.accounts``, and mails what has to be
mailed once the transaction is committed, so a mail server that is slow or down never holds the
database or loses the change. How a message went is returned as a ``Delivery`` the page puts in
words. Nothing here knows about HTTP.
"""

from __future__ import annotations

import logging
import threading
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import select

from nums import policy
from nums.errors import NumsError, Problem
from nums.site import accounts, audit, mail, sessions
from nums.site import db as tables
from nums.site.folder import OpenSite
from nums.workspace import Workspace

log = logging.getLogger("nums.site.people")

ARGON2_AT_ONCE = 2
"""Password checks one worker runs at once. An Argon2id check (argon2-cffi's defaults) takes
64 MiB and most of a core for tens of milliseconds, on purpose; a burst of sign-ins (a class
signing in together, or a guesser) would otherwise take every core and the memory for them, and
every page would wait. Two, for the two cores the site is sized for; the rest queue here."""

_ARGON2_SLOTS = threading.BoundedSemaphore(ARGON2_AT_ONCE)

MAX_REASON_LENGTH = 2000
"""Characters in a refusal's reason, at most: a paragraph for the person who asked."""


class Refused(NumsError):
    """The person asking may not do this: ``decision`` says whether to answer 403 or 404."""

    def __init__(self, decision: policy.Decision) -> None:
        words = "you may not do this" if decision is policy.Decision.FORBIDDEN else "not found"
        super().__init__(Problem(words))
        self.decision = decision


def allow(asker: policy.Person, action: policy.Action, thing: policy.Thing) -> None:
    """Go on only if the policy allows it; ``Refused`` with its 403 or 404 otherwise."""
    decision = policy.decide(asker, action, thing)
    if decision is not policy.Decision.ALLOWED:
        raise Refused(decision)


@dataclass(frozen=True)
class Delivery:
    """How a message went: to the mail server, to the log (no mail set up), or refused."""

    to: str
    sent: bool
    problem: str | None = None

    def words(self, what: str) -> str:
        if self.problem:
            return f"{what} could not be mailed to {self.to}: {self.problem}"
        if not self.sent:
            return f"{what} for {self.to} is in the site's log (mail is not set up): pass it on"
        return f"{what} is on its way to {self.to}"


def _deliver(send: Any, to: str, *, site: OpenSite, kind: str, by: accounts.Actor) -> Delivery:
    """Run ``send`` (a ``mail.send``/``send_link`` call); a refusing server is words, not an error:
    the change it announces is made already. Called after the change's transaction is committed;
    how the mail went is an audit event of its own ("every [...] mail sent"), in a transaction of
    its own, so a mail that failed is in the trail too."""
    try:
        delivery = Delivery(to, bool(send()))
    except NumsError as exc:
        log.warning("%s", exc)
        delivery = Delivery(to, False, "; ".join(p.message for p in exc.problems))
    with site.transaction() as db:
        audit.record(
            db, by, audit.MAIL_SENT if delivery.sent else audit.MAIL_NOT_SENT, kind=kind, to=to,
            problem=delivery.problem, **{audit.SUBJECT: audit.person_key(to)},
        )  # fmt: skip
    return delivery


def _db_person(db: Any, asker: policy.Person) -> tables.Person | None:
    return None if asker.id is None else db.get(tables.Person, asker.id)


# --- signing in, links, registration (public) ----------------------------------------------


def sign_in(
    site: OpenSite, email: str, password: str, address: str, previous: str | None
) -> tuple[str, policy.Person] | accounts.SignInRefused:
    """Check the password (one of ``ARGON2_AT_ONCE`` at once) and start the session: its id and
    who signed in. A refusal is returned, not raised, so the transaction commits what the failure
    leaves: the try that counts towards the throttle and its audit event (``accounts.sign_in``
    records the address typed, where from and why, never the password). The page and the JSON
    API both call this, and only this."""
    with _ARGON2_SLOTS, site.transaction() as db:
        try:
            signed = accounts.sign_in(db, email, password, address)
        except accounts.SignInRefused as refused:
            return refused
        if previous:
            sessions.end(db, previous)  # the session this browser had is over: one at a time
        return signed.session_id, accounts.as_policy_person(signed.person)


def sign_out(site: OpenSite, session_id: str | None) -> None:
    if session_id:
        with site.transaction() as db:
            sessions.end(db, session_id)


def ask_reset(site: OpenSite, email: str) -> None:
    """Mail a reset link if there is an account to reset. Says nothing either way (the page
    says the same whatever the address): a mail failure goes to the log only."""
    with site.transaction() as db:
        found = accounts.request_reset(db, email)
        if found is None:
            return
        person, token = found
        to, name = person.email, person.name
    _deliver(
        lambda: mail.send_link(site.settings, "reset", to, token, name=name),
        to,
        site=site,
        kind="reset",
        by=audit.ANYONE,
    )


def link_holder(site: OpenSite, token: str, purpose: str) -> dict[str, str]:
    """Whom a one-time link is for (name and email, to greet them), without spending it."""
    with site.transaction() as db:
        person = accounts.link_holder(db, token, purpose)
        return {"name": person.name, "email": person.email}


def reset_password(site: OpenSite, token: str, password: str) -> None:
    """A new password from a reset link; every session of the person ends (they sign in anew)."""
    with site.transaction() as db:
        accounts.reset_password(db, token, password)


def accept_invitation(
    site: OpenSite, token: str, password: str, name: str | None, previous: str | None = None
) -> str:
    """Choose the first password (and the name shown) from an invitation, and sign in: the new
    session's id (a new one, whatever the browser had: ``previous`` ends)."""
    with site.transaction() as db:
        person = accounts.accept_invitation(db, token, password, name=name)
        if previous:
            sessions.end(db, previous)
        return sessions.start(db, person.id)


def ask_registration(site: OpenSite, email: str, name: str, institution: str, message: str) -> Delivery:
    """An institution's lead asks for an account ("Universities register on the accreditation
    site"); it waits for an admin. The person is told by mail that it was received."""
    with site.transaction() as db:
        request = accounts.request_registration(db, email, name, institution, message)
        to, shown, place = request.email, request.name, request.institution_name
    return _deliver(
        lambda: mail.send(
            site.settings,
            mail.compose(site.settings, "registration_received", to, name=shown, institution=place),
        ),
        to,
        site=site,
        kind="registration_received",
        by=audit.ANYONE,
    )


# --- the person themself ---------------------------------------------------------------------


def me(site: OpenSite, asker: policy.Person) -> dict[str, Any]:
    """Name, email, institution and each role held (a coordinator's with its programme)."""
    with site.transaction() as db:
        person = _db_person(db, asker)
        if person is None:
            raise Refused(policy.Decision.NOT_FOUND)
        return person_row(person) | {
            "institution_name": person.institution.name if person.institution else None,
            "held": [(m.role, m.programme) for m in person.memberships],
        }


def change_password(site: OpenSite, asker: policy.Person, old: str, new: str, session_id: str) -> None:
    """A new password, given the current one; every other session of the person ends."""
    with site.transaction() as db:
        person = _db_person(db, asker)
        if person is None:
            raise Refused(policy.Decision.NOT_FOUND)
        accounts.change_password(db, person, old, new, keep_session=session_id)


@dataclass(frozen=True)
class Place:
    """Somewhere the home page leads a person, because the policy lets them go there."""

    title: str
    href: str
    about: str


def reachable(asker: policy.Person) -> list[Place]:
    """What the person may reach, by what the policy lets them do: the home page after sign-in."""
    places: list[Place] = []
    if policy.can(asker, policy.Action.VIEW_ACCOUNTS, policy.SITE):
        places += [
            Place("People", "/admin/people", "invite people, give and take roles, disable accounts"),
            Place("Institutions", "/admin/institutions", "the registered institutions; add one"),
            Place("Registration requests", "/admin/registrations", "approve or refuse leads who asked"),
        ]
    if asker.institution and policy.can(
        asker, policy.Action.VIEW_INSTITUTION, policy.Institution(asker.institution)
    ):
        places.append(
            Place(
                "Your institution",
                f"/institutions/{asker.institution}",
                "its programmes; start one; invite a coordinator",
            )
        )
    for programme_id in sorted(asker.programmes):
        institution, _, name = programme_id.partition("/")
        if policy.can(asker, policy.Action.VIEW_PROGRAMME, policy.Programme(institution, name)):
            places.append(Place(programme_id, f"/p/{programme_id}", "the programme you coordinate"))
    if policy.Role.ASSESSOR in asker.roles or policy.Role.FINANCE in asker.roles:
        places.append(Place("Programmes", "/", "the programmes you may see, with their reviews"))
    if policy.can(asker, policy.Action.VIEW_QUOTE, policy.SITE):
        places.append(Place("Quote", "/quote", "price an application from the scheme's price table"))
    places.append(Place("Your account", "/account", "your name, roles and password"))
    return places


# --- the admin's work ----------------------------------------------------------------------------


def person_row(person: tables.Person) -> dict[str, Any]:
    """One account as plain values: what ``nums site user list --json`` prints for it."""
    return {
        "email": person.email,
        "name": person.name,
        "roles": sorted({m.role for m in person.memberships}),
        "institution": person.institution.slug if person.institution else None,
        "programmes": sorted(m.programme for m in person.memberships if m.programme),
        "disabled": person.disabled,
        "invited": person.password_hash is None,
        "created": person.created.isoformat(),
    }


def people_view(site: OpenSite, asker: policy.Person) -> dict[str, Any]:
    """Every account, and the institutions and roles an invitation may name."""
    allow(asker, policy.Action.VIEW_ACCOUNTS, policy.SITE)
    with site.transaction() as db:
        return {
            "people": [
                person_row(p) | {"held": [(m.role, m.programme) for m in p.memberships]}
                for p in accounts.people(db)
            ],
            "institutions": [(i.slug, i.name) for i in accounts.institutions(db)],
            "roles": [role.value for role in policy.Role],
        }


def invite(
    site: OpenSite,
    asker: policy.Person,
    email: str,
    name: str,
    role: str,
    institution: str | None,
    programme: str | None,
) -> Delivery:
    """A new account with its role, and the invitation mailed to choose a password."""
    allow(asker, policy.Action.MANAGE_ACCOUNTS, policy.SITE)
    _chosen(role)
    if programme:
        _programme_exists(site, institution, programme)
    with site.transaction() as db:
        token = accounts.invite(db, email, name, role, institution or None, programme or None, by=asker)
        place = accounts.institution(db, institution).name if institution else ""
        to = accounts.checked_email(email)
    return _deliver(
        lambda: mail.send_link(
            site.settings, "invitation", to, token, name=name.strip(), role=role, institution=place
        ),
        to,
        site=site,
        kind="invitation",
        by=asker,
    )


def reinvite(site: OpenSite, asker: policy.Person, email: str) -> Delivery:
    """A new invitation for an account still waiting for its first password."""
    allow(asker, policy.Action.MANAGE_ACCOUNTS, policy.SITE)
    with site.transaction() as db:
        person, token = accounts.reinvite(db, email)
        to, name = person.email, person.name
        place = person.institution.name if person.institution else ""
        role = ", ".join(sorted({m.role for m in person.memberships}))
    return _deliver(
        lambda: mail.send_link(
            site.settings, "invitation", to, token, name=name, role=role, institution=place
        ),
        to,
        site=site,
        kind="invitation",
        by=asker,
    )


def disable(site: OpenSite, asker: policy.Person, email: str) -> str:
    """Disable an account (its sessions end); refused for one's own, which would lock the admin out."""
    allow(asker, policy.Action.MANAGE_ACCOUNTS, policy.SITE)
    with site.transaction() as db:
        person = accounts.find_person(db, email)
        if person is not None and person.id == asker.id:
            raise NumsError(Problem("you cannot disable your own account", field="email"))
        return accounts.disable(db, email, by=asker).email


def _chosen(role: str) -> None:
    """A form's role left at "choose a role" is asked for, not looked up."""
    if not role.strip():
        raise NumsError(Problem("choose a role", field="role"))


def _found(db: Any, email: str) -> tables.Person:
    person = accounts.find_person(db, email)
    if person is None:
        raise NumsError(Problem(f"there is no account {email!r}", field="email"))
    return person


def grant_role(site: OpenSite, asker: policy.Person, email: str, role: str, programme: str | None) -> str:
    """Give an account a role (a coordinator's over one programme of their institution)."""
    allow(asker, policy.Action.MANAGE_ACCOUNTS, policy.SITE)
    _chosen(role)
    with site.transaction() as db:
        person = _found(db, email)
        if programme and person.institution is not None:
            _programme_exists(site, person.institution.slug, programme)
        accounts.grant(db, person, role, programme or None, by=asker)
        return f"{person.email} is now {role}" + (f" of {programme}" if programme else "")


def revoke_role(site: OpenSite, asker: policy.Person, email: str, role: str, programme: str | None) -> str:
    """Take a role away; an admin cannot take their own admin role (someone must stay admin)."""
    allow(asker, policy.Action.MANAGE_ACCOUNTS, policy.SITE)
    with site.transaction() as db:
        person = _found(db, email)
        if person.id == asker.id and role == policy.Role.ADMIN:
            raise NumsError(Problem("you cannot take your own admin role", field="role"))
        accounts.revoke(db, person, role, programme or None, by=asker)
        return f"{person.email} is no longer {role}" + (f" of {programme}" if programme else "")


def assign_coordinator(site: OpenSite, asker: policy.Person, email: str, programme_id: str) -> str:
    """Make an account a coordinator of a programme of its institution ("assignments")."""
    allow(asker, policy.Action.MANAGE_ASSIGNMENTS, policy.SITE)
    institution, _, name = programme_id.strip().partition("/")
    with site.transaction() as db:
        person = _found(db, email)
        home = person.institution.slug if person.institution else None
        if home != institution:
            raise NumsError(
                Problem(
                    f"{person.email} is not of {institution or 'an institution'}; a coordinator"
                    f" coordinates their own institution's programmes",
                    field="programme",
                )
            )
        _programme_exists(site, institution, name)
        accounts.grant(db, person, policy.Role.COORDINATOR, name, by=asker)
        return f"{person.email} now coordinates {institution}/{name}"


def _programme_exists(site: OpenSite, institution: str | None, programme: str) -> str:
    """The id ``INSTITUTION/PROGRAMME`` of a programme in the workspace; refused in words otherwise."""
    name = programme.strip().removeprefix(f"{institution}/")
    programme_id = f"{institution}/{name}"
    if not institution or Workspace(site.workspace).programme_at(programme_id) is None:
        raise NumsError(
            Problem(
                f"there is no programme {programme_id!r}",
                field="programme",
                suggestion="start it first, from its institution's page",
            )
        )
    return programme_id


def institutions_view(site: OpenSite, asker: policy.Person) -> list[dict[str, Any]]:
    """Every institution with how many people and programmes it has."""
    allow(asker, policy.Action.MANAGE_INSTITUTIONS, policy.SITE)
    workspace = Workspace(site.workspace)
    ids = [place.id for place in workspace.programmes()]
    with site.transaction() as db:
        counts: dict[int, int] = {}
        for person in accounts.people(db):
            if person.institution_id is not None:
                counts[person.institution_id] = counts.get(person.institution_id, 0) + 1
        return [
            {
                "slug": i.slug,
                "name": i.name,
                "people": counts.get(i.id, 0),
                "programmes": sum(1 for ident in ids if ident.startswith(f"{i.slug}/")),
            }
            for i in accounts.institutions(db)
        ]


def add_institution(site: OpenSite, asker: policy.Person, slug: str, name: str) -> str:
    """An institution, and its folder in the workspace (``DIR/workspace/SLUG/``)."""
    allow(asker, policy.Action.MANAGE_INSTITUTIONS, policy.SITE)
    with site.transaction() as db:
        made = accounts.add_institution(db, slug, name, by=asker)
        slug = made.slug
    (site.workspace / slug).mkdir(parents=True, exist_ok=True)
    return slug


# --- registration requests ---------------------------------------------------------------------


def registration_row(request: tables.RegistrationRequest) -> dict[str, Any]:
    """One request as plain values: what ``nums site registration list --json`` prints for it."""
    return {
        "id": request.id,
        "email": request.email,
        "name": request.name,
        "institution": request.institution_name,
        "message": request.message,
        "created": request.created.isoformat(),
    }


def registrations(site: OpenSite, asker: policy.Person) -> list[dict[str, Any]]:
    """The requests waiting for an admin, oldest first, each with a suggested short name."""
    allow(asker, policy.Action.MANAGE_ACCOUNTS, policy.SITE)
    with site.transaction() as db:
        known = {i.name.casefold(): i.slug for i in accounts.institutions(db)}
        return [
            registration_row(r)
            | {"slug": known.get(r.institution_name.casefold()) or suggested_slug(r.institution_name)}
            for r in accounts.pending_registrations(db)
        ]


def suggested_slug(name: str) -> str:
    """A short name for an institution from its name ("University of Northmoor" -> "northmoor"):
    the admin's form starts with it; they may change it."""
    import re

    words = [w for w in re.findall(r"[a-z0-9]+", name.casefold()) if w not in _COMMON_WORDS]
    return "-".join(words)[:60].strip("-") or "institution"


_COMMON_WORDS = frozenset({"university", "of", "the", "college", "and", "at", "for", "school"})


def approve_registration(site: OpenSite, asker: policy.Person, request_id: int, slug: str) -> Delivery:
    """Approve: the institution made if ``slug`` is new (with its workspace folder), its lead
    invited, the invitation mailed."""
    allow(asker, policy.Action.MANAGE_ACCOUNTS, policy.SITE)
    allow(asker, policy.Action.MANAGE_INSTITUTIONS, policy.SITE)
    slug = accounts.checked_slug(slug.strip())
    with site.transaction() as db:
        person, token = accounts.approve_registration(db, request_id, slug, _db_person(db, asker), by=asker)
        assert person.institution is not None
        to, name, place = person.email, person.name, person.institution.name
    (site.workspace / slug).mkdir(parents=True, exist_ok=True)
    return _deliver(
        lambda: mail.send_link(
            site.settings, "registration_approved", to, token, name=name, institution=place
        ),
        to,
        site=site,
        kind="registration_approved",
        by=asker,
    )


def refuse_registration(site: OpenSite, asker: policy.Person, request_id: int, reason: str) -> Delivery:
    """Refuse, with a reason mailed to the person who asked; no account is made."""
    allow(asker, policy.Action.MANAGE_ACCOUNTS, policy.SITE)
    reason = reason.strip()
    if not reason or len(reason) > MAX_REASON_LENGTH:
        raise NumsError(Problem(f"give the reason, in 1 to {MAX_REASON_LENGTH} characters", field="reason"))
    with site.transaction() as db:
        request = accounts.refuse_registration(db, request_id, _db_person(db, asker), by=asker)
        to, name, place = request.email, request.name, request.institution_name
    return _deliver(
        lambda: mail.send(
            site.settings,
            mail.compose(
                site.settings, "registration_refused", to, name=name, institution=place, reason=reason
            ),
        ),
        to,
        site=site,
        kind="registration_refused",
        by=asker,
    )


# --- the lead's work -----------------------------------------------------------------------------


@dataclass(frozen=True)
class InstitutionPage:
    slug: str
    name: str
    programmes: list[dict[str, Any]] = field(default_factory=list)
    may_invite: bool = False


def institution_page(site: OpenSite, asker: policy.Person, slug: str) -> InstitutionPage:
    """An institution's programmes (id, name, coordinators) for its lead or an admin."""
    allow(asker, policy.Action.VIEW_INSTITUTION, policy.Institution(slug))
    workspace = Workspace(site.workspace)
    places = [p for p in workspace.programmes() if p.id.startswith(f"{slug}/")]
    with site.transaction() as db:
        found = db.scalar(select(tables.Institution).where(tables.Institution.slug == slug))
        if found is None:
            raise Refused(policy.Decision.NOT_FOUND)
        coordinators: dict[str, list[str]] = {}
        query = select(tables.Membership).where(tables.Membership.role == policy.Role.COORDINATOR.value)
        for membership in db.scalars(query):
            if membership.programme:
                coordinators.setdefault(membership.programme, []).append(membership.person.name)
        name = found.name
    rows = []
    for place in places:
        loaded = workspace.load(place)
        title = loaded.submission.title if loaded.submission is not None else place.id
        rows.append({"id": place.id, "name": title, "coordinators": sorted(coordinators.get(place.id, []))})
    may_invite = policy.can(asker, policy.Action.INVITE_COORDINATOR, policy.Institution(slug))
    return InstitutionPage(slug, name, rows, may_invite)


def invite_coordinator(
    site: OpenSite, asker: policy.Person, slug: str, programme: str, email: str, name: str
) -> Delivery | str:
    """A coordinator for a programme of the institution: a new account invited (the invitation
    mailed), or an account of the institution given the programme (the words saying so)."""
    allow(asker, policy.Action.INVITE_COORDINATOR, policy.Institution(slug))
    programme_id = _programme_exists(site, slug, programme)
    short = programme_id.split("/", 1)[1]
    with site.transaction() as db:
        existing = accounts.find_person(db, email)
        if existing is not None:
            if existing.institution is None or existing.institution.slug != slug:
                # the same words as for an address already taken: nothing about another institution
                raise NumsError(Problem(f"{email.strip()} already has an account", field="email"))
            accounts.grant(db, existing, policy.Role.COORDINATOR, short, by=asker)
            return f"{existing.email} now coordinates {programme_id}"
        token = accounts.invite(db, email, name, policy.Role.COORDINATOR, slug, short, by=asker)
        place = accounts.institution(db, slug).name
        to = accounts.checked_email(email)
    return _deliver(
        lambda: mail.send_link(
            site.settings, "invitation", to, token, name=name.strip(), role="coordinator", institution=place
        ),
        to,
        site=site,
        kind="invitation",
        by=asker,
    )


# --- where a sign-in leads -------------------------------------------------------------------------

HOME_PATH = "/home"
"""Where a sign-in leads when it was not sent from a page: what the person can reach."""


def after_sign_in(next_path: str | None) -> str:
    """The page to go to after signing in: ``next`` when it is a path on this site, else home.

    Only a plain absolute path is taken ("/p/x/review?tab=2"): never "//evil.example" or
    "/\\evil.example" (which browsers read as another site), a scheme, a control character, or
    anything longer than an address needs to be; so a link to the sign-in page cannot send a
    person anywhere else once they have signed in."""
    value = (next_path or "").strip()
    if (
        not value.startswith("/")
        or value.startswith(("//", "/\\"))
        or "\\" in value
        or len(value) > 2000
        or any(ord(c) < 33 or ord(c) == 127 for c in value)
        or value.startswith(("/sign-in", "/sign-out"))
    ):
        return HOME_PATH
    return value
