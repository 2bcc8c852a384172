"""An application's journey as a pure state machine (issue 23): states, transitions, refusals in words.

"An application is one of: draft, submitted, in review, evidence requested, resubmitted, decided
(with its outcome), or withdrawn. Each change is one call of one function in the library (the CLI
and the site both use it), allowed only to the roles that may make it, and recorded."

This module knows no database and no files: given what is true of an application (``Facts``), it
says which transition a request to move ``to`` a state is, and why it may not be made (``refusal``),
or None when it may. Who may make each transition is asked of ``nums.policy``; what a transition
needs from the documents (a submission that validates, with its declaration; a final review; a
review asking for more evidence) is given as facts by the caller (``nums.site.journey``).

A programme with no application is a draft. Submitting again after a decision or a withdrawal
starts the programme's next application (a renewal, or a second try); the earlier one is kept.
"""

from __future__ import annotations

import enum
from dataclasses import dataclass

from nums import policy


class State(enum.StrEnum):
    DRAFT = "draft"
    SUBMITTED = "submitted"
    IN_REVIEW = "in review"
    EVIDENCE_REQUESTED = "evidence requested"
    RESUBMITTED = "resubmitted"
    DECIDED = "decided"
    WITHDRAWN = "withdrawn"


class Transition(enum.StrEnum):
    """The steps, named as the issue names them ("an assessor taking one from the queue" is TAKE)."""

    SUBMIT = "submit"
    WITHDRAW = "withdraw"
    ASSIGN = "assign"
    TAKE = "take"
    REQUEST_EVIDENCE = "request evidence"
    RESUBMIT = "resubmit"
    DECIDE = "decide"


@dataclass(frozen=True)
class Step:
    """One transition: the states it leaves from, the state it reaches, the policy action it needs."""

    sources: frozenset[State]
    target: State
    action: policy.Action
    quote: str  # the words for it


OPEN = frozenset({State.SUBMITTED, State.IN_REVIEW, State.EVIDENCE_REQUESTED, State.RESUBMITTED})
"""An application on its way: submitted and not yet decided or withdrawn."""
REVIEWING = frozenset({State.IN_REVIEW, State.RESUBMITTED})
"""Where the assessor works: reviewing the first snapshot, or the one resubmitted."""

STEPS: dict[Transition, Step] = {
    Transition.SUBMIT: Step(
        frozenset({State.DRAFT, State.DECIDED, State.WITHDRAWN}),
        State.SUBMITTED,
        policy.Action.SUBMIT_APPLICATION,
        "Submit (coordinator): only a submission that validates, with its declaration.",
    ),
    Transition.WITHDRAW: Step(
        OPEN,
        State.WITHDRAWN,
        policy.Action.WITHDRAW_APPLICATION,
        "The coordinator may withdraw before a decision.",
    ),
    Transition.ASSIGN: Step(
        frozenset({State.SUBMITTED, State.RESUBMITTED}),
        State.IN_REVIEW,
        policy.Action.ASSIGN_ASSESSOR,
        "Assign (admin, or an assessor taking one from the queue): never an assessor of the "
        "applicant's institution.",
    ),
    Transition.TAKE: Step(
        frozenset({State.SUBMITTED}),
        State.IN_REVIEW,
        policy.Action.TAKE_APPLICATION,
        "Assign (admin, or an assessor taking one from the queue): never an assessor of the "
        "applicant's institution.",
    ),
    Transition.REQUEST_EVIDENCE: Step(
        REVIEWING,
        State.EVIDENCE_REQUESTED,
        policy.Action.REQUEST_EVIDENCE,
        "Request evidence (assessor): each more-evidence decision becomes a request.",
    ),
    Transition.RESUBMIT: Step(
        frozenset({State.EVIDENCE_REQUESTED}),
        State.RESUBMITTED,
        policy.Action.RESUBMIT_APPLICATION,
        "The coordinator answers each with evidence and a note, then resubmits: a new snapshot.",
    ),
    Transition.DECIDE: Step(
        REVIEWING, State.DECIDED, policy.Action.DECIDE_APPLICATION, "Decide (assessor, on a final review)."
    ),
}


@dataclass(frozen=True)
class Facts:
    """What is true of a programme's application when a transition is asked for.

    ``assessor`` is the email of the assessor assigned (None before assignment). The document facts
    are filled in by the caller only for the transition that needs them: ``submission_problems``
    (why the submission does not validate; empty when it does) and ``declared`` for submit and
    resubmit; ``more_evidence`` (criteria the review marks more-evidence) for request evidence;
    ``final`` (the review's outcome is final) for decide; ``awaiting_payment`` when the site makes
    review wait for payment and the invoice is not paid."""

    state: State
    assessor: str | None = None
    submission_problems: tuple[str, ...] = ()
    declared: bool = True
    more_evidence: tuple[str, ...] = ()
    final: bool = False
    review_problem: str | None = None
    awaiting_payment: bool = False


