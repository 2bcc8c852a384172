"""Quotes, checked against the standard's price table.

"Initial assessment at any level (Bronze, Silver, Gold): Single programme £350;
 Up to 5 programmes £1,000; Up to 10 programmes £1,500; Up to 50 programmes
 £2,500. Reaccreditation at the same level: £175; £500; £750; £1,250."
"If you have more than 50 programmes or for large programmes with more than 50
 mentors, please contact us for tailored costs."
"Prices exclude VAT."
"""

from __future__ import annotations

import json
from datetime import date
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner
from hypothesis import given
from hypothesis import strategies as st

from nums.cli import cli
from nums.errors import NumsError
from nums.prices import load_price_lists
from nums.pricing import QuoteRequest, cheapest_split, quote
from nums.render.quote import quote_json
from tests.builders import submission_data, write_submission

LISTS = load_price_lists()
DAY = date(2026, 3, 2)

# programmes -> (band, initial, reaccreditation), at every band edge
TABLE = [
    (1, "single programme", "350.00", "175.00"),
    (2, "up to 5", "1000.00", "500.00"),
    (5, "up to 5", "1000.00", "500.00"),
    (6, "up to 10", "1500.00", "750.00"),
    (10, "up to 10", "1500.00", "750.00"),
    (11, "up to 50", "2500.00", "1250.00"),
    (50, "up to 50", "2500.00", "1250.00"),
]


@pytest.mark.parametrize(("programmes", "band", "initial", "reaccreditation"), TABLE)
def test_the_price_table(programmes: int, band: str, initial: str, reaccreditation: str) -> None:
    for kind, price in (("initial", initial), ("reaccreditation", reaccreditation)):
        request = QuoteRequest(**{kind: programmes}, on=DAY)
        data = quote_json(quote(LISTS, request))
        line = {"kind": kind, "programmes": programmes, "band": band, "net": price}
        assert [{k: v for k, v in found.items() if k in line} for found in data["lines"]] == [line]
        assert data["net"] == price
        assert data["currency"] == "GBP" and data["vat_rate"] == "20" and not data["tailored"]


@pytest.mark.parametrize("kind", ["initial", "reaccreditation"])
def test_fifty_one_programmes_need_tailored_costs(kind: str) -> None:
    data = quote_json(quote(LISTS, QuoteRequest(**{kind: 51}, on=DAY)))
    assert data["tailored"] is True
    line = {"kind": kind, "programmes": 51, "band": None, "net": None}
    assert [{k: v for k, v in found.items() if k in line} for found in data["lines"]] == [line]
    assert data["net"] is data["vat"] is data["gross"] is None
    assert "more than 50 programmes" in data["reasons"][0]


def test_initial_and_reaccreditation_together_count_towards_fifty() -> None:
    """'more than 50 programmes in the request (initial and reaccreditation together)'"""
    assert quote(LISTS, QuoteRequest(initial=30, reaccreditation=20, on=DAY)).tailored is False
    assert quote(LISTS, QuoteRequest(initial=30, reaccreditation=21, on=DAY)).tailored is True


def test_kinds_are_priced_separately_each_by_its_own_band() -> None:
    result = quote(LISTS, QuoteRequest(initial=3, reaccreditation=1, on=DAY))
    assert [(line.kind, line.band.label if line.band else None, line.net) for line in result.lines] == [
        ("initial", "up to 5", Decimal("1000.00")),
        ("reaccreditation", "single programme", Decimal("175.00")),
    ]
    assert (result.net, result.vat, result.gross) == (
        Decimal("1175.00"),
        Decimal("235.00"),
        Decimal("1410.00"),
    )


@pytest.mark.parametrize(("mentors", "tailored"), [(49, False), (50, True), (51, True)])
def test_a_programme_of_fifty_or_more_mentors_is_tailored(mentors: int, tailored: bool) -> None:
    """'A mentoring programme is defined as a programme of fewer than 50 mentors'."""
    assert quote(LISTS, QuoteRequest(initial=1, largest_mentors=mentors, on=DAY)).tailored is tailored


