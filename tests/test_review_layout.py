"""A review written by the app in the `nums review --init` layout reads back exactly as written,
whatever the assessor typed (issue 14: 'which nums review reads back unchanged')."""

from __future__ import annotations

from pathlib import Path

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from nums.review import review_from_text
from nums.skeleton import review_skeleton
from nums.standard import Edition
from nums.submission import load_submission
from tests.conftest import EXAMPLES

WORDS = st.sampled_from([None, "accepted", "rejected", "more-evidence"])
TEXT = st.text(st.characters(blacklist_categories=("Cs",)), max_size=60)


def test_an_empty_review_is_exactly_the_init_skeleton(edition: Edition) -> None:
    """With nothing filled in, the filled layout is the skeleton `nums review --init` writes."""
    submission = load_submission(EXAMPLES / "peer-mentoring" / "submission.yaml", edition)
    skeleton = review_skeleton(edition, submission, "abc")
    assert review_skeleton(edition, submission, "abc", {"overrides": {}, "decisions": {}}) == skeleton


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(
    name=TEXT.filter(lambda s: s.strip() != ""),
    comments=st.dictionaries(
        st.sampled_from(["aims.1", "aims.2", "training.1.a", "celebration.3"]),
        st.tuples(WORDS, TEXT),
        max_size=4,
    ),
    reason=TEXT.filter(lambda s: s.strip() != ""),
)
def test_what_is_written_reads_back_the_same(
    edition: Edition, name: str, comments: dict, reason: str
) -> None:
    submission = load_submission(EXAMPLES / "peer-mentoring" / "submission.yaml", edition)
    document = {
        "reviewer": {"name": name},
        "date": "2026-03-20",
        "overrides": {"training": {"level": "bronze", "reason": reason}},
        "decisions": {
            ident: {"decision": word, "comment": comment} for ident, (word, comment) in comments.items()
        },
    }
    text = review_skeleton(edition, submission, "abc", document)
    review = review_from_text(text, Path("review.yaml"), edition, submission)
    assert review.reviewer.name == name
    assert review.overrides["training"].reason == reason
    for ident, (word, comment) in comments.items():
        assert (review.decisions[ident].decision, review.decisions[ident].comment) == (word, comment)
