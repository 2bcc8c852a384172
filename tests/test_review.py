"""The assessor's review, rule by rule.

"The assessor will award an outcome for each pillar and the overall accreditation.
 These cannot be appealed against, however the assessor will contact the applicant
 prior to this to request more evidence if a criteria does not meet the threshold."
"""

from __future__ import annotations

import json
import subprocess
import sys
from datetime import date
from pathlib import Path
from typing import Any

import pytest
import yaml
from click.testing import CliRunner
from hypothesis import given, settings
from hypothesis import strategies as st
from pypdf import PdfReader

from nums.cli import cli
from nums.edition_loading import load_edition
from nums.outcome import review_outcome
from nums.review import Decision, Review
from nums.standard import Edition
from nums.submission import load_submission
from tests.builders import dump_yaml
from tests.conftest import EXAMPLES, RULES_EDITION

PEER = EXAMPLES / "peer-mentoring"
COMBINED = EXAMPLES / "department-combined"


def run(*args: str) -> tuple[int, str]:
    result = CliRunner().invoke(cli, ["review", *map(str, args)])
    return result.exit_code, result.output


def example_review() -> dict[str, Any]:
    return yaml.safe_load((PEER / "review.yaml").read_text())


def write(folder: Path, data: dict[str, Any], name: str = "review.yaml") -> Path:
    path = folder / name
    path.write_text(dump_yaml(data))
    return path


def review_json(
    folder: Path, data: dict[str, Any], submission: Path = PEER / "submission.yaml"
) -> dict[str, Any]:
    code, output = run(submission, write(folder, data), "--json")
    assert code == 0, output
    return json.loads(output)


def test_the_example_review_is_provisional_with_a_request_that_would_raise_the_outcome(
    tmp_path: Path,
) -> None:
    result = review_json(tmp_path, example_review())
    assert result["status"] == "provisional"
    assert result["overall"] | {"cap_reason": None, "reasons": [], "notes": []} == {
        "level": "bronze",
        "cap": "silver",
        "cap_reason": None,
        "outcome": "bronze",
        "applied_level": "silver",
        "accreditable": True,
        "reasons": [],
        "notes": [],
    }
    assert result["evidence_requests"] == [
        {
            "criterion": "diversity.2",
            "comment": result["evidence_requests"][0]["comment"],
            "would_raise": True,
            "raises": ["diversity", "outcome"],
            "raises_in_words": "would raise Diversity and Inclusion, and the outcome",
        }
    ]
    assert result["valid_from"] is None and result["valid_until"] is None
    assert result["pillars"]["celebration"]["rejected"] == ["celebration.2"]
    assert result["pillars"]["diversity"]["self_rating"] == "silver"


def test_a_final_review_is_valid_for_one_year_from_its_date(tmp_path: Path) -> None:
    """'Accreditation ... lasts for one year'; the next level after six months at this one."""
    data = example_review()
    data["decisions"]["diversity.2"] = {"decision": "accepted", "comment": "Profile received."}
    result = review_json(tmp_path, data)
    assert result["status"] == "final"
    assert result["overall"]["outcome"] == "silver"
    assert (result["valid_from"], result["valid_until"]) == ("2026-03-20", "2027-03-19")
    assert (result["next_level"], result["next_level_from"]) == ("gold", "2026-09-20")


def test_undecided_claims_keep_the_review_provisional(tmp_path: Path) -> None:
    data = example_review()
    data["decisions"]["diversity.2"] = {"decision": "accepted"}
    del data["decisions"]["aims.1"]
    result = review_json(tmp_path, data)
    assert result["status"] == "provisional" and result["undecided"] == ["aims.1"]
    assert result["evidence_requests"] == []


def test_rejections_lower_the_outcome(tmp_path: Path) -> None:
    """Six of seven: with Celebration at Bronze, one more pillar at Bronze brings the outcome down."""
    data = example_review()
    data["decisions"]["diversity.2"] = {"decision": "accepted"}
    assert review_json(tmp_path, data)["overall"]["outcome"] == "silver"
    data["decisions"]["aims.5"] = {"decision": "rejected", "comment": "No careers session took place."}
    result = review_json(tmp_path, data)
    assert result["pillars"]["aims"]["level"] == "bronze"  # Silver in Aims needs both of its items
    assert result["overall"]["level"] == "bronze" and result["overall"]["outcome"] == "bronze"
    # Bronze is the level already held (valid through 2026-05-11) and was applied for in time, so
    # the award continues it from the day after its last valid day: no paid time is lost.
    assert result["status"] == "final"
    assert (result["valid_from"], result["valid_until"]) == ("2026-05-12", "2027-05-11")


