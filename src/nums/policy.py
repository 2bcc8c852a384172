"""Who may do what: the one table every page, endpoint and command asks (issue 22).

Nothing else in nums checks a role. A page asks ``can(person, action, thing)`` (or ``decide``,
which also says whether a refusal is a 404 or a 403) and does what the answer says. The rules
are data (``RULES``): for each action, which roles may take it and on which things ("any", "their
own institution's", "the programmes they coordinate", "a programme submitted for review, not of
their own institution"). An action that is several at once (``COMBINED``: answering a request
with a file of its own is an upload, a save of the submission and an answer) is allowed exactly
to whoever may take every one of them, so it can never grant more than its parts. A new action
cannot be used until it has a row here.

The table is the issue's:

| role | sees | may change |
|---|---|---|
| admin | everything | accounts, roles, institutions, assignments |
| assessor | programmes submitted for review | reviews (never of their own institution) |
| finance | applications, quotes | quotes |
| lead | all of that institution's programmes, its portfolio | invites coordinators of that institution |
| coordinator | the programmes they belong to | those programmes' submissions and evidence |

The local person of ``nums serve`` holds every role over everything: one person on one machine.
"""

from __future__ import annotations

import enum
from collections.abc import Mapping
from dataclasses import dataclass


class Role(enum.StrEnum):
    ADMIN = "admin"
    ASSESSOR = "assessor"
    FINANCE = "finance"
    LEAD = "lead"
    COORDINATOR = "coordinator"


STAFF_ROLES = frozenset({Role.ADMIN, Role.ASSESSOR, Role.FINANCE})
"""Roles held by the scheme's own staff: not tied to an institution (an assessor may still have a
home institution, which is what "never of their own institution" is measured against)."""


class Action(enum.StrEnum):
    VIEW_PROGRAMME = "view_programme"
    EDIT_SUBMISSION = "edit_submission"
    UPLOAD_EVIDENCE = "upload_evidence"
    VIEW_REVIEW = "view_review"
    EDIT_REVIEW = "edit_review"
    VIEW_APPLICATION = "view_application"
    VIEW_QUOTE = "view_quote"
    EDIT_QUOTE = "edit_quote"
    VIEW_PORTFOLIO = "view_portfolio"
    VIEW_INSTITUTION = "view_institution"
    INVITE_COORDINATOR = "invite_coordinator"
    MANAGE_ACCOUNTS = "manage_accounts"
    MANAGE_INSTITUTIONS = "manage_institutions"
    MANAGE_ASSIGNMENTS = "manage_assignments"
    VIEW_ACCOUNTS = "view_accounts"
    # an application's journey (issue 23)
    SUBMIT_APPLICATION = "submit_application"
    WITHDRAW_APPLICATION = "withdraw_application"
    RESUBMIT_APPLICATION = "resubmit_application"
    ANSWER_REQUEST = "answer_request"
    ANSWER_WITH_EVIDENCE = "answer_with_evidence"
    ASSIGN_ASSESSOR = "assign_assessor"
    TAKE_APPLICATION = "take_application"
    REQUEST_EVIDENCE = "request_evidence"
    DECIDE_APPLICATION = "decide_application"
    RECORD_INVOICE = "record_invoice"
    VIEW_AUDIT = "view_audit"
    VIEW_JOURNEY = "view_journey"
    VIEW_LETTER = "view_letter"
    LIST_PROGRAMMES = "list_programmes"
    CREATE_PROGRAMME = "create_programme"
    RECEIVE_PACK = "receive_pack"
    SIGN_IN = "sign_in"
    SIGN_OUT = "sign_out"
    VIEW_SELF = "view_self"
    VIEW_REGISTER = "view_register"
    WITHDRAW_AWARD = "withdraw_award"
    RESET_PASSWORD = "reset_password"
    ACCEPT_INVITATION = "accept_invitation"
    ASK_REGISTRATION = "ask_registration"
    CHANGE_PASSWORD = "change_password"
    SEE_LAPSING_AWARDS = "see_lapsing_awards"


