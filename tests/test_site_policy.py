"""The rulebook of who may do what (issue 22, "Who signs in, and what each may do"):

| role | who | sees | may change |
|---|---|---|---|
| admin | scheme staff | everything | accounts, roles, institutions, assignments |
| assessor | scheme staff | programmes submitted for review | reviews (never of their own institution) |
| finance | scheme staff | applications, quotes | quotes |
| lead | one institution's lead | all of that institution's programmes, its portfolio | invites coordinators of that institution |
| coordinator | a programme's coordinator (several may share one) | the programmes they belong to | those programmes' submissions and evidence |

Every action is asked of every role, for a thing of the person's own institution and of another;
the expected answers are written out below, one row per action, and a new action without a row
fails ``test_every_action_has_a_row_in_this_rulebook``."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from nums import policy
from nums.policy import (
    ANONYMOUS,
    COMBINED,
    LOCAL_PERSON,
    RULES,
    SITE,
    Action,
    Decision,
    Institution,
    Person,
    Programme,
    Role,
    Thing,
    can,
    decide,
    person_from,
    programme_of,
    sees,
)

OWN, OTHER = "northfield", "southgate"

PEOPLE = {
    Role.ADMIN: Person(1, "admin@scheme.org", "Ada", frozenset({Role.ADMIN})),
    # an assessor employed by Northfield: "never of their own institution"
    Role.ASSESSOR: Person(2, "assessor@scheme.org", "Asa", frozenset({Role.ASSESSOR}), institution=OWN),
    Role.FINANCE: Person(3, "finance@scheme.org", "Fin", frozenset({Role.FINANCE})),
    Role.LEAD: Person(4, "lead@northfield.ac.uk", "Lee", frozenset({Role.LEAD}), institution=OWN),
    Role.COORDINATOR: Person(
        5,
        "coordinator@northfield.ac.uk",
        "Cora",
        frozenset({Role.COORDINATOR}),
        institution=OWN,
        programmes=frozenset({f"{OWN}/peer-mentoring"}),
    ),
}


def programme(institution: str) -> Programme:
    """A submitted programme: the coordinator's own one at Northfield, its namesake elsewhere."""
    return Programme(institution, "peer-mentoring", submitted=True)