def test_an_override_sets_the_pillar_level_and_must_give_a_reason(tmp_path: Path) -> None:
    data = example_review()
    data["decisions"]["diversity.2"] = {"decision": "accepted"}
    data["overrides"] = {
        "training": {"level": "bronze", "reason": "Skills are not yet checked after training."}
    }
    result = review_json(tmp_path, data)
    assert result["pillars"]["training"]["level"] == "bronze"
    assert result["pillars"]["training"]["computed_level"] == "silver"
    assert result["pillars"]["training"]["override"]["reason"].startswith("Skills")
    assert result["overall"]["outcome"] == "bronze"
    data["overrides"] = {"celebration": {"level": "silver", "reason": "Case studies seen at the visit."}}
    assert review_json(tmp_path, data)["pillars"]["celebration"]["level"] == "silver"
    data["overrides"] = {"celebration": {"level": None, "reason": "No celebration at all this year."}}
    assert review_json(tmp_path, data)["pillars"]["celebration"]["level"] is None


def test_accepting_an_unclaimed_criterion_counts_and_is_flagged(tmp_path: Path) -> None:
    data = example_review()
    data["decisions"]["diversity.2"] = {"decision": "accepted"}
    data["decisions"]["celebration.3"] = {"decision": "accepted", "comment": "Seen in the newsletter."}
    data["decisions"]["celebration.2"] = {"decision": "accepted", "comment": "Case studies now published."}
    result = review_json(tmp_path, data)
    assert result["accepted_unclaimed"] == ["celebration.3"]
    assert result["pillars"]["celebration"]["level"] == "silver"


@pytest.mark.parametrize(
    ("change", "message"),
    [
        (lambda d: d["decisions"].update({"aims.9": {"decision": "accepted"}}), "unknown criterion 'aims.9'"),
        (lambda d: d["decisions"].update({"aims.1": {"decision": "approved"}}), "decisions.aims.1.decision"),
        (lambda d: d.update({"date": date(2026, 2, 1)}), "before the application (2026-03-02)"),
        (
            lambda d: d.update({"overrides": {"training": {"level": "bronze"}}}),
            "an override must give its reason",
        ),
        (
            lambda d: d.update({"overrides": {"trainin": {"level": "bronze", "reason": "x"}}}),
            "did you mean 'training'",
        ),
        (
            lambda d: d.update({"overrides": {"training": {"level": "platinum", "reason": "x"}}}),
            "unknown level",
        ),
        (lambda d: d["decisions"].update({"training.1": {"decision": "accepted"}}), "decide each topic"),
        (lambda d: d.update({"reviewer": {"name": ""}}), "reviewer.name"),
    ],
)
def test_bad_reviews_are_reported_for_people(tmp_path: Path, change: Any, message: str) -> None:
    data = example_review()
    change(data)
    code, output = run(PEER / "submission.yaml", write(tmp_path, data))
    assert code == 2, output
    assert message in output and "Traceback" not in output
    assert "review.yaml:" in output


def test_init_lists_every_claimed_criterion(tmp_path: Path) -> None:
    target = tmp_path / "review.yaml"
    code, output = run(PEER / "submission.yaml", "--init", "-o", target)
    assert code == 0, output
    text = target.read_text()
    claimed = [
        i for i, c in yaml.safe_load((PEER / "submission.yaml").read_text())["criteria"].items() if c["met"]
    ]
    for ident in claimed:
        assert f"\n  {ident}:\n    decision:" in text
    assert "Statement: The scheme helps first-year students" in text
    assert run(PEER / "submission.yaml", "--init", "-o", target)[0] == 2  # no overwrite without --force


def test_a_pack_pdf_can_be_reviewed(tmp_path: Path) -> None:
    """SUBMISSION may be a pack PDF: the review reads the embedded submission."""
    for extra in ([], ["--attach-evidence"]):
        pdf = tmp_path / f"pack{len(extra)}.pdf"
        result = CliRunner().invoke(cli, ["pack", str(PEER / "submission.yaml"), "-o", str(pdf), *extra])
        assert result.exit_code == 0, result.output
        from_pack = review_json(tmp_path, example_review(), pdf)
        from_yaml = review_json(tmp_path, example_review())
        assert from_pack["pillars"] == from_yaml["pillars"] and from_pack["overall"] == from_yaml["overall"]
    code, _ = run(pdf, "--init", "-o", tmp_path / "from-pack.yaml")
    assert code == 0 and "diversity.2:" in (tmp_path / "from-pack.yaml").read_text()


