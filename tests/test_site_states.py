"""The journey's state machine, pure: every state and role against every transition, allowed or
refused in words (issue 23: "Unit tests of the state machine: every state and role against every
transition (allowed or refused in words)").

The table below is written from the issue's sentences, not from ``states.STEPS``: it is what the
code is checked against."""

from __future__ import annotations

import pytest

from nums import policy
from nums.policy import Person, Role
from nums.site.states import Facts, State, Transition, refusal, replay, transition_to

OWN, OTHER = "harbourside", "northfield"
S = State

PEOPLE = {
    "admin": Person(1, "admin@scheme.org", "Ada", frozenset({Role.ADMIN})),
    "assessor": Person(2, "assessor@scheme.org", "Asa", frozenset({Role.ASSESSOR}), institution=OTHER),
    "finance": Person(3, "finance@scheme.org", "Fin", frozenset({Role.FINANCE})),
    "lead": Person(4, "lead@harbourside.ac.uk", "Lee", frozenset({Role.LEAD}), institution=OWN),
    "coordinator": Person(
        5, "co@harbourside.ac.uk", "Cora", frozenset({Role.COORDINATOR}), OWN, frozenset({f"{OWN}/peer"})
    ),
    # "never an assessor of the applicant's institution"
    "home assessor": Person(
        6, "assessor@harbourside.ac.uk", "Hal", frozenset({Role.ASSESSOR}), institution=OWN
    ),
    # a coordinator, but of another programme
    "stranger": Person(
        7, "co@northfield.ac.uk", "Sam", frozenset({Role.COORDINATOR}), OTHER, frozenset({f"{OTHER}/x"})
    ),
}

# transition -> (the states it is made from, who may make it), from the words
TABLE: dict[Transition, tuple[set[State], set[str]]] = {
    # "Submit (coordinator): only a submission that validates, with its declaration." A decided or
    # withdrawn programme is submitted again as its next application (a renewal, a second try).
    Transition.SUBMIT: ({S.DRAFT, S.DECIDED, S.WITHDRAWN}, {"coordinator"}),
    # "The coordinator may withdraw before a decision."
    Transition.WITHDRAW: ({S.SUBMITTED, S.IN_REVIEW, S.EVIDENCE_REQUESTED, S.RESUBMITTED}, {"coordinator"}),
    # "Assign (admin, or an assessor taking one from the queue)": an admin assigns a submitted one,
    # or a resubmitted one to another assessor
    Transition.ASSIGN: ({S.SUBMITTED, S.RESUBMITTED}, {"admin"}),
    Transition.TAKE: ({S.SUBMITTED}, {"assessor"}),
    # "Request evidence (assessor)", while reviewing (the first snapshot or a resubmitted one)
    Transition.REQUEST_EVIDENCE: ({S.IN_REVIEW, S.RESUBMITTED}, {"assessor"}),
    # "The coordinator answers each with evidence and a note, then resubmits"
    Transition.RESUBMIT: ({S.EVIDENCE_REQUESTED}, {"coordinator"}),
    # "Decide (assessor, on a final review)"
    Transition.DECIDE: ({S.IN_REVIEW, S.RESUBMITTED}, {"assessor"}),
}

ASSIGNEE = PEOPLE["assessor"]


def thing(state: State) -> policy.Programme:
    """The programme as the library shows it to the policy: submitted for review from its
    submission up to its decision (CONTRACT 7)."""
    return policy.Programme(OWN, "peer", submitted=state not in (S.DRAFT, S.WITHDRAWN))


def ready(state: State) -> Facts:
    """Everything a step needs of the documents is in order; the assessor assigned is ``assessor``."""
    return Facts(state=state, assessor=ASSIGNEE.email, more_evidence=("diversity.2",), final=True)


CASES = [
    pytest.param(state, who, transition, id=f"{state.value}-{who}-{transition.value}")
    for state in State
    for who in PEOPLE
    for transition in Transition
]


@pytest.mark.parametrize(("state", "who", "transition"), CASES)
def test_each_step_is_made_only_from_its_states_by_its_roles(
    state: State, who: str, transition: Transition
) -> None:
    sources, roles = TABLE[transition]
    why = refusal(PEOPLE[who], transition, thing(state), ready(state), ASSIGNEE)
    role_ok = who in roles and policy.can(PEOPLE[who], _action(transition), thing(state))
    if state in sources and role_ok:
        assert why is None
        return
    assert why is not None and why.strip()  # refused, in words
    if not role_ok:
        assert f"{PEOPLE[who].email} (" in why and "may not" in why, why
    else:
        assert f"the application is {state.value}" in why, why