@dataclass(frozen=True)
class Person:
    """Who is asking: what the site knows of a signed-in person, as plain values.

    ``institution`` is their home institution's slug (a lead's institution; an assessor's
    employer, if any); ``programmes`` the ids ("INSTITUTION/PROGRAMME") they coordinate."""

    id: int | None
    email: str
    name: str
    roles: frozenset[Role] = frozenset()
    institution: str | None = None
    programmes: frozenset[str] = frozenset()
    everything: bool = False  # the local person of `nums serve` only

    @property
    def signed_in(self) -> bool:
        """Whether this is someone the site knows (an account, or the local person), not ``ANONYMOUS``."""
        return self.everything or self.id is not None


LOCAL_PERSON = Person(
    id=None,
    email="local",
    name="You (this computer)",
    roles=frozenset(Role),
    everything=True,
)
"""The one person of ``nums serve``: every role, every thing; the token is their key."""

ANONYMOUS = Person(id=None, email="", name="")
"""Whoever asks the site without a session: no roles, so only ``Scope.PUBLIC`` holds for them."""


@dataclass(frozen=True)
class Programme:
    """A programme of the workspace: ``DIR/workspace/INSTITUTION/PROGRAMME``.

    ``submitted`` says whether it has been submitted for review (what an assessor may see);
    the caller knows that from the workspace, the policy only reads it."""

    institution: str
    programme: str
    submitted: bool = False

    @property
    def id(self) -> str:
        return f"{self.institution}/{self.programme}"


@dataclass(frozen=True)
class Institution:
    slug: str


@dataclass(frozen=True)
class Site:
    """The site as a whole: accounts, institutions, assignments."""


@dataclass(frozen=True)
class Account:
    """One person's account, by its email: what a person's own audit trail is about."""

    email: str


SITE = Site()
Thing = Programme | Institution | Site | Account


class Scope(enum.StrEnum):
    """On which things a role's permission holds."""

    PUBLIC = "everyone, signed in or not"
    SIGNED_IN = "everyone signed in, whatever their roles"
    ANY = "any"
    OWN_INSTITUTION = "own institution"
    OWN_PROGRAMME = "own programme"
    SUBMITTED = "submitted for review"
    SUBMITTED_ELSEWHERE = "submitted for review, not of their own institution"
    OWN_ACCOUNT = "own account"


@dataclass(frozen=True)
class Grant:
    """``role`` may act on things in ``scope``; a grant with no role (``EVERYONE``) is held by
    every person, and means something only with ``Scope.PUBLIC`` or ``Scope.SIGNED_IN``."""

    role: Role | None
    scope: Scope


EVERYONE = None


def _grants(*pairs: tuple[Role | None, Scope]) -> tuple[Grant, ...]:
    return tuple(Grant(role, scope) for role, scope in pairs)


A, S, F, L, C = Role.ADMIN, Role.ASSESSOR, Role.FINANCE, Role.LEAD, Role.COORDINATOR

