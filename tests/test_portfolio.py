"""The university's portfolio: status rows on a date, summary, next year's fees, the
framework question, and the JSON, CSV, calendar and PDF outputs.

"These standards allow universities to gain accreditation and recognition for their
mentoring programmes, or if all of their programmes are run to the same framework or
standard, then a university-wide accreditation can be applied for."
"""

from __future__ import annotations

import json
import shutil
from datetime import date
from pathlib import Path
from typing import Any

import pytest
import yaml
from click.testing import CliRunner
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from nums.cli import cli
from nums.portfolio import held_award, load_row, rows_for, summarise
from nums.prices import load_price_lists
from nums.pricing import QuoteRequest, quote
from nums.render.portfolio import CSV_COLUMNS
from nums.render.quote import quote_json
from nums.standard import Edition
from nums.submission import Award
from tests.builders import submission_data, write_submission
from tests.conftest import EXAMPLES

CASES = Path(__file__).parent / "cases" / "portfolio.yaml"


def portfolio(*args: str) -> tuple[int, str]:
    result = CliRunner().invoke(cli, ["portfolio", *args])
    return result.exit_code, result.output


@pytest.mark.parametrize("case", yaml.safe_load(CASES.read_text()), ids=lambda case: case["name"])
def test_portfolio_case(tmp_path: Path, edition: Edition, case: dict[str, Any]) -> None:
    applied = case.get("applied", case["date"])
    options: dict[str, Any] = {"history": case["history"], "applied": applied}
    if "started" in case:
        options["started"] = case["started"]
    write_submission(tmp_path / "p", submission_data(**options))
    row = load_row(str(tmp_path), "p", case["date"], case["horizon"])
    if "review_award" in case or "decided" in case:  # what a final review adds, through the same function
        awards = [Award(**a) for a in [*case["history"], *filter(None, [case.get("review_award")])]]
        award, lapsed = held_award(
            edition, sorted(awards, key=lambda a: a.awarded), case["date"], applied, case.get("decided")
        )
        found = {"level": award.level if award else None, "awarded": award.awarded if award else None}
        found["valid_until"] = award.valid_until if award else None
        found["in_force_until"] = award.in_force_until if award else None
        found["status"] = "accredited" if award and not lapsed else "lapsed"
    else:
        found = {
            "status": row.status,
            "level": row.award.level if row.award else None,
            "awarded": row.award.awarded if row.award else None,
            "valid_until": row.award.valid_until if row.award else None,
            "in_force_until": row.award.in_force_until if row.award else None,
        }
    for key, expected in case["expect"].items():
        assert found[key] == expected, f"{case['name']}: {key}"


def test_the_examples_as_a_portfolio() -> None:
    code, output = portfolio(str(EXAMPLES), "--on", "2026-04-20", "--json")
    assert code == 0, output
    data = json.loads(output)
    rows = {row["id"]: row for row in data["programmes"]}
    assert set(rows) == {
        "academic-mentoring",
        "department-combined",
        "online-peer-mentoring",
        "peer-mentoring",
    }
    # "An application made on or before the held award's last valid day keeps that award in force
    # until the outcome is final": both have applied in time, so neither is due or lapsing.
    assert rows["peer-mentoring"]["status"] == "accredited"
    assert rows["peer-mentoring"]["award"] == {
        "level": "bronze",
        "awarded": "2025-05-12",
        "valid_until": "2026-05-11",
        "in_force_until": None,
        "until_outcome": True,
    }
    assert rows["department-combined"]["status"] == "accredited"
    assert rows["department-combined"]["award"]["until_outcome"] is True
    assert rows["peer-mentoring"]["review"] == {
        "status": "provisional",
        "outcome": "bronze",
        "open_requests": 1,
    }
    assert rows["online-peer-mentoring"]["status"] == "not-started"
    assert rows["academic-mentoring"]["status"] == "never-accredited"
    assert data["summary"]["lapsing"] == []
    assert data["summary"]["by_level"] == {"bronze": 1, "silver": 1, "gold": 0}
    # Applications made and not yet decided were priced when made: not budgeted again.
    assert [r["id"] for r in data["programmes"] if r["application"]["under_way"]] == [
        "academic-mentoring",
        "department-combined",
        "peer-mentoring",
    ]
    assert data["fees"]["renewal_ids"] == [] and data["fees"]["move_up_ids"] == []
    assert data["university_wide"]["all_same"] is False


