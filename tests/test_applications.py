"""Combined applications, what a reaccreditation covers, fees that follow the verdict,
reminders before the year runs out, and reaccreditation reviews decided on continuation.

Each test quotes the sentence of the standard (or the reading in rules.yaml) it checks.
"""

from __future__ import annotations

import json
from datetime import date
from pathlib import Path
from typing import Any

import yaml
from click.testing import CliRunner

from nums.cli import cli
from nums.evaluation import assess
from nums.standard import Edition
from nums.submission import load_submission
from tests.builders import submission_data, write_submission

CONTINUATION = {
    "statement": "The programme ran again this year with the same handbook and coordinator.",
    "evidence": [{"title": "Handbook", "file": "evidence/handbook.txt"}],
}


def combined(
    *programmes: dict[str, Any], combined_approach: str | None = None, **options: Any
) -> dict[str, Any]:
    """A combined application of programmes that differ from the builder's one by the given fields."""
    data = submission_data(**options)
    base = data.pop("programme")
    data["programmes"] = [{**base, **changes} for changes in programmes]
    if combined_approach is not None:
        data["combined_approach"] = combined_approach
    return data


def assessed(tmp_path: Path, edition: Edition, data: dict[str, Any], today: date | None = None) -> Any:
    return assess(edition, load_submission(write_submission(tmp_path, data), edition), today=today)


# --- combined applications ----------------------------------------------------------
# "Accreditation applies for single mentoring programmes, unless there is a combined approach and
#  shared expectations across several mentoring programmes, for example those being run in the same
#  department by one coordinator."


def test_programmes_of_different_institutions_cannot_be_accredited_as_one(
    tmp_path: Path, edition: Edition
) -> None:
    data = combined(
        {"name": "Peer A"}, {"name": "Peer B", "institution": "Other University"}, {"name": "Peer C"}
    )
    result = assessed(tmp_path, edition, data)
    assert not result.eligibility.accreditable and result.awardable is None
    [reason] = result.eligibility.reasons
    assert "different institutions" in reason
    assert "Test University: Peer A, Peer C" in reason and "Other University: Peer B" in reason


def test_a_combined_application_without_a_shared_approach_gets_a_note(
    tmp_path: Path, edition: Edition
) -> None:
    data = combined({"name": "Peer A"}, {"name": "Peer B"})
    result = assessed(tmp_path, edition, data)
    assert result.eligibility.accreditable
    assert any("combined_approach" in note for note in result.eligibility.notes)
    data["combined_approach"] = "One coordinator, one handbook, joint training for all mentors."
    result = assessed(tmp_path, edition, data)
    assert not any("combined_approach" in note for note in result.eligibility.notes)


def test_different_coordinators_or_departments_are_named_for_the_assessor(
    tmp_path: Path, edition: Edition
) -> None:
    data = combined(
        {"name": "Peer A", "department": "Physics"},
        {"name": "Peer B", "department": "Chemistry", "coordinator": {"name": "R. Other"}},
        combined_approach="A shared handbook.",
    )
    result = assessed(tmp_path, edition, data)
    assert result.eligibility.accreditable, "the assessor judges: it stays accreditable"
    notes = " ".join(result.eligibility.notes)
    assert "different coordinators (T. Coordinator: Peer A; R. Other: Peer B)" in notes
    assert "different departments (Physics: Peer A; Chemistry: Peer B)" in notes


def test_each_programme_counts_on_its_own_for_not_started(tmp_path: Path, edition: Edition) -> None:
    """ "we cannot accredit a programme that has not been started"."""
    data = combined(
        {"name": "Running"}, {"name": "Planned", "started": date(2026, 9, 1)}, combined_approach="x"
    )
    result = assessed(tmp_path, edition, data)
    assert not result.eligibility.accreditable
    assert [r for r in result.eligibility.reasons if "Planned has not started by 2026-03-02" in r]
    assert not [r for r in result.eligibility.reasons if "Running" in r]


# --- what a reaccreditation covers -----------------------------------------------------
# "applications for reaccreditation at the same level only need to evidence continuation of provision"


SILVER = [{"level": "bronze", "awarded": date(2024, 3, 1)}, {"level": "silver", "awarded": date(2025, 4, 10)}]


def renewal(*programmes: dict[str, Any], history: list[dict[str, Any]] = SILVER) -> dict[str, Any]:
    data = combined(
        *programmes,
        level="silver",
        kind="reaccreditation",
        history=history,
        combined_approach="Shared handbook.",
    )
    data["continuation"] = CONTINUATION
    return data