def test_vat_rate_can_be_set() -> None:
    zero = quote(LISTS, QuoteRequest(initial=1, on=DAY, vat_rate=Decimal(0)))
    assert (zero.vat, zero.gross) == (Decimal("0.00"), Decimal("350.00"))
    odd = quote(LISTS, QuoteRequest(reaccreditation=1, on=DAY, vat_rate=Decimal("17.5")))
    assert odd.vat == Decimal("30.63")  # 30.625 rounds half-up to the penny
    assert quote_json(odd)["vat_rate"] == "17.5"


@pytest.mark.parametrize(
    ("programmes", "applications", "net"),
    [
        (2, (1, 1), "700.00"),
        (6, (5, 1), "1350.00"),
        (11, (10, 1), "1850.00"),
        (3, None, None),
        (5, None, None),
    ],
)
def test_cheapest_split(programmes: int, applications: tuple[int, ...] | None, net: str | None) -> None:
    """Two programmes at £350 each cost less than the £1,000 band; six cost less as five plus one."""
    split = cheapest_split(LISTS[0], "initial", programmes)
    if applications is None:
        assert split is None
    else:
        assert split is not None
        assert (split.applications, str(split.net)) == (applications, net)


def test_a_date_before_any_price_list_is_an_error() -> None:
    with pytest.raises(NumsError, match="no price list is in force on 2020-12-31"):
        quote(LISTS, QuoteRequest(initial=1, on=date(2020, 12, 31)))


@pytest.mark.parametrize(
    "request_",
    [QuoteRequest(on=DAY), QuoteRequest(initial=-1, on=DAY), QuoteRequest(initial=1, vat_rate=Decimal(-1))],
)
def test_bad_requests(request_: QuoteRequest) -> None:
    with pytest.raises(NumsError):
        quote(LISTS, request_)


counts = st.integers(min_value=0, max_value=60)


@given(counts, counts, counts, counts)
def test_the_quote_never_falls_as_programmes_are_added(
    initial: int, reacc: int, more_i: int, more_r: int
) -> None:
    if initial + reacc == 0:
        return
    smaller = quote(LISTS, QuoteRequest(initial=initial, reaccreditation=reacc, on=DAY))
    larger = quote(LISTS, QuoteRequest(initial=initial + more_i, reaccreditation=reacc + more_r, on=DAY))
    if larger.tailored:
        return  # tailored costs are the scheme's to set: no amount to compare
    assert not smaller.tailored
    assert larger.gross is not None and smaller.gross is not None
    assert larger.gross >= smaller.gross


@given(counts, counts, st.decimals(min_value=0, max_value=100, places=3))
def test_net_plus_vat_is_gross_to_the_penny(initial: int, reacc: int, rate: Decimal) -> None:
    if initial + reacc == 0:
        return
    result = quote(LISTS, QuoteRequest(initial=initial, reaccreditation=reacc, on=DAY, vat_rate=rate))
    if result.tailored:
        return
    assert result.net is not None and result.vat is not None and result.gross is not None
    assert result.net + result.vat == result.gross
    assert result.vat == result.vat.quantize(Decimal("0.01"))


# --- the command ------------------------------------------------------------------


def run(*args: str) -> tuple[int, str]:
    result = CliRunner().invoke(cli, ["quote", *args])
    return result.exit_code, result.output


def test_quote_json_contract() -> None:
    code, output = run("--initial", "3", "--json", "--on", "2026-03-02")
    assert code == 0, output
    data = json.loads(output)
    for key in ("currency", "lines", "net", "vat_rate", "vat", "gross", "tailored", "reasons"):
        assert key in data
    assert data["gross"] == "1200.00" and data["valid_until"] == "2026-03-31"