def test_fees_are_exactly_what_quote_gives_for_those_counts(edition: Edition) -> None:
    """On 2026-02-01 no example has applied yet: the department's renewal is budgeted."""
    data = json.loads(portfolio(str(EXAMPLES), "--on", "2026-02-01", "--json")[1])
    renewals = data["fees"]["renewals"]
    assert data["fees"]["renewal_ids"] == ["department-combined"]
    expected = quote_json(
        quote(
            load_price_lists(None), QuoteRequest(reaccreditation=3, largest_mentors=22, on=date(2026, 2, 1))
        )
    )
    for key in ("net", "vat", "gross", "tailored", "vat_rate", "valid_until"):
        assert renewals[key] == expected[key]
    assert renewals["lines"][0]["programmes_named"] == [
        "Engineering Peer Mentoring",
        "Engineering Reverse Mentoring",
        "Engineering Career Mentoring",
    ]


def test_a_broken_programme_is_reported_and_never_stops_the_report(tmp_path: Path) -> None:
    shutil.copytree(EXAMPLES / "peer-mentoring", tmp_path / "good")
    (tmp_path / "broken").mkdir()
    (tmp_path / "broken" / "submission.yaml").write_text("programme: [unclosed\n")
    (tmp_path / "bad-review").mkdir()
    shutil.copytree(EXAMPLES / "academic-mentoring", tmp_path / "bad-review", dirs_exist_ok=True)
    (tmp_path / "bad-review" / "review.yaml").write_text("reviewer: {name: X}\ndate: 2026-13-01\n")
    code, output = portfolio(str(tmp_path), "--on", "2026-04-20", "--json")
    assert code == 0, output
    rows = {row["id"]: row for row in json.loads(output)["programmes"]}
    assert rows["good"]["status"] == "accredited"
    assert rows["broken"]["status"] == "invalid" and "broken/submission.yaml:" in rows["broken"]["errors"][0]
    assert rows["bad-review"]["status"] == "invalid" and "review.yaml:2" in " ".join(
        rows["bad-review"]["errors"]
    )
    code, text = portfolio(str(tmp_path), "--on", "2026-04-20")
    assert code == 0 and "invalid" in text


def test_the_csv_opens_in_a_spreadsheet(tmp_path: Path) -> None:
    code, output = portfolio(str(EXAMPLES), "--on", "2026-04-20", "--csv")
    assert code == 0
    assert output.startswith("\ufeff")
    lines = output.lstrip("\ufeff").splitlines()
    assert lines[0] == ",".join(CSV_COLUMNS)
    assert len(lines) == 5
    assert any(
        line.startswith("peer-mentoring,First-Year Peer Mentoring,") and ",2026-05-11," in line
        for line in lines
    )


def test_the_calendar(tmp_path: Path) -> None:
    """RFC 5545, read back with icalendar: stable UIDs, all-day events, an alarm, the same bytes twice.
    On 2026-02-01 the peer-mentoring Silver application (dated 2026-03-02) is not yet made, so its
    Bronze award ends on its last valid day unless reaccreditation is applied for."""
    from icalendar import Calendar

    first, second = tmp_path / "a.ics", tmp_path / "b.ics"
    for target in (first, second):
        code, output = portfolio(str(EXAMPLES), "--on", "2026-02-01", "--ics", str(target))
        assert code == 0, output
    assert first.read_bytes() == second.read_bytes()
    calendar = Calendar.from_ical(first.read_bytes())
    events = {str(e["UID"]): e for e in calendar.walk("VEVENT")}
    assert set(events) == {
        "peer-mentoring/expires@nums.portfolio",
        "peer-mentoring/prepare-renewal@nums.portfolio",
        "peer-mentoring/next-level@nums.portfolio",
        "department-combined/expires@nums.portfolio",
        "department-combined/prepare-renewal@nums.portfolio",
        "department-combined/next-level@nums.portfolio",
    }
    expires = events["peer-mentoring/expires@nums.portfolio"]
    assert expires.decoded("DTSTART") == date(2026, 5, 11) and expires.decoded("DTEND") == date(2026, 5, 12)
    assert "First-Year Peer Mentoring" in str(expires["SUMMARY"]) and "Bronze" in str(expires["SUMMARY"])
    prepare = events["peer-mentoring/prepare-renewal@nums.portfolio"]
    assert prepare.decoded("DTSTART") == date(2026, 3, 12)  # 60 days before the last valid day
    assert [a["ACTION"] for a in prepare.walk("VALARM")] == ["DISPLAY"]
    assert events["peer-mentoring/next-level@nums.portfolio"].decoded("DTSTART") == date(2025, 11, 12)
    assert all("STATUS" not in event for event in events.values())


