"""Every shipped example assesses as its story says."""

from __future__ import annotations

from pathlib import Path

import pytest

from nums.evaluation import UNEVIDENCED, Assessment, assess
from nums.standard import Edition
from nums.submission import load_submission
from tests.conftest import EXAMPLES

ALL = sorted(EXAMPLES.glob("*/submission.yaml"))


def example(edition: Edition, name: str) -> Assessment:
    return assess(edition, load_submission(EXAMPLES / name / "submission.yaml", edition))


def test_there_are_at_least_four_examples() -> None:
    assert len(ALL) >= 4


@pytest.mark.parametrize("path", ALL, ids=lambda p: p.parent.name)
def test_examples_are_clean(edition: Edition, path: Path) -> None:
    """No warnings, and every evidence file cited exists inside the example's folder."""
    submission = load_submission(path, edition)
    assert submission.warnings == ()
    for (_, written), check in submission.evidence_checks.items():
        if written is not None:
            assert check.usable, (written, check.problem)


def test_academic_scheme_reaches_silver_but_is_awarded_bronze(edition: Edition) -> None:
    """'All new applicants are required to complete six months at Bronze level before being able to
    apply for Silver.'"""
    result = example(edition, "academic-mentoring")
    assert result.standing.new_applicant
    assert edition.rank(result.evidence_level) >= edition.rank("silver")
    assert result.standing.cap == "bronze"
    assert result.awardable == "bronze"


def test_peer_scheme_after_six_months_at_bronze_is_awarded_silver(edition: Edition) -> None:
    result = example(edition, "peer-mentoring")
    assert result.standing.held == "bronze"
    assert result.standing.cap == "silver"
    assert result.evidence_level == "silver"
    assert result.awardable == "silver"
    assert any(c.status == UNEVIDENCED for c in result.claims.values())


def test_a_proposal_cannot_be_accredited(edition: Edition) -> None:
    """'we cannot accredit a programme that has not been started.'"""
    result = example(edition, "online-peer-mentoring")
    assert not result.eligibility.accreditable
    assert result.awardable is None
    assert "has not started" in " ".join(result.eligibility.reasons)


def test_combined_programmes_are_reaccredited_on_continuation(edition: Edition) -> None:
    """'applications for reaccreditation at the same level only need to evidence continuation of provision.'"""
    result = example(edition, "department-combined")
    assert len(result.submission.programmes) == 3
    assert result.submission.application.type == "reaccreditation"
    assert result.eligibility.accreditable
    assert result.awardable == result.standing.held == "silver"