def test_quote_text_shows_lines_totals_and_the_alternative() -> None:
    code, output = run("--initial", "2", "--on", "2026-03-02")
    assert code == 0
    assert "£1,000.00" in output and "VAT at 20%" in output and "£1,200.00" in output
    assert "The price table's own arithmetic (not part of this quote)" in output and "(1 + 1)" in output


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["--initial", "-2"], "-2 is out of range (0 or more)"),
        (["--initial", "three"], "'three' is not a whole number (0 or more)"),
        (["--initial", "1" + "0" * 40], "'10000000000000000000…' is too large (0 or more)"),
        (["--initial", "1", "--vat-rate", "-5"], "must be zero or more"),
        (["--initial", "1", "--vat-rate", "lots"], "is not a number"),
        (["--initial", "1", "--on", "2/3/2026"], "YYYY-MM-DD"),
        ([], "nothing to quote"),
        (["--initial", "0", "--reaccreditation", "0"], "nothing to quote"),
        (["--initial", "1", "--on", "2019-06-01"], "no price list is in force"),
    ],
)
def test_bad_quote_input(args: list[str], message: str) -> None:
    code, output = run(*args)
    assert code == 2
    assert message in output and "Traceback" not in output


def _programmes(data: dict[str, Any], *names: str) -> dict[str, Any]:
    """The submission made a combined application of programmes with these names."""
    programme = data.pop("programme")
    data["programmes"] = [{**programme, "name": name} for name in names]
    return data


HELD_BRONZE = [{"level": "bronze", "awarded": date(2025, 6, 1)}]


def test_quote_from_submissions(tmp_path: Path) -> None:
    first = write_submission(tmp_path / "a", submission_data(mentors=12))
    data = _programmes(
        submission_data(kind="reaccreditation", mentors=20, history=HELD_BRONZE), "P", "R", "C"
    )
    second = write_submission(tmp_path / "b", data)
    code, output = run(str(first), str(second), "--json", "--on", "2026-03-02")
    assert code == 0, output
    lines = {line["kind"]: line for line in json.loads(output)["lines"]}
    assert lines["initial"]["programmes"] == 1 and lines["reaccreditation"]["programmes"] == 3
    assert lines["reaccreditation"]["band"] == "up to 5"
    assert lines["reaccreditation"]["programmes_named"] == ["P", "R", "C"]
    assert lines["initial"]["programmes_named"] == ["Test Peer Mentoring"]


def test_a_lapsed_reaccreditation_is_priced_as_a_full_application(tmp_path: Path) -> None:
    """ "Applicants seeking to change level will need to submit a full application": a
    reaccreditation that is not one on its application date costs what a full application costs."""
    lapsed = submission_data(
        kind="reaccreditation", history=[{"level": "bronze", "awarded": date(2024, 2, 28)}]
    )
    code, output = run(str(write_submission(tmp_path / "a", lapsed)), "--json")
    data = json.loads(output)
    assert code == 0 and [line["kind"] for line in data["lines"]] == ["initial"]
    assert data["net"] == "350.00"
    assert data["lines"][0]["notes"] == [
        "priced as a full application: the Bronze award lapsed on 2025-02-27"
    ]
    change = submission_data(kind="reaccreditation", level="silver", history=HELD_BRONZE)
    code, output = run(str(write_submission(tmp_path / "b", change)))
    assert code == 0 and "£350.00" in output
    assert "priced as a full application: Silver would be a change of level from the Bronze held" in " ".join(
        output.split()
    )


def test_the_quote_names_what_is_left_out_and_counts_a_file_once(tmp_path: Path) -> None:
    """ "we cannot accredit a programme that has not been started": it is left out of the quote, by name."""
    running = write_submission(tmp_path / "a", submission_data())
    planned = write_submission(tmp_path / "b", submission_data(started=date(2026, 9, 1)))
    result = CliRunner().invoke(cli, ["quote", str(running), str(planned), str(running), "--json"])
    assert result.exit_code == 0, result.output
    data = json.loads(result.stdout)
    assert data["lines"][0]["programmes"] == 1
    assert data["left_out"] == [
        {
            "programme": "Test Peer Mentoring",
            "reason": "Test Peer Mentoring has not started by 2026-03-02, so it cannot be accredited yet",
        }
    ]
    assert "given twice" in result.stderr and "counted once" in result.stderr
    code, output = run(str(planned))
    assert code == 2 and "nothing to quote: every programme is left out" in output