def test_a_programme_started_after_the_award_is_not_covered(tmp_path: Path, edition: Edition) -> None:
    data = renewal(
        {"name": "Peer Mentoring", "started": date(2023, 9, 1)},
        {"name": "Chemistry Outreach Mentoring", "started": date(2025, 1, 6)},
    )
    data["history"] = [
        {"level": "silver", "awarded": date(2024, 4, 10)},
        {"level": "silver", "awarded": date(2025, 4, 10)},
    ]
    result = assessed(tmp_path, edition, data)
    assert result.awardable is None
    assert (
        "Chemistry Outreach Mentoring started on 2025-01-06, after the Silver award of 2024-04-10, so it is not "
        "covered by it: it needs a full application"
    ) in result.eligibility.reasons
    fees = {fee.name: fee.kind for fee in result.fees}
    assert fees == {"Peer Mentoring": "reaccreditation", "Chemistry Outreach Mentoring": "initial"}


def test_an_award_that_lists_its_programmes_covers_only_those(tmp_path: Path, edition: Edition) -> None:
    history = [
        {"level": "bronze", "awarded": date(2024, 3, 1)},
        {"level": "silver", "awarded": date(2025, 4, 10), "programmes": ["Peer A", "Peer  b"]},
    ]
    result = assessed(tmp_path, edition, renewal({"name": "Peer A"}, {"name": "Peer B"}, history=history))
    assert result.awardable == "silver", "names match ignoring case and spacing"
    result = assessed(tmp_path, edition, renewal({"name": "Peer A"}, {"name": "Peer C"}, history=history))
    assert result.awardable is None
    assert any(
        r.startswith("Peer C is not among the programmes the Silver award of 2025-04-10 covered")
        for r in result.eligibility.reasons
    )


# --- fees follow what the application is -------------------------------------------------


def test_a_lapsed_reaccreditation_is_priced_as_a_full_application(tmp_path: Path, edition: Edition) -> None:
    """ "Applicants seeking to change level will need to submit a full application"; so does a lapsed one."""
    data = submission_data(
        level="silver", kind="reaccreditation", history=[{"level": "silver", "awarded": date(2024, 2, 28)}]
    )
    data["continuation"] = CONTINUATION
    [fee] = assessed(tmp_path, edition, data).fees
    assert (fee.kind, fee.reason) == (
        "initial",
        "priced as a full application: the Silver award lapsed on 2025-02-27",
    )


def test_the_pack_fee_page_prices_what_the_application_is(tmp_path: Path) -> None:
    from pypdf import PdfReader

    data = submission_data(
        level="silver", kind="reaccreditation", history=[{"level": "silver", "awarded": date(2024, 2, 28)}]
    )
    data["continuation"] = CONTINUATION
    path = write_submission(tmp_path / "p", data)
    result = CliRunner().invoke(cli, ["pack", str(path), "-o", str(tmp_path / "pack.pdf")])
    assert result.exit_code == 0, result.output
    text = " ".join(
        " ".join(page.extract_text() for page in PdfReader(str(tmp_path / "pack.pdf")).pages).split()
    )
    assert "priced as a full application: the Silver award lapsed on 2025-02-27" in text
    assert "£350.00" in text


# --- reminders before the year runs out ---------------------------------------------------
# "Accreditation ... lasts for one year"; a lapsed programme is a new applicant and starts at Bronze.


def test_a_lapse_within_ninety_days_is_warned_about(tmp_path: Path, edition: Edition) -> None:
    """An application dated after the award's last valid day does not keep it in force, so the
    lapse is warned about in words that say how to keep it."""
    history = [
        {"level": "silver", "awarded": date(2025, 4, 10)},
        {"level": "bronze", "awarded": date(2024, 3, 1)},
    ]
    data = submission_data(level="gold", history=history, applied=date(2026, 4, 20))
    [warning] = assessed(tmp_path, edition, data).warnings
    assert warning.startswith("Silver lapsed on 2026-04-09, before the application date (2026-04-20)")
    sub = load_submission(write_submission(tmp_path / "a", data), edition)
    [warning] = assess(edition, sub, on=date(2026, 3, 1)).warnings
    assert warning == (
        "Silver lapses on 2026-04-09: this application is dated 2026-04-20, after that day; an application "
        "made by that day keeps Silver in force until its outcome is final; without one the programme is a "
        "new applicant again and starts at Bronze"
    )
    early = assess(edition, sub, on=date(2025, 12, 1)).warnings
    assert not [w for w in early if "lapses on" in w], "129 days ahead: no warning yet"