def test_reaccreditation_is_decided_on_continuation(tmp_path: Path) -> None:
    data = {"reviewer": {"name": "A. Assessor"}, "date": date(2026, 5, 1), "decisions": {}}
    for ident in ("diversity.4", "diversity.5", "celebration.1"):
        data["decisions"][ident] = {"decision": "accepted"}
    result = review_json(tmp_path, data, COMBINED / "submission.yaml")
    assert result["status"] == "provisional" and result["undecided"] == ["continuation"]
    data["decisions"]["continuation"] = {
        "decision": "accepted",
        "comment": "All three programmes ran in 2025-26.",
    }
    result = review_json(tmp_path, data, COMBINED / "submission.yaml")
    assert result["status"] == "final" and result["overall"]["outcome"] == "silver"
    # A renewal applied for in time continues the Silver award (valid through 2026-06-01):
    # its year starts the day after, not on the review date, so no paid time is lost.
    assert (result["valid_from"], result["valid_until"]) == ("2026-06-02", "2027-06-01")
    data["decisions"]["continuation"] = {
        "decision": "more-evidence",
        "comment": "Send the participation data.",
    }
    result = review_json(tmp_path, data, COMBINED / "submission.yaml")
    assert result["evidence_requests"][0]["criterion"] == "continuation"
    assert result["evidence_requests"][0]["raises"] == ["outcome"]


def test_the_letter(tmp_path: Path) -> None:
    """The letter states the outcome, the dates, the requests, and that outcomes cannot be appealed."""
    data = example_review()
    first, second = tmp_path / "a.pdf", tmp_path / "b.pdf"
    review = write(tmp_path, data)
    for target in (first, second):
        code, output = run(PEER / "submission.yaml", review, "--letter", target)
        assert code == 0, output
    assert first.read_bytes() == second.read_bytes()
    text = " ".join(page.extract_text() for page in PdfReader(str(first)).pages)
    text = " ".join(text.split())
    assert "PROVISIONAL" in text and "diversity.2" in text and "cannot be appealed" in text
    data["decisions"]["diversity.2"] = {"decision": "accepted"}
    final = tmp_path / "final.pdf"
    code, output = run(PEER / "submission.yaml", write(tmp_path, data, "final.yaml"), "--letter", final)
    text = " ".join(" ".join(page.extract_text() for page in PdfReader(str(final)).pages).split())
    assert "accreditation at Silver, valid from 2026-03-20 to 2027-03-19" in text
    assert "Gold may be applied for from 2026-09-20" in text and "PROVISIONAL" not in text


def test_a_review_without_a_letter_does_not_import_weasyprint() -> None:
    code = (
        "import sys\nfrom nums.cli import cli\n"
        f"try:\n    cli.main(['review', {str(PEER / 'submission.yaml')!r}, {str(PEER / 'review.yaml')!r}, '--json'],"
        " standalone_mode=False)\nexcept SystemExit:\n    pass\n"
        "print('weasyprint' in sys.modules)"
    )
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert result.stdout.strip().endswith("False")


EDITION = load_edition(RULES_EDITION)
SUBMISSION = load_submission(PEER / "submission.yaml", EDITION)
IDS = [item.id for item in EDITION.items]


def _outcome(edition: Edition, accepted: set[str]) -> str | None:
    decisions = {i: Decision(decision="accepted") for i in accepted}
    review = Review(
        PEER / "review.yaml", reviewer=None, date=date(2026, 3, 20), decisions=decisions, overrides={}
    )  # type: ignore[arg-type]
    return review_outcome(edition, SUBMISSION, review, {}).outcome


@given(st.sets(st.sampled_from(IDS)), st.sets(st.sampled_from(IDS)))
@settings(max_examples=150, deadline=None)
def test_accepting_more_criteria_never_lowers_the_outcome(base: set[str], extra: set[str]) -> None:
    assert EDITION.rank(_outcome(EDITION, base | extra)) >= EDITION.rank(_outcome(EDITION, base))