def test_quotes_from_submissions_are_dated_by_their_shared_application_date(tmp_path: Path) -> None:
    first = write_submission(tmp_path / "a", submission_data(applied=date(2026, 3, 2)))
    second = write_submission(tmp_path / "b", submission_data(applied=date(2026, 3, 2)))
    third = write_submission(tmp_path / "c", submission_data(applied=date(2026, 4, 2)))
    data = json.loads(run(str(first), str(second), "--json")[1])
    assert (data["date"], data["dated_by"]) == ("2026-03-02", "the application date")
    data = json.loads(run(str(first), str(third), "--json")[1])
    assert data["date"] == date.today().isoformat() and data["dated_by"].startswith("today")
    data = json.loads(run(str(first), str(third), "--json", "--on", "2026-05-01")[1])
    assert (data["date"], data["dated_by"]) == ("2026-05-01", "the date asked for")


def test_the_addressee_is_on_the_quote_and_in_its_reference() -> None:
    plain = json.loads(run("--initial", "1", "--on", "2026-03-02", "--json")[1])
    again = json.loads(run("--initial", "1", "--on", "2026-03-02", "--json")[1])
    to_a = json.loads(run("--initial", "1", "--on", "2026-03-02", "--json", "--to", "A. Person, Uni A")[1])
    to_b = json.loads(run("--initial", "1", "--on", "2026-03-02", "--json", "--to", "B. Person, Uni B")[1])
    assert plain["reference"] == again["reference"]
    assert len({plain["reference"], to_a["reference"], to_b["reference"]}) == 3
    assert to_a["addressee"] == "A. Person, Uni A"


def test_the_split_note_is_the_tables_arithmetic_and_can_be_turned_off(tmp_path: Path) -> None:
    code, output = run("--initial", "2", "--on", "2026-03-02")
    text = " ".join(output.split())
    assert "a single programme at £350.00" in text and "would cost £700.00" in text
    code, output = run("--initial", "2", "--on", "2026-03-02", "--no-alternatives", "--json")
    assert json.loads(output)["alternatives"] == []
    pdf = tmp_path / "q.pdf"
    code, _ = run("--initial", "2", "--on", "2026-03-02", "--no-alternatives", "--pdf", str(pdf))
    from pypdf import PdfReader

    assert code == 0 and "arithmetic" not in PdfReader(str(pdf)).pages[0].extract_text()


def test_quote_pdf(tmp_path: Path) -> None:
    """A one-page quote with reference, date, validity, lines, VAT, total and terms; the same bytes twice."""
    from pypdf import PdfReader

    first, second = tmp_path / "q1.pdf", tmp_path / "q2.pdf"
    for target in (first, second):
        code, output = run(
            "--initial", "2", "--reaccreditation", "1", "--on", "2026-03-02", "--pdf", str(target)
        )
        assert code == 0, output
    assert first.read_bytes() == second.read_bytes()
    reader = PdfReader(str(first))
    assert len(reader.pages) == 1
    text = reader.pages[0].extract_text()
    for expected in (
        "Q-",
        "2026-03-02",
        "2026-03-31",
        "£1,000.00",
        "£175.00",
        "VAT at 20%",
        "£1,410.00",
        "Prices exclude VAT",
    ):
        assert expected in text, expected


def test_quote_without_pdf_does_not_import_weasyprint() -> None:
    import subprocess
    import sys

    code = (
        "import sys\nfrom nums.cli import cli\n"
        "try:\n    cli.main(['quote', '--initial', '3', '--json'], standalone_mode=False)\nexcept SystemExit:\n    pass\n"
        "print('weasyprint' in sys.modules)"
    )
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert result.stdout.strip().endswith("False")
