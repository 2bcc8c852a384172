"""A property of the journey (issue 23): "a property that the audit trail replays to the current
state". Any sequence of steps asked for by anyone, allowed or refused, leaves a trail that replays,
through the state machine's table, to the state the programme is in; a refused step changes
nothing and records nothing."""

from __future__ import annotations

import json

from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st

from nums.site import audit, journey
from nums.site.states import State, Transition, replay
from tests import journey_support, site_support
from tests.journey_support import EMAILS, PROGRAMME, JourneySite

engine, quick_hashes, journey_site = site_support.engine, site_support.quick_hashes, journey_support.journey

WHO = sorted(EMAILS)
LIKELY = [  # the steps as the people make them, so that runs go the whole way often
    ("coordinator", State.SUBMITTED.value, None),
    ("assessor", State.IN_REVIEW.value, None),
    ("assessor", State.EVIDENCE_REQUESTED.value, None),
    ("coordinator", State.RESUBMITTED.value, None),
    ("assessor", State.DECIDED.value, None),
    ("coordinator", State.WITHDRAWN.value, None),
]
ASKED = st.one_of(
    st.sampled_from(LIKELY),
    st.sampled_from(LIKELY),
    st.tuples(st.sampled_from(WHO), st.sampled_from([s.value for s in State]), st.none()),
    st.tuples(st.just("admin"), st.just(State.IN_REVIEW.value), st.sampled_from([EMAILS["assessor"], EMAILS["home assessor"]])),
    st.tuples(st.just("review"), st.sampled_from(["final", "asks for evidence"]), st.none()),
)  # fmt: skip


def set_review(j: JourneySite, final: bool) -> None:
    path = j.folder / "review.yaml"
    text = path.read_text(encoding="utf-8")
    words = ("decision: more-evidence", "decision: accepted")
    if not final:
        words = words[::-1]
    # the one decision the example leaves asking for more evidence is diversity.2's
    head, tail = text.split("  diversity.2:\n", 1)
    path.write_text(head + "  diversity.2:\n" + tail.replace(words[0], words[1], 1), encoding="utf-8")


def replayed(j: JourneySite) -> tuple[State, State, int]:
    with j.site.transaction() as db:
        events = audit.events(db, PROGRAMME)
        steps = [json.loads(e.detail) for e in events if e.what == audit.STATE_CHANGED]
        state = replay([(Transition(d["transition"]), State(d["state"])) for d in steps])
        return state, journey.state_of(db, PROGRAMME), len(events)


@settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(asked=st.lists(ASKED, min_size=1, max_size=10))
@example(asked=[*LIKELY[:4], ("review", "final", None), ("assessor", "decided", None), LIKELY[0], LIKELY[-1]])
def test_the_audit_trail_replays_to_the_current_state(journey_site: JourneySite, asked: list) -> None:
    j = journey_site
    for who, to, assessor in asked:
        if who == "review":
            set_review(j, to == "final")
            continue
        _, _, before = replayed(j)
        try:
            journey.move(j.site, j.person(who), PROGRAMME, to, assessor=assessor)
        except journey.Refused as refusal:
            assert refusal.reason and refusal.status in (403, 404, 409)
            assert replayed(j)[2] == before  # refused: nothing recorded
        trail_state, state, _ = replayed(j)
        assert trail_state is state