def test_the_calendar_keeps_an_award_in_force_while_an_application_made_in_time_is_decided(
    tmp_path: Path,
) -> None:
    """rules.yaml, validity.held_until_outcome: "an application made on or before the held award's
    last valid day keeps that award in force until the outcome is final". On 2026-04-20 the Silver
    application of 2026-03-02 is made and not decided: the calendar no longer says the Bronze award
    ends, and the reminder to prepare a reaccreditation comes again under its UID, cancelled and
    without an alarm, so a calendar that imported the earlier file drops it."""
    from icalendar import Calendar

    target = tmp_path / "renewals.ics"
    code, output = portfolio(str(EXAMPLES), "--on", "2026-04-20", "--ics", str(target))
    assert code == 0, output
    events = {str(e["UID"]): e for e in Calendar.from_ical(target.read_bytes()).walk("VEVENT")}
    expires = events["peer-mentoring/expires@nums.portfolio"]
    assert expires.decoded("DTSTART") == date(2026, 5, 11)
    assert "stays in force until the outcome" in str(expires["SUMMARY"])
    assert "ends" not in str(expires["SUMMARY"])
    assert "application made on 2026-03-02" in " ".join(str(expires["DESCRIPTION"]).split())
    prepare = events["peer-mentoring/prepare-renewal@nums.portfolio"]
    assert (str(prepare["STATUS"]), int(prepare["SEQUENCE"])) == ("CANCELLED", 1)
    assert prepare.decoded("DTSTART") == date(2026, 3, 12)  # the reminder it replaces, same day
    assert list(prepare.walk("VALARM")) == []


def test_the_committee_report(tmp_path: Path) -> None:
    from pypdf import PdfReader

    first, second = tmp_path / "a.pdf", tmp_path / "b.pdf"
    for target in (first, second):
        code, output = portfolio(str(EXAMPLES), "--on", "2026-02-01", "--pdf", str(target))
        assert code == 0, output
    assert first.read_bytes() == second.read_bytes()
    text = " ".join(" ".join(p.extract_text() for p in PdfReader(str(first)).pages).split())
    for expected in (
        "Accreditation portfolio",
        "peer-mentoring",
        "accredited",
        "£500.00",
        "University-wide",
    ):
        assert expected in text


def test_a_workspace_that_is_not_a_folder(tmp_path: Path) -> None:
    code, output = portfolio(str(tmp_path / "nowhere"))
    assert code == 2 and "is not a folder" in output


def test_a_large_workspace_uses_a_pool_and_gives_the_same_rows(tmp_path: Path) -> None:
    for index in range(70):
        write_submission(
            tmp_path / f"p{index:03}",
            submission_data(history=[{"level": "bronze", "awarded": date(2025, 9, 1)}]),
        )
    (tmp_path / "p999").mkdir()
    (tmp_path / "p999" / "submission.yaml").write_text(": bad")
    one = rows_for(tmp_path, date(2026, 4, 20), 90, jobs=1)
    pooled = rows_for(tmp_path, date(2026, 4, 20), 90, jobs=2)
    assert one == pooled and len(one) == 71


@settings(max_examples=15, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(
    extra=st.lists(
        st.tuples(
            st.sampled_from(["bronze", "silver", "gold"]),
            st.dates(min_value=date(2024, 1, 1), max_value=date(2026, 4, 1)),
            st.integers(min_value=1, max_value=60),
        ),
        min_size=1,
        max_size=4,
    )
)
def test_adding_programmes_changes_no_other_row_and_never_lowers_the_fees(
    tmp_path_factory: pytest.TempPathFactory, edition: Edition, extra: list[tuple[str, date, int]]
) -> None:
    """Every programme appears once; a new one changes no other row; the year's fees never fall."""
    root = tmp_path_factory.mktemp("ws")
    shutil.copytree(EXAMPLES, root, dirs_exist_ok=True)
    on = date(2026, 4, 20)
    before = summarise(edition, rows_for(root, on, 90, jobs=1), on, 90)
    for index, (level, awarded, mentors) in enumerate(extra):
        write_submission(
            root / f"extra{index}",
            submission_data(history=[{"level": level, "awarded": awarded}], mentors=mentors, applied=on),
        )
    after = summarise(edition, rows_for(root, on, 90, jobs=1), on, 90)
    old = {row.id: row for row in before.rows}
    assert [row.id for row in after.rows] == sorted({row.id for row in after.rows})
    assert {row.id for row in after.rows} == set(old) | {f"extra{i}" for i in range(len(extra))}
    for row in after.rows:
        if row.id in old:
            assert row == old[row.id]
    for kind in ("renewals", "moves_up"):
        was, now = getattr(before.fees, kind), getattr(after.fees, kind)
        if was is not None and not was.tailored:
            assert now is not None
            assert now.tailored or (now.net or 0) >= (was.net or 0)