RULES: Mapping[Action, tuple[Grant, ...]] = {
    # "admin sees everything"; "assessor sees programmes submitted for review"; "lead sees all of
    # that institution's programmes"; "coordinator sees the programmes they belong to"
    Action.VIEW_PROGRAMME: _grants(
        (A, Scope.ANY), (S, Scope.SUBMITTED), (L, Scope.OWN_INSTITUTION), (C, Scope.OWN_PROGRAMME)
    ),
    # "coordinator may change those programmes' submissions and evidence"
    Action.EDIT_SUBMISSION: _grants((C, Scope.OWN_PROGRAMME)),
    Action.UPLOAD_EVIDENCE: _grants((C, Scope.OWN_PROGRAMME)),
    # "assessor may change reviews (never of their own institution)": an assessor does not read a
    # review in progress of their own institution's programme either.
    Action.VIEW_REVIEW: _grants((A, Scope.ANY), (S, Scope.SUBMITTED_ELSEWHERE)),
    Action.EDIT_REVIEW: _grants((S, Scope.SUBMITTED_ELSEWHERE)),
    # "finance sees applications, quotes; may change quotes"
    Action.VIEW_APPLICATION: _grants((A, Scope.ANY), (F, Scope.ANY)),
    Action.VIEW_QUOTE: _grants((A, Scope.ANY), (F, Scope.ANY)),
    Action.EDIT_QUOTE: _grants((F, Scope.ANY)),
    # "lead sees its portfolio; invites coordinators of that institution"
    Action.VIEW_PORTFOLIO: _grants((A, Scope.ANY), (L, Scope.OWN_INSTITUTION)),
    Action.VIEW_INSTITUTION: _grants((A, Scope.ANY), (L, Scope.OWN_INSTITUTION)),
    Action.INVITE_COORDINATOR: _grants((A, Scope.ANY), (L, Scope.OWN_INSTITUTION)),
    # "admin may change accounts, roles, institutions, assignments"
    Action.VIEW_ACCOUNTS: _grants((A, Scope.ANY)),
    Action.MANAGE_ACCOUNTS: _grants((A, Scope.ANY)),
    Action.MANAGE_INSTITUTIONS: _grants((A, Scope.ANY)),
    Action.MANAGE_ASSIGNMENTS: _grants((A, Scope.ANY)),
    # Issue 23, the journey. "Submit (coordinator): only a submission that validates, with its
    # declaration"; "The coordinator may withdraw before a decision"; "The coordinator answers each
    # [request] with evidence and a note, then resubmits".
    Action.SUBMIT_APPLICATION: _grants((C, Scope.OWN_PROGRAMME)),
    Action.WITHDRAW_APPLICATION: _grants((C, Scope.OWN_PROGRAMME)),
    Action.RESUBMIT_APPLICATION: _grants((C, Scope.OWN_PROGRAMME)),
    Action.ANSWER_REQUEST: _grants((C, Scope.OWN_PROGRAMME)),
    # "Assign (admin, or an assessor taking one from the queue): never an assessor of the
    # applicant's institution." The admin's assignment names an assessor, who is asked
    # ``may_assess`` in turn; the assessor taking one is held to it here.
    Action.ASSIGN_ASSESSOR: _grants((A, Scope.ANY)),
    Action.TAKE_APPLICATION: _grants((S, Scope.SUBMITTED_ELSEWHERE)),
    # "Request evidence (assessor)"; "Decide (assessor, on a final review)": reviews are the
    # assessor's, "never of their own institution".
    Action.REQUEST_EVIDENCE: _grants((S, Scope.SUBMITTED_ELSEWHERE)),
    Action.DECIDE_APPLICATION: _grants((S, Scope.SUBMITTED_ELSEWHERE)),
    # "shown to finance, who records an invoice (a sequential number, VAT, a due date from the
    # price list's terms) and, later, that it was paid"
    Action.RECORD_INVOICE: _grants((F, Scope.ANY)),
    # "[The audit trail] is shown per programme and per person to those who may see it": the admin
    # sees all of it; a lead their institution's; a coordinator their programme's.
    # "Each person sees, on signing in, what is waiting for them: [...] the lead's programmes
    # lapsing within the horizon" (the reminders go to the coordinators and the lead; the waiting
    # list names the lead's part)
    Action.SEE_LAPSING_AWARDS: _grants((L, Scope.OWN_INSTITUTION)),
    # Per person: "shown per programme and per person to those who may see it". The admin sees any
    # person's trail; everyone signed in sees their own (what they did, and what was done to their
    # account: a role given, a sign-in that failed with their address); no one else sees another
    # person's, not a lead their coordinators' (a lead reads their programmes' trails instead).
    Action.VIEW_AUDIT: _grants(
        (A, Scope.ANY),
        (L, Scope.OWN_INSTITUTION),
        (C, Scope.OWN_PROGRAMME),
        (EVERYONE, Scope.OWN_ACCOUNT),
    ),
    # An application's state and steps: whoever sees the programme, and finance, who "sees
    # applications" (the quote and invoice are theirs to act on).
    Action.VIEW_JOURNEY: _grants(
        (A, Scope.ANY),
        (S, Scope.SUBMITTED),
        (F, Scope.ANY),
        (L, Scope.OWN_INSTITUTION),
        (C, Scope.OWN_PROGRAMME),
    ),
    # "Decide (assessor, on a final review): the outcome letter is stored with the application and
    # sent"; "decided (the coordinators and the lead)" are told: the letter is theirs to open, and
    # the assessor's who wrote it and the admin's.
    Action.VIEW_LETTER: _grants(
        (A, Scope.ANY), (S, Scope.SUBMITTED_ELSEWHERE), (L, Scope.OWN_INSTITUTION), (C, Scope.OWN_PROGRAMME)
    ),
    # "Every endpoint `nums serve` has keeps its shape and answers only with what the person may
    # see": everyone signed in may ask for the list of programmes; the list holds what they see.
    Action.LIST_PROGRAMMES: _grants((EVERYONE, Scope.SIGNED_IN)),
    # "lead sees all of that institution's programmes": a lead starts one for their institution
    # (its coordinators are then invited to it); "admin may change ... assignments": any.
    Action.CREATE_PROGRAMME: _grants((A, Scope.ANY), (L, Scope.OWN_INSTITUTION)),
    # "assessor sees programmes submitted for review": a pack sent by hand becomes one; the
    # scheme's staff who assign work (admin) take it in.
    Action.RECEIVE_PACK: _grants((A, Scope.ANY)),
    # "POST /api/session with {email, password} gives 200 and a session cookie": anyone may try.
    Action.SIGN_IN: _grants((EVERYONE, Scope.PUBLIC)),
    # "DELETE /api/session signs out": harmless without a session, so anyone may ask.
    Action.SIGN_OUT: _grants((EVERYONE, Scope.PUBLIC)),
    # "GET /api/me gives {email, name, roles, institution}": one's own account, once signed in.
    Action.VIEW_SELF: _grants((EVERYONE, Scope.SIGNED_IN)),
    # Issue 24: "On the site, the same pages are served publicly at /register with no sign-in".
    Action.VIEW_REGISTER: _grants((EVERYONE, Scope.PUBLIC)),
    # Issue 24: "an admin may withdraw an award with a reason, which updates the status list".
    Action.WITHDRAW_AWARD: _grants((A, Scope.ANY)),
    # "Invitations and password resets by one-time links mailed to the person": the link is the
    # key, so asking for one and using one is open to anyone (the pages never say whether an
    # address has an account).
    Action.RESET_PASSWORD: _grants((EVERYONE, Scope.PUBLIC)),
    Action.ACCEPT_INVITATION: _grants((EVERYONE, Scope.PUBLIC)),
    # "an institution's lead can ask for an account, and an admin approves it": anyone may ask.
    Action.ASK_REGISTRATION: _grants((EVERYONE, Scope.PUBLIC)),
    # "sign-out everywhere when a password changes": one's own password, once signed in.
    Action.CHANGE_PASSWORD: _grants((EVERYONE, Scope.SIGNED_IN)),
}