def test_an_application_made_in_time_needs_no_second_application(tmp_path: Path, edition: Edition) -> None:
    """ "An application made on or before the held award's last valid day keeps that award in force
    until the outcome is final": no warning urges a reaccreditation beside a full application, and
    nothing says "if Gold is not awarded by then" next to "Gold cannot be awarded yet"."""
    history = [
        {"level": "silver", "awarded": date(2025, 4, 10)},
        {"level": "bronze", "awarded": date(2024, 3, 1)},
    ]
    data = submission_data(level="gold", history=history, applied=date(2026, 1, 20))
    for folder, today in (("a", None), ("b", date(2026, 3, 1)), ("c", date(2026, 6, 1))):
        result = assessed(tmp_path / folder, edition, data, today=today)
        assert result.warnings == (), today
    path = write_submission(tmp_path / "d", data)
    text = " ".join(CliRunner().invoke(cli, ["assess", str(path)]).output.split())
    assert "apply for reaccreditation" not in text and "is not awarded by then" not in text
    assert (
        "This application (2026-01-20) is made on or before Silver's last valid day (2026-04-09), so Silver "
        "stays in force until its outcome is final" in text
    )
    out = json.loads(CliRunner().invoke(cli, ["assess", str(path), "--json", "--on", "2026-05-01"]).stdout)
    assert out["eligibility"]["held_level"] == "silver", "kept in force past its year, on 2026-05-01"
    assert out["eligibility"]["in_force"] == {
        "on": "2026-05-01",
        "level": "silver",
        "awarded": "2025-04-10",
        "last_valid_day": "2026-04-09",
        "in_force_until": None,
        "until_outcome": True,
        "kept_by_application": "2026-01-20",
        "lapsed": None,
    }
    assert out["eligibility"]["held_until_outcome"] is True
    assert not [w for w in out["warnings"] if "lapse" in w]


def test_a_lapsed_award_is_said_so_with_its_day(tmp_path: Path, edition: Edition) -> None:
    data = submission_data(
        level="silver", history=[{"level": "bronze", "awarded": date(2024, 2, 29)}], applied=date(2025, 3, 3)
    )
    [warning] = assessed(tmp_path, edition, data).warnings
    assert warning.startswith("Bronze lapsed on 2025-02-28, before the application date (2025-03-03)")
    assert "new applicant again and starts at Bronze" in warning


def test_a_timely_renewal_needs_no_reminder(tmp_path: Path, edition: Edition) -> None:
    data = renewal({"name": "Peer A"})
    data["application"]["date"] = date(2026, 3, 20)
    assert assessed(tmp_path, edition, data).warnings == ()


def test_the_window_for_the_next_level_is_stated(tmp_path: Path) -> None:
    """ "must spend at least six months at Silver": from then until the Silver award's last valid day."""
    data = submission_data(level="silver", history=SILVER, applied=date(2026, 1, 20))
    path = write_submission(tmp_path, data)
    result = CliRunner().invoke(cli, ["assess", str(path)])
    text = " ".join(result.output.split())
    assert (
        "May apply for Gold from 2025-10-10 (6 months at Silver) until Silver's last valid day, 2026-04-09"
        in text
    )
    out = json.loads(CliRunner().invoke(cli, ["assess", str(path), "--json"]).stdout)
    assert out["eligibility"]["next_level_until"] == "2026-04-09"


# --- a reaccreditation review is final when its continuation is decided ------------------------


def test_a_reaccreditation_review_is_final_once_continuation_is_decided(tmp_path: Path) -> None:
    """Only continuation counts for a same-level reaccreditation; included criteria are optional."""
    data = renewal({"name": "Peer A"})
    data["criteria"] = {
        "aims.1": {
            "met": True,
            "statement": "Our aims.",
            "evidence": [{"title": "H", "file": "evidence/handbook.txt"}],
        },
        "aims.2": {
            "met": True,
            "statement": "Our leaflet.",
            "evidence": [{"title": "H", "file": "evidence/handbook.txt"}],
        },
    }
    data["application"]["date"] = date(2026, 3, 1)
    submission = write_submission(tmp_path / "s", data)
    review = {
        "reviewer": {"name": "A. Assessor"},
        "date": date(2026, 5, 2),
        "decisions": {
            "continuation": {"decision": "accepted"},
            "aims.1": {"decision": "more-evidence", "comment": "?"},
        },
    }
    path = tmp_path / "review.yaml"
    path.write_text(yaml.safe_dump(review, sort_keys=False))
    result = CliRunner().invoke(cli, ["review", str(submission), str(path), "--json"])
    out = json.loads(result.stdout)
    assert out["status"] == "final" and out["overall"]["outcome"] == "silver"
    assert out["optional_undecided"] == ["aims.2"]
    assert (out["valid_from"], out["valid_until"]) == ("2026-04-10", "2027-04-09")
    text = CliRunner().invoke(cli, ["review", str(submission), str(path)]).output
    assert "a reaccreditation does not need them" in text
    review["decisions"]["continuation"] = {"decision": "rejected", "comment": "Not running this year."}
    path.write_text(yaml.safe_dump(review, sort_keys=False))
    out = json.loads(CliRunner().invoke(cli, ["review", str(submission), str(path), "--json"]).stdout)
    assert out["status"] == "final" and out["overall"]["outcome"] is None