def _action(transition: Transition) -> policy.Action:
    return {
        Transition.SUBMIT: policy.Action.SUBMIT_APPLICATION,
        Transition.WITHDRAW: policy.Action.WITHDRAW_APPLICATION,
        Transition.ASSIGN: policy.Action.ASSIGN_ASSESSOR,
        Transition.TAKE: policy.Action.TAKE_APPLICATION,
        Transition.REQUEST_EVIDENCE: policy.Action.REQUEST_EVIDENCE,
        Transition.RESUBMIT: policy.Action.RESUBMIT_APPLICATION,
        Transition.DECIDE: policy.Action.DECIDE_APPLICATION,
    }[transition]


def test_the_home_assessor_may_take_nothing_of_their_own_institution() -> None:
    """ "never an assessor of the applicant's institution": every assessor's step is refused them."""
    home = PEOPLE["home assessor"]
    for transition in (Transition.TAKE, Transition.REQUEST_EVIDENCE, Transition.DECIDE):
        why = refusal(home, transition, thing(S.IN_REVIEW), ready(S.IN_REVIEW))
        assert why is not None and "may not" in why


@pytest.mark.parametrize(
    ("facts", "transition", "words"),
    [
        (Facts(S.DRAFT, submission_problems=("line 4: mentors: must be a number",)), Transition.SUBMIT, "does not validate: line 4"),
        (Facts(S.DRAFT, declared=False), Transition.SUBMIT, "no declaration"),
        (Facts(S.EVIDENCE_REQUESTED, declared=False), Transition.RESUBMIT, "no declaration"),
        (Facts(S.IN_REVIEW, assessor="someone@else.org", final=True), Transition.DECIDE, "only the assessor assigned"),
        (Facts(S.IN_REVIEW, assessor=ASSIGNEE.email, final=False), Transition.DECIDE, "not final"),
        (Facts(S.IN_REVIEW, assessor=ASSIGNEE.email), Transition.REQUEST_EVIDENCE, "asks for no more evidence"),
        (Facts(S.IN_REVIEW, assessor=ASSIGNEE.email, review_problem="there is no review yet"), Transition.DECIDE, "no review yet"),
        (Facts(S.SUBMITTED, awaiting_payment=True), Transition.TAKE, "waits for payment"),
    ],
)  # fmt: skip
def test_a_step_the_documents_do_not_allow_is_refused_in_words(
    facts: Facts, transition: Transition, words: str
) -> None:
    _, roles = TABLE[transition]
    who = PEOPLE["assessor"] if "assessor" in roles else PEOPLE["coordinator"]
    why = refusal(who, transition, thing(facts.state), facts)
    assert why is not None and words in why


@pytest.mark.parametrize(
    ("assignee", "words"),
    [
        (None, "no such person"),
        (PEOPLE["finance"], "is not an assessor"),
        (PEOPLE["home assessor"], "never an assessor of the applicant's institution"),
    ],
)
def test_an_admin_assigns_only_an_assessor_of_another_institution(
    assignee: Person | None, words: str
) -> None:
    """ "Assign (admin ...): never an assessor of the applicant's institution." """
    why = refusal(PEOPLE["admin"], Transition.ASSIGN, thing(S.SUBMITTED), Facts(S.SUBMITTED), assignee)
    assert why is not None and words in why
    assert (
        refusal(PEOPLE["admin"], Transition.ASSIGN, thing(S.SUBMITTED), Facts(S.SUBMITTED), ASSIGNEE) is None
    )


def test_asking_for_a_state_names_the_step() -> None:
    assessor, admin = PEOPLE["assessor"], PEOPLE["admin"]
    assert transition_to("in review", S.SUBMITTED, assessor) is Transition.TAKE
    assert transition_to("in review", S.SUBMITTED, admin, ASSIGNEE.email) is Transition.ASSIGN
    assert transition_to("decided", S.IN_REVIEW, assessor) is Transition.DECIDE
    assert transition_to("withdrawn", S.SUBMITTED, PEOPLE["coordinator"]) is Transition.WITHDRAW
    assert "not a state" in str(transition_to("approved", S.SUBMITTED, admin))
    assert "never a draft again" in str(transition_to("draft", S.SUBMITTED, admin))


def test_a_trail_replays_only_through_the_table() -> None:
    trail = [
        (Transition.SUBMIT, S.SUBMITTED),
        (Transition.TAKE, S.IN_REVIEW),
        (Transition.REQUEST_EVIDENCE, S.EVIDENCE_REQUESTED),
        (Transition.RESUBMIT, S.RESUBMITTED),
        (Transition.DECIDE, S.DECIDED),
        (Transition.SUBMIT, S.SUBMITTED),
        (Transition.WITHDRAW, S.WITHDRAWN),
    ]
    assert replay(trail) is S.WITHDRAWN
    with pytest.raises(ValueError, match="cannot lead from draft"):
        replay([(Transition.DECIDE, S.DECIDED)])