# action -> roles allowed on (own institution's thing, other institution's thing)
ROLES = ("admin", "assessor", "finance", "lead", "coordinator")
RULEBOOK: dict[Action, tuple[str, str, str]] = {
    #                               thing kind  allowed: own institution        allowed: other institution
    Action.VIEW_PROGRAMME: ("programme", "admin assessor lead coordinator", "admin assessor"),
    Action.EDIT_SUBMISSION: ("programme", "coordinator", ""),
    Action.UPLOAD_EVIDENCE: ("programme", "coordinator", ""),
    Action.VIEW_REVIEW: ("programme", "admin", "admin assessor"),
    Action.EDIT_REVIEW: ("programme", "", "assessor"),
    Action.VIEW_APPLICATION: ("programme", "admin finance", "admin finance"),
    Action.VIEW_QUOTE: ("programme", "admin finance", "admin finance"),
    Action.EDIT_QUOTE: ("programme", "finance", "finance"),
    Action.VIEW_PORTFOLIO: ("institution", "admin lead", "admin"),
    Action.VIEW_INSTITUTION: ("institution", "admin lead", "admin"),
    Action.INVITE_COORDINATOR: ("institution", "admin lead", "admin"),
    Action.VIEW_ACCOUNTS: ("site", "admin", "admin"),
    Action.MANAGE_ACCOUNTS: ("site", "admin", "admin"),
    Action.MANAGE_INSTITUTIONS: ("site", "admin", "admin"),
    Action.MANAGE_ASSIGNMENTS: ("site", "admin", "admin"),
    # issue 23: "Submit (coordinator)"; "The coordinator may withdraw before a decision"; "The
    # coordinator answers each with evidence and a note, then resubmits"
    Action.SUBMIT_APPLICATION: ("programme", "coordinator", ""),
    Action.WITHDRAW_APPLICATION: ("programme", "coordinator", ""),
    Action.RESUBMIT_APPLICATION: ("programme", "coordinator", ""),
    Action.ANSWER_REQUEST: ("programme", "coordinator", ""),
    # an answer that brings its own file: an upload, a save of the submission and an answer at once
    Action.ANSWER_WITH_EVIDENCE: ("programme", "coordinator", ""),
    # "Assign (admin, or an assessor taking one from the queue): never an assessor of the
    # applicant's institution"
    Action.ASSIGN_ASSESSOR: ("programme", "admin", "admin"),
    Action.TAKE_APPLICATION: ("programme", "", "assessor"),
    # "Request evidence (assessor)"; "Decide (assessor, on a final review)"
    Action.REQUEST_EVIDENCE: ("programme", "", "assessor"),
    Action.DECIDE_APPLICATION: ("programme", "", "assessor"),
    # "finance, who records an invoice"
    Action.RECORD_INVOICE: ("programme", "finance", "finance"),
    # the audit trail "shown per programme and per person to those who may see it"
    Action.VIEW_AUDIT: ("programme", "admin lead coordinator", "admin"),
    # an application's state: whoever sees the programme, and finance ("sees applications")
    Action.VIEW_JOURNEY: ("programme", "admin assessor finance lead coordinator", "admin assessor finance"),
    # "the outcome letter is stored with the application and sent": to the coordinators and the
    # lead ("decided (the coordinators and the lead)"), and the assessor who wrote it
    Action.VIEW_LETTER: ("programme", "admin lead coordinator", "admin assessor"),
    # everyone signed in lists programmes (the list holds what they see); signing in and out is
    # for anyone, signed in or not (``ANONYMOUS`` below); /api/me for everyone signed in
    Action.LIST_PROGRAMMES: (
        "site",
        "admin assessor finance lead coordinator",
        "admin assessor finance lead coordinator",
    ),
    Action.SIGN_IN: (
        "site",
        "admin assessor finance lead coordinator",
        "admin assessor finance lead coordinator",
    ),
    Action.SIGN_OUT: (
        "site",
        "admin assessor finance lead coordinator",
        "admin assessor finance lead coordinator",
    ),
    Action.VIEW_SELF: (
        "site",
        "admin assessor finance lead coordinator",
        "admin assessor finance lead coordinator",
    ),
    # "lead ... all of that institution's programmes": a lead starts one at their own; an admin anywhere
    Action.CREATE_PROGRAMME: ("institution", "admin lead", "admin"),
    # a pack sent by hand is taken in by the scheme's admin
    Action.RECEIVE_PACK: ("site", "admin", "admin"),
    # issue 24: the register "served publicly at /register with no sign-in"; "an admin may withdraw
    # an award with a reason"
    Action.VIEW_REGISTER: (
        "site",
        "admin assessor finance lead coordinator",
        "admin assessor finance lead coordinator",
    ),
    # one-time links and asking to register: anyone; one's own password: anyone signed in
    Action.RESET_PASSWORD: (
        "site",
        "admin assessor finance lead coordinator",
        "admin assessor finance lead coordinator",
    ),
    Action.ACCEPT_INVITATION: (
        "site",
        "admin assessor finance lead coordinator",
        "admin assessor finance lead coordinator",
    ),
    Action.ASK_REGISTRATION: (
        "site",
        "admin assessor finance lead coordinator",
        "admin assessor finance lead coordinator",
    ),
    Action.CHANGE_PASSWORD: (
        "site",
        "admin assessor finance lead coordinator",
        "admin assessor finance lead coordinator",
    ),
    Action.WITHDRAW_AWARD: ("site", "admin", "admin"),
    # "Each person sees, on signing in, what is waiting for them: [...] the lead's programmes
    # lapsing within the horizon": the lead, of their own institution only
    Action.SEE_LAPSING_AWARDS: ("programme", "lead", ""),
}


def thing_of(kind: str, institution: str) -> Thing:
    return {"programme": programme(institution), "institution": Institution(institution), "site": SITE}[kind]


CASES = [
    pytest.param(action, role, place, id=f"{action}-{role}-{place}")
    for action in RULEBOOK
    for role in ROLES
    for place in ("own", "other")
]


@pytest.mark.parametrize(("action", "role", "place"), CASES)
def test_each_role_may_do_what_the_table_says_and_nothing_more(action: Action, role: str, place: str) -> None:
    kind, own_allowed, other_allowed = RULEBOOK[action]
    allowed = (own_allowed if place == "own" else other_allowed).split()
    thing = thing_of(kind, OWN if place == "own" else OTHER)
    assert can(PEOPLE[Role(role)], action, thing) is (role in allowed)


