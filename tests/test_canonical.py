"""Writing a document back in `nums init`'s layout loses nothing and changes no assessment."""

from __future__ import annotations

from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from nums.canonical import filled_submission
from nums.edition_loading import load_edition
from nums.evaluation import assess
from nums.render.assessment import assessment_json
from nums.skeleton import submission_skeleton
from nums.standard import Edition
from nums.submission import Declaration, Programme, SubmissionFile, load_submission, parse_submission
from nums.yamlsource import load_yaml, parse_yaml
from tests.conftest import EXAMPLES, RULES_EDITION


@pytest.mark.parametrize("example", sorted(EXAMPLES.glob("*/submission.yaml")), ids=lambda p: p.parent.name)
def test_every_example_assesses_the_same_once_rewritten(edition: Edition, example: Path) -> None:
    text = filled_submission(edition, load_yaml(example).data)
    before = assessment_json(assess(edition, load_submission(example, edition)))
    after = assessment_json(assess(edition, parse_submission(text, edition, example)))
    assert after == before


def test_the_layout_is_init_s_with_each_criterion_s_text_as_a_comment(edition: Edition) -> None:
    """ "Writing from the browser produces the canonical layout (the one nums init writes, with each
    criterion's text as a comment)\"."""
    text = filled_submission(edition, load_yaml(EXAMPLES / "peer-mentoring" / "submission.yaml").data)
    skeleton = submission_skeleton(edition)
    criteria = skeleton[skeleton.index("\ncriteria:") :]
    comments = [line for line in criteria.splitlines() if line.startswith("  # ")]
    assert all(line in text for line in comments)
    ids_in_order = [
        item.id for p in edition.pillars for level in edition.levels for item in p.items_at(level)
    ]
    positions = [text.index(f"\n  {item}:\n") for item in ids_in_order]
    assert positions == sorted(positions)


def test_keys_the_form_does_not_know_are_kept(edition: Edition) -> None:
    document = load_yaml(EXAMPLES / "peer-mentoring" / "submission.yaml").data
    document["reviewer_note"] = {"by": "Sam", "said": "looks good"}
    document["criteria"]["aims.99"] = {"met": True}
    data = parse_yaml(filled_submission(edition, document), "x").data
    assert data["reviewer_note"] == {"by": "Sam", "said": "looks good"}
    assert data["criteria"]["aims.99"] == {"met": True, "statement": "", "evidence": []}
    assert data["programme"]["website"] == document["programme"]["website"]


awkward = st.one_of(
    st.sampled_from(
        [
            "no",
            "yes",
            "null",
            "~",
            "2026-03-02",
            "1e3",
            "*x",
            "&a",
            "# not a comment",
            "a: b",
            "- x",
            "'",
            '"',
            "\\",
            "@",
            "`",
            "%",
            "|",
            ">",
        ]
    ),
    st.text(max_size=40),
    st.text(alphabet=st.sampled_from("a \t\n\r\x00\x7f\x85\u2028\u2029\ufeff\ufffe#:-'\"\\"), max_size=12),
)


EDITION = load_edition(RULES_EDITION)


@settings(max_examples=40, deadline=None)
@given(statement=awkward, title=awkward)
def test_any_text_comes_back_exactly(statement: str, title: str) -> None:
    """Whatever a person types in a statement or a title is what the file holds."""
    edition = EDITION
    document = load_yaml(EXAMPLES / "peer-mentoring" / "submission.yaml").data
    document["criteria"]["aims.1"]["statement"] = statement
    document["criteria"]["aims.1"]["evidence"][0]["title"] = title
    data = parse_yaml(filled_submission(edition, document), "x").data
    assert data["criteria"]["aims.1"]["statement"] == statement
    assert data["criteria"]["aims.1"]["evidence"][0]["title"] == title


def test_every_field_of_the_format_is_written_in_the_models_order(edition: Edition) -> None:
    """ "A file saved by the app reads like one started with nums init: the same key order":
    each mapping's keys follow its model's fields (so `department`, `framework` and
    `declaration` have their places too), whatever order the document held them in."""
    document = load_yaml(EXAMPLES / "peer-mentoring" / "submission.yaml").data
    programme = {
        "name": "Peer mentoring",
        "institution": "Harbourside",
        "coordinator": {"name": "Tom Okafor"},
        "purpose": "peer",
        "mentors": 12,
        "started": "2024-09-01",
        "website": "https://example.org",
        "department": "Student services",
        "framework": "peer-2024",
    }
    document["programme"] = dict(reversed(programme.items()))
    document["declaration"] = {"date": "2026-03-01", "role": "Coordinator", "name": "Tom Okafor"}
    text = filled_submission(edition, document)
    block = text[text.index("\nprogramme:\n") : text.index("\napplication:")]
    positions = [block.index(f"\n  {key}:") for key in Programme.model_fields]
    assert positions == sorted(positions)
    assert list(parse_yaml(text, "x").data["declaration"]) == list(Declaration.model_fields)
    top = [text.index(f"\n{key}:") for key in SubmissionFile.model_fields if f"\n{key}:" in text]
    assert top == sorted(top)
    assert parse_yaml(text, "x").data["programme"] == programme