COMBINED: Mapping[Action, tuple[Action, ...]] = {
    # "The coordinator answers each with evidence and a note": an answer that brings its own file
    # stores it in evidence/, adds it to the criterion's claim in the submission and records the
    # answer, so it is for whoever may upload evidence, edit the submission and answer, all three.
    Action.ANSWER_WITH_EVIDENCE: (Action.UPLOAD_EVIDENCE, Action.EDIT_SUBMISSION, Action.ANSWER_REQUEST),
}
"""Actions that are several actions at once: allowed when every one of them is (never a row of
``RULES`` of their own, so they cannot drift from their parts)."""

SIGHT: Mapping[type, tuple[Action, ...]] = {
    Programme: (Action.VIEW_PROGRAMME, Action.VIEW_REVIEW, Action.VIEW_APPLICATION, Action.VIEW_QUOTE),
    Institution: (Action.VIEW_INSTITUTION, Action.VIEW_PORTFOLIO),
    Site: (),
    Account: (Action.VIEW_AUDIT,),
}
"""What seeing a thing means: a person who may take any of these actions on it knows it exists
(a refusal of anything else on it is a 403); one who may take none gets a 404. Everyone signed in
sees the site itself."""


class Decision(enum.Enum):
    ALLOWED = 200
    FORBIDDEN = 403  # they may see it, but not do this
    NOT_FOUND = 404  # as far as they are told, it is not there


def _institution_of(thing: Thing) -> str | None:
    if isinstance(thing, Programme):
        return thing.institution
    if isinstance(thing, Institution):
        return thing.slug
    return None