def test_every_action_has_a_row_in_this_rulebook() -> None:
    """Each action has one row: its grants in ``RULES``, or, for one that is several at once, its
    parts in ``COMBINED`` (never both, so the two cannot disagree)."""
    assert set(RULEBOOK) == set(Action) == set(RULES) | set(COMBINED)
    assert not set(RULES) & set(COMBINED)
    assert all(part in RULES for parts in COMBINED.values() for part in parts)


def test_an_answer_with_its_own_file_is_for_whoever_may_both_edit_the_submission_and_answer(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """The brief: answering a request with a file of its own stores it (upload evidence), adds it to
    the submission (edit the submission) and records the answer, so "the policy must allow this
    only to those who may both edit the submission and answer". Take either part away from the
    coordinator and the answer with a file goes with it, while a plain answer still stands."""
    coordinator, own = PEOPLE[Role.COORDINATOR], programme(OWN)
    assert can(coordinator, Action.ANSWER_WITH_EVIDENCE, own)
    assert decide(PEOPLE[Role.LEAD], Action.ANSWER_WITH_EVIDENCE, own) is Decision.FORBIDDEN
    assert decide(coordinator, Action.ANSWER_WITH_EVIDENCE, programme(OTHER)) is Decision.NOT_FOUND
    for part in (Action.EDIT_SUBMISSION, Action.UPLOAD_EVIDENCE):
        monkeypatch.setattr(policy, "RULES", {**RULES, part: ()})
        assert can(coordinator, Action.ANSWER_REQUEST, own)
        assert not can(coordinator, Action.ANSWER_WITH_EVIDENCE, own)
        assert decide(coordinator, Action.ANSWER_WITH_EVIDENCE, own) is Decision.FORBIDDEN
    monkeypatch.setattr(policy, "RULES", {**RULES, Action.ANSWER_REQUEST: ()})
    assert can(coordinator, Action.EDIT_SUBMISSION, own)
    assert not can(coordinator, Action.ANSWER_WITH_EVIDENCE, own)


def test_an_assessor_never_reviews_their_own_institution() -> None:
    """The issue: "reviews (never of their own institution)": they may see the submitted programme, not
    change (nor read) its review; since they see the programme, the refusal is a 403."""
    assessor, own = PEOPLE[Role.ASSESSOR], programme(OWN)
    assert can(assessor, Action.VIEW_PROGRAMME, own)
    assert not can(assessor, Action.EDIT_REVIEW, own)
    assert decide(assessor, Action.EDIT_REVIEW, own) is Decision.FORBIDDEN
    assert decide(assessor, Action.EDIT_REVIEW, programme(OTHER)) is Decision.ALLOWED


def test_an_assessor_sees_only_programmes_submitted_for_review() -> None:
    """The issue: "assessor sees programmes submitted for review": one still being written is not there."""
    draft = Programme(OTHER, "peer-mentoring", submitted=False)
    assert decide(PEOPLE[Role.ASSESSOR], Action.VIEW_PROGRAMME, draft) is Decision.NOT_FOUND
    assert decide(PEOPLE[Role.ASSESSOR], Action.EDIT_REVIEW, draft) is Decision.NOT_FOUND


def test_a_coordinator_sees_only_the_programmes_they_belong_to() -> None:
    """The issue: "coordinator sees the programmes they belong to": another programme of their own
    institution is a 404, like one of another institution."""
    coordinator = PEOPLE[Role.COORDINATOR]
    neighbour = Programme(OWN, "buddy-scheme", submitted=True)
    assert decide(coordinator, Action.VIEW_PROGRAMME, neighbour) is Decision.NOT_FOUND
    assert decide(coordinator, Action.EDIT_SUBMISSION, programme(OTHER)) is Decision.NOT_FOUND
    assert decide(coordinator, Action.EDIT_SUBMISSION, programme(OWN)) is Decision.ALLOWED


def test_what_a_person_sees_but_may_not_change_is_a_403_not_a_404() -> None:
    """A lead sees all of their institution's programmes but changes none: 403."""
    lead = PEOPLE[Role.LEAD]
    assert decide(lead, Action.EDIT_SUBMISSION, programme(OWN)) is Decision.FORBIDDEN
    assert decide(lead, Action.EDIT_SUBMISSION, programme(OTHER)) is Decision.NOT_FOUND
    assert decide(lead, Action.MANAGE_ACCOUNTS, SITE) is Decision.FORBIDDEN  # the site is seen by all


def test_finance_sees_quotes_of_a_programme_it_cannot_read() -> None:
    finance = PEOPLE[Role.FINANCE]
    assert decide(finance, Action.EDIT_QUOTE, programme(OTHER)) is Decision.ALLOWED
    assert decide(finance, Action.EDIT_SUBMISSION, programme(OTHER)) is Decision.FORBIDDEN
    assert sees(finance, programme(OTHER)) and not sees(finance, Institution(OTHER))


def test_several_coordinators_may_share_one_programme() -> None:
    """The issue: "a programme's coordinator (several may share one)"."""
    second = person_from(6, "b@northfield.ac.uk", "Bo", OWN, [("coordinator", f"{OWN}/peer-mentoring")])
    assert can(second, Action.EDIT_SUBMISSION, programme(OWN))
    assert can(PEOPLE[Role.COORDINATOR], Action.EDIT_SUBMISSION, programme(OWN))


def test_the_local_person_of_nums_serve_may_do_everything() -> None:
    """`nums serve` stays exactly as it is: one local person, all roles."""
    for action in Action:
        for thing in (programme(OWN), Programme(OTHER, "x"), Institution(OTHER), SITE):
            assert decide(LOCAL_PERSON, action, thing) is Decision.ALLOWED


@given(st.text())
def test_an_action_with_no_row_is_refused_to_everyone_but_the_local_person(action: str) -> None:
    if action in {str(a) for a in Action}:
        return
    for person in PEOPLE.values():
        assert not can(person, action, programme(OWN))
        assert decide(person, action, programme(OWN)) is not Decision.ALLOWED


def test_no_role_means_nothing() -> None:
    nobody = Person(9, "x@y.z", "X", institution=OWN, programmes=frozenset({f"{OWN}/peer-mentoring"}))
    for_everyone = {*SIGNED_IN_ACTIONS, *PUBLIC_ACTIONS}  # no role needed
    assert not any(can(nobody, action, programme(OWN)) for action in set(Action) - for_everyone)
    assert decide(nobody, Action.VIEW_PROGRAMME, programme(OWN)) is Decision.NOT_FOUND


PUBLIC_ACTIONS = {
    Action.SIGN_IN,
    Action.SIGN_OUT,
    Action.RESET_PASSWORD,
    Action.ACCEPT_INVITATION,
    Action.ASK_REGISTRATION,
    Action.VIEW_REGISTER,
}
SIGNED_IN_ACTIONS = {Action.LIST_PROGRAMMES, Action.VIEW_SELF, Action.CHANGE_PASSWORD}


@pytest.mark.parametrize("action", list(Action))
def test_someone_not_signed_in_may_only_sign_in_and_out(action: Action) -> None:
    """CONTRACT 5: ``ANONYMOUS`` holds no role; only rules granting ``Scope.PUBLIC`` (signing in
    and out, the public register, the one-time links, asking to register) hold for them, on anything."""
    for thing in (programme(OWN), Institution(OWN), SITE):
        assert can(ANONYMOUS, action, thing) is (action in PUBLIC_ACTIONS)
    assert not ANONYMOUS.signed_in and LOCAL_PERSON.signed_in


def test_a_signed_in_person_with_no_role_may_list_and_see_themselves_only() -> None:
    """Everyone signed in may ask for the list (it holds what they see: nothing) and for /api/me."""
    nobody = Person(9, "x@y.z", "X")
    allowed = {action for action in Action if can(nobody, action, SITE)}
    assert allowed == {*SIGNED_IN_ACTIONS, *PUBLIC_ACTIONS}


def test_a_programme_id_names_its_institution_first() -> None:
    """CONTRACT 6: "a programme's id is INSTITUTION/PROGRAMME, its institution the first part"."""
    assert programme_of("northfield/peer-mentoring", True) == Programme("northfield", "peer-mentoring", True)
    assert programme_of("northfield/a/b").institution == "northfield"
    assert programme_of("peer-mentoring") == Programme("peer-mentoring", "", False)