def transition_to(
    target: State | str, current: State, person: policy.Person, assessor: str | None = None
) -> Transition | str:
    """The transition that moves an application in ``current`` to ``target`` when ``person`` asks
    (``assessor``: the email an assignment names), or why there is none, in words."""
    try:
        wanted = State(target)
    except ValueError:
        return f"{target!r} is not a state; the states are {', '.join(s.value for s in State)}"
    if wanted is State.IN_REVIEW:
        takes = assessor is None or assessor.casefold() == person.email.casefold()
        if takes and policy.Role.ASSESSOR in person.roles and current is State.SUBMITTED:
            return Transition.TAKE
        return Transition.ASSIGN
    for transition, step in STEPS.items():
        if step.target is wanted and transition not in (Transition.ASSIGN, Transition.TAKE):
            return transition
    return f"no step leads back to {wanted.value}: an application, once submitted, is never a draft again"


def refusal(
    person: policy.Person,
    transition: Transition,
    programme: policy.Programme,
    facts: Facts,
    assignee: policy.Person | None = None,
) -> str | None:
    """Why ``person`` may not make ``transition`` now, in words; None when they may.

    The policy is asked first (who may make it: a refusal a page answers with 403), then the state
    (a step that cannot be made from here), then what the step needs of the documents (both 409)."""
    step = STEPS[transition]
    if not policy.can(person, step.action, programme):
        return role_refusal(person, transition)
    if facts.state not in step.sources:
        return _wrong_state(transition, step, facts.state)
    return _needs(person, transition, programme, facts, assignee)


def role_refusal(person: policy.Person, transition: Transition) -> str:
    return f"{_who(person)} may not {transition.value} this application: {STEPS[transition].quote}"


def _wrong_state(transition: Transition, step: Step, state: State) -> str:
    sources = " or ".join(sorted(s.value for s in step.sources))
    return f"cannot {transition.value}: the application is {state.value}, and this step is made only when it is {sources}"


def _who(person: policy.Person) -> str:
    roles = ", ".join(sorted(r.value for r in person.roles)) or "no role"
    return f"{person.email} ({roles})"


def _needs(
    person: policy.Person,
    transition: Transition,
    programme: policy.Programme,
    facts: Facts,
    assignee: policy.Person | None,
) -> str | None:
    if transition in (Transition.SUBMIT, Transition.RESUBMIT):
        if facts.submission_problems:
            return "the submission does not validate: " + "; ".join(facts.submission_problems)
        if not facts.declared:
            return "the submission has no declaration: the coordinator signs it (name, role, date) before submitting"
    if transition is Transition.ASSIGN:
        return _assignment_refusal(assignee, programme, facts)
    if transition is Transition.TAKE and facts.awaiting_payment:
        return "review waits for payment on this site, and the invoice is not paid yet"
    if transition in (Transition.REQUEST_EVIDENCE, Transition.DECIDE):
        return _assessor_refusal(person, transition, facts)
    return None


def _assignment_refusal(
    assignee: policy.Person | None, programme: policy.Programme, facts: Facts
) -> str | None:
    if assignee is None:
        return "say which assessor to assign (their email): there is no such person on this site"
    if facts.awaiting_payment:
        return "review waits for payment on this site, and the invoice is not paid yet"
    if policy.Role.ASSESSOR not in assignee.roles:
        return f"{assignee.email} is not an assessor"
    if not policy.may_assess(assignee, programme):
        return f"{assignee.email} may not assess it: never an assessor of the applicant's institution"
    return None


def _assessor_refusal(person: policy.Person, transition: Transition, facts: Facts) -> str | None:
    if facts.assessor is None or facts.assessor.casefold() != person.email.casefold():
        named = facts.assessor or "nobody yet"
        return f"only the assessor assigned to this application ({named}) may {transition.value}"
    if facts.review_problem:
        return facts.review_problem
    if transition is Transition.REQUEST_EVIDENCE and not facts.more_evidence:
        return "the review asks for no more evidence: mark a criterion more-evidence, with your words, first"
    if transition is Transition.DECIDE and not facts.final:
        return "the review is not final: every claimed criterion needs a decision, and no evidence may be outstanding"
    return None


def replay(transitions: list[tuple[Transition, State]]) -> State:
    """The state a programme's recorded steps lead to, from draft, each step checked against the
    table: the audit trail replays to the current state (a step that could not have been made from
    where the trail stood is an error)."""
    state = State.DRAFT
    for transition, recorded in transitions:
        step = STEPS[transition]
        if state not in step.sources or recorded is not step.target:
            raise ValueError(f"{transition.value} cannot lead from {state.value} to {recorded.value}")
        state = step.target
    return state