def _holds(person: Person, grant: Grant, thing: Thing) -> bool:
    if grant.scope is Scope.PUBLIC:
        return True
    if grant.scope is Scope.SIGNED_IN:
        return person.signed_in
    if grant.scope is Scope.OWN_ACCOUNT:
        return _own_account(person, thing)
    if grant.role not in person.roles:
        return False
    if grant.scope is Scope.ANY:
        return True
    own = person.institution is not None and _institution_of(thing) == person.institution
    if grant.scope is Scope.OWN_INSTITUTION:
        return own
    if not isinstance(thing, Programme):
        return False
    if grant.scope is Scope.OWN_PROGRAMME:
        return thing.id in person.programmes
    if grant.scope is Scope.SUBMITTED:
        return thing.submitted
    return thing.submitted and not own  # SUBMITTED_ELSEWHERE


_SUBMISSION_ROLES = frozenset(
    grant.role
    for grants in RULES.values()
    for grant in grants
    if grant.scope in (Scope.SUBMITTED, Scope.SUBMITTED_ELSEWHERE)
)
"""The roles some of whose grants turn on a programme being submitted for review (an assessor's)."""


def turns_on_submission(person: Person) -> bool:
    """Whether any answer ``can`` gives ``person`` about a programme may depend on its being
    submitted for review. When not (a coordinator, a lead, finance), the site need not look the
    programme's journey up before deciding: ``False`` there changes no decision."""
    return any(role in _SUBMISSION_ROLES for role in person.roles)


def _own_account(person: Person, thing: Thing) -> bool:
    """The account is the person's: signed in, the same address (compared case folded)."""
    return (
        person.signed_in
        and isinstance(thing, Account)
        and bool(person.email)
        and thing.email.strip().casefold() == person.email.strip().casefold()
    )


def can(person: Person, action: Action | str, thing: Thing) -> bool:
    """Whether ``person`` may take ``action`` on ``thing``. An action with no row is refused."""
    if person.everything:
        return True
    try:
        asked = Action(action)
    except ValueError:
        return False
    if asked in COMBINED:
        return all(can(person, part, thing) for part in COMBINED[asked])
    return any(_holds(person, grant, thing) for grant in RULES.get(asked, ()))


def sees(person: Person, thing: Thing) -> bool:
    """Whether ``person`` may know that ``thing`` exists."""
    if isinstance(thing, Site) or person.everything:
        return True
    return any(can(person, action, thing) for action in SIGHT[type(thing)])


def decide(person: Person, action: Action | str, thing: Thing) -> Decision:
    """``can``, with the refusal a page gives: 403 for a thing they see, 404 for one they do not."""
    if can(person, action, thing):
        return Decision.ALLOWED
    return Decision.FORBIDDEN if sees(person, thing) else Decision.NOT_FOUND


def may_assess(person: Person, programme: Programme) -> bool:
    """Whether ``person`` may be the assessor of ``programme`` once it is submitted: an assessor, and
    "never an assessor of the applicant's institution" (issue 23). An admin assigning someone asks
    this of the person named."""
    submitted = Programme(programme.institution, programme.programme, submitted=True)
    return not person.everything and can(person, Action.EDIT_REVIEW, submitted)


def programme_of(programme_id: str, submitted: bool = False) -> Programme:
    """The ``Programme`` a workspace id names: ``INSTITUTION/PROGRAMME``, its institution the
    first part (a one-part id, as ``nums serve`` may have, is an institution's with no name)."""
    institution, _, rest = programme_id.partition("/")
    return Programme(institution, rest, submitted)


def person_from(
    id: int | None, email: str, name: str, institution: str | None, memberships: list[tuple[str, str | None]]
) -> Person:
    """A ``Person`` from the rows the site keeps: (role, programme) for each role held, the programme
    ("INSTITUTION/PROGRAMME") filled in for a coordinator's."""
    roles = frozenset(Role(role) for role, _ in memberships)
    programmes = frozenset(
        programme for role, programme in memberships if role == Role.COORDINATOR and programme
    )
    return Person(id=id, email=email, name=name, roles=roles, institution=institution, programmes=programmes)
