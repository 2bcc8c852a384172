"""Finance in the app (issue 14) and the portfolio on the home page (issue 15): the same numbers,
messages and bytes as `nums quote` and `nums portfolio`."""

from __future__ import annotations

import json
import re
import shutil
from pathlib import Path

import pytest
from click.testing import CliRunner

from nums.cli import cli
from tests.web_support import bearer, client_for, copy_examples


@pytest.fixture()
def root(tmp_path: Path) -> Path:
    return copy_examples(tmp_path)


def cli_run(*args: str) -> str:
    result = CliRunner().invoke(cli, list(args))
    assert result.exit_code == 0, result.output
    return result.stdout


@pytest.mark.parametrize(
    "query",
    [
        {"initial": "3", "on": "2026-03-01"},
        {"initial": "2", "reaccreditation": "4", "vat_rate": "0", "on": "2026-03-01"},
        {"initial": "51", "mentors": "80", "on": "2026-03-01"},
        {"reaccreditation": "7", "vat_rate": "17.5%", "on": "2026-06-30"},
    ],
)
def test_the_quote_is_exactly_what_nums_quote_json_prints(root: Path, query: dict[str, str]) -> None:
    client, _ = client_for(root)
    args = [f"--{k.replace('_', '-')}={v}" for k, v in query.items()]
    got = client.get("/api/quote", params=query, headers=bearer())
    assert got.status_code == 200
    assert got.json() == json.loads(cli_run("quote", *args, "--json"))


@pytest.mark.parametrize(
    ("query", "words"),
    [
        ({"initial": "-1"}, "Invalid value for '--initial': -1 is out of range (0 or more)"),
        ({"initial": "two"}, "Invalid value for '--initial': 'two' is not a whole number (0 or more)"),
        ({"initial": "1", "mentors": "0"}, "Invalid value for '--mentors': 0 is out of range (1 or more)"),
        ({"initial": "1", "vat_rate": "-5"}, "Invalid value for '--vat-rate': '-5' must be zero or more"),
        ({"initial": "1", "on": "2026-13-01"}, "Invalid value for '--on': '2026-13-01' is not a date"),
        ({}, "nothing to quote"),
    ],
)
def test_bad_numbers_and_dates_are_422_with_the_clis_words(
    root: Path, query: dict[str, str], words: str
) -> None:
    """'422 with the same messages for bad counts or dates.'"""
    client, _ = client_for(root)
    got = client.get("/api/quote", params=query, headers=bearer())
    assert got.status_code == 422
    assert words in got.json()["error"]
    args = [f"--{k.replace('_', '-')}={v}" for k, v in query.items()]
    cli_says = CliRunner().invoke(cli, ["quote", *args])
    assert cli_says.exit_code == 2 and words in " ".join(cli_says.output.split())
    assert client.get("/api/quote.pdf", params=query, headers=bearer()).status_code == 422


def test_the_quote_pdf_is_the_same_bytes_as_nums_quote_pdf(root: Path, tmp_path: Path) -> None:
    client, _ = client_for(root)
    target = tmp_path / "quote.pdf"
    cli_run("quote", "--initial=3", "--reaccreditation=2", "--on=2026-03-01", "--pdf", str(target))
    query = {"initial": "3", "reaccreditation": "2", "on": "2026-03-01"}
    got = client.get("/api/quote.pdf", params=query, headers=bearer())
    assert got.status_code == 200 and got.headers["content-type"] == "application/pdf"
    assert got.content == target.read_bytes()
    assert client.get("/quote.pdf", params=query).content == target.read_bytes()


def test_ticked_programmes_are_priced_as_one_request(root: Path) -> None:
    """'Tick programmes on the home page, get one quote priced as one request, as nums quote SUBMISSION...
    does' -- for one institution's programmes: those of different institutions are never priced as
    one request, so the app refuses, saying why, where `nums quote` gives one quote per institution."""
    client, _ = client_for(root)
    shutil.copytree(root / "peer-mentoring", root / "peer-mentoring-copy")
    ids = ["peer-mentoring", "peer-mentoring-copy"]
    got = client.get(
        "/api/quote", params=[("programme", i) for i in ids] + [("on", "2026-04-20")], headers=bearer()
    )
    expected = json.loads(
        cli_run("quote", *(str(root / i / "submission.yaml") for i in ids), "--on=2026-04-20", "--json")
    )
    assert got.json() == expected and expected["institution"] == "Harbourside University"
    page = client.get("/quote", params=[("programme", i) for i in ids] + [("on", "2026-04-20")])
    assert page.status_code == 200 and all(f"<code>{i}</code>" in page.text for i in ids)
    mixed = ["peer-mentoring", "department-combined", "academic-mentoring"]
    refused = client.get("/api/quote", params=[("programme", i) for i in mixed], headers=bearer())
    assert refused.status_code == 422
    assert "the programmes belong to 3 institutions" in refused.json()["error"]
    assert "never priced as one request" in refused.json()["error"]
    split = json.loads(cli_run("quote", *(str(root / i / "submission.yaml") for i in mixed), "--json"))
    assert split["split_by_institution"] is True and len(split["quotes"]) == 3
    missing = client.get("/api/quote", params={"programme": "../elsewhere"}, headers=bearer())
    assert missing.status_code == 422


def test_the_page_shows_the_total_tailored_reasons_and_split_note_in_the_clis_words(root: Path) -> None:
    client, guard = client_for(root)
    page = client.get("/quote", params={"initial": "3", "reaccreditation": "2", "on": "2026-03-01"}).text
    text = cli_run("quote", "--initial=3", "--reaccreditation=2", "--on=2026-03-01")
    total = re.search(r"Total\s+(£[\d,.]+)", text)
    assert total and f'id="quote-total">{total.group(1)}<' in page
    split = " ".join(text.split("(not part of this quote):", 1)[1].split())
    assert split in " ".join(page.replace("&#39;", "'").split())
    live = client.post(f"/quote/preview?csrf={guard.csrf}", data={"initial": "51", "on": "2026-03-01"}).text
    assert 'id="quote-total">tailored<' in live and "more than 50 programmes need tailored costs" in live
    assert client.post("/quote/preview", data={"initial": "3"}).status_code == 403  # CSRF on every POST


def test_the_home_page_offers_the_portfolio_downloads_as_nums_portfolio_writes_them(
    root: Path, tmp_path: Path
) -> None:
    """Issue 15: 'the home page shows the same portfolio (status column, renewals highlighted) and
    offers the CSV, calendar and report downloads, computed by the same function.'"""
    client, _ = client_for(root)
    home = client.get("/").text
    for link in ("/portfolio.csv", "/portfolio.ics", "/portfolio.pdf"):
        assert f'href="{link}"' in home
    assert re.findall(r"status-word status-([a-z-]+)", home)
    ics, pdf = tmp_path / "p.ics", tmp_path / "p.pdf"
    written = CliRunner().invoke(cli, ["portfolio", str(root), "--csv", "--ics", str(ics), "--pdf", str(pdf)])
    assert written.exit_code == 0, written.output
    assert client.get("/portfolio.csv").content == written.stdout_bytes  # CRLF rows, as the CLI prints them
    assert client.get("/portfolio.ics").content == ics.read_bytes()
    got_pdf = client.get("/portfolio.pdf")
    assert got_pdf.headers["content-type"] == "application/pdf" and got_pdf.content == pdf.read_bytes()


def test_a_renewal_within_the_horizon_is_highlighted(root: Path) -> None:
    """A programme whose award ends within the horizon is 'renewal-due' and its row stands out."""
    from datetime import date, timedelta

    folder = root / "peer-mentoring"
    review = folder / "review.yaml"
    text = review.read_text().replace("decision: more-evidence", "decision: accepted")
    soon = date.today() - timedelta(days=300)  # a final award from ~300 days ago ends within 90 days
    submission = folder / "submission.yaml"
    sub_text = submission.read_text()
    assert "date: 2026-03-02" in sub_text
    submission.write_text(sub_text.replace("date: 2026-03-02", f"date: {soon.isoformat()}", 1))
    review.write_text(text.replace("date: 2026-03-20", f"date: {soon.isoformat()}"))
    client, _ = client_for(root)
    home = client.get("/").text
    row = home.split('class="renewal-due"', 1)
    assert len(row) == 2 and "First-Year Peer Mentoring" in row[1].split("</tr>", 1)[0]


@pytest.mark.parametrize(
    "extra",
    [
        ({"to": "Dr  A. Finance, Example University"}, ["--to", "Dr  A. Finance, Example University"]),
        ({"alternatives": "0"}, ["--no-alternatives"]),
        ({"to": "Bursar, Uni", "alternatives": "0"}, ["--to", "Bursar, Uni", "--no-alternatives"]),
    ],
)
def test_to_and_no_alternatives_reach_the_same_request_as_the_cli(
    root: Path, tmp_path: Path, extra: tuple[dict[str, str], list[str]]
) -> None:
    """`--to`: 'Who the quote is for; printed on it and part of its reference.'
    `--no-alternatives`: 'Leave out the note on what separate applications would cost.'"""
    query, flags = extra
    base = {"initial": "2", "reaccreditation": "4", "on": "2026-03-01"}
    args = ["--initial=2", "--reaccreditation=4", "--on=2026-03-01", *flags]
    client, _ = client_for(root)
    got = client.get("/api/quote", params={**base, **query}, headers=bearer())
    assert got.status_code == 200
    assert got.json() == json.loads(cli_run("quote", *args, "--json"))
    target = tmp_path / "quote.pdf"
    cli_run("quote", *args, "--pdf", str(target))
    pdf = client.get("/api/quote.pdf", params={**base, **query}, headers=bearer())
    assert pdf.status_code == 200 and pdf.content == target.read_bytes()


def test_the_split_note_is_there_unless_left_out(root: Path) -> None:
    """The cheaper-split note shows by default; `alternatives=0` leaves it out, on the page and in the API."""
    client, _ = client_for(root)
    base = {"initial": "2", "reaccreditation": "4", "on": "2026-03-01"}
    with_note = client.get("/api/quote", params=base, headers=bearer()).json()
    without = client.get("/api/quote", params={**base, "alternatives": "0"}, headers=bearer()).json()
    assert with_note["alternatives"] and not without["alternatives"]
    page = client.get("/quote", params={**base, "alternatives": "0", "to": "Bursar, Uni"})
    assert page.status_code == 200
    assert "price table's own arithmetic" not in page.text
    assert "For Bursar, Uni" in page.text
    assert 'id="f-alternatives" name="alternatives" type="checkbox" value="0" checked' in page.text
    assert 'value="Bursar, Uni"' in page.text
    assert "price table's own arithmetic" in client.get("/quote", params=base).text


def test_programmes_quote_takes_the_addressee_too(root: Path) -> None:
    """Ticked programmes are priced as `nums quote SUBMISSION... --to X --no-alternatives` does."""
    client, _ = client_for(root)
    listed = client.get("/api/programmes", headers=bearer()).json()
    ident = next(p["id"] for p in listed if not p["errors"])
    got = client.get(
        "/api/quote", params={"programme": ident, "to": "Bursar, Uni", "alternatives": "0"}, headers=bearer()
    )
    assert got.status_code == 200
    expected = json.loads(
        cli_run(
            "quote",
            str(root / ident / "submission.yaml"),
            "--to",
            "Bursar, Uni",
            "--no-alternatives",
            "--json",
        )
    )
    assert got.json() == expected


def test_the_home_page_shows_next_years_fees_and_the_university_wide_line(root: Path) -> None:
    """Issue 15: 'next year's fees: the renewals due within twelve months priced as one request of
    reaccreditations ... each line naming its programmes ... amounts exactly as `nums quote` would
    give them', and 'university-wide: ... report whether every programme names the same framework,
    and which do not; decide nothing beyond that, and say so.'"""
    from datetime import date, timedelta

    folder = root / "peer-mentoring"
    soon = date.today() - timedelta(days=300)  # a final award from ~300 days ago: a renewal within the year
    submission = folder / "submission.yaml"
    submission.write_text(submission.read_text().replace("date: 2026-03-02", f"date: {soon.isoformat()}", 1))
    review = folder / "review.yaml"
    text = review.read_text().replace("decision: more-evidence", "decision: accepted")
    review.write_text(text.replace("date: 2026-03-20", f"date: {soon.isoformat()}"))
    client, _ = client_for(root)
    home = client.get("/").text
    cli_says = json.loads(cli_run("portfolio", str(root), "--json"))
    renewals = cli_says["fees"]["renewals"]
    assert cli_says["fees"]["renewal_ids"] == ["peer-mentoring"]
    shown = home.split('id="fees-renewals"', 1)[1].split("</dd>", 1)[0]
    assert f"£{renewals['net']} net, £{renewals['gross']} with VAT" in shown
    assert "First-Year Peer Mentoring" in shown and 'href="/p/peer-mentoring"' in shown
    mentors = renewals["largest_programme_mentors"]
    same = json.loads(
        cli_run("quote", "--reaccreditation=1", f"--mentors={mentors}", f"--on={date.today()}", "--json")
    )
    assert (same["net"], same["gross"]) == (renewals["net"], renewals["gross"])
    moves = home.split('id="fees-moves-up"', 1)[1].split("</dd>", 1)[0]
    assert cli_says["fees"]["moves_up"] is None and moves.strip() == ">none"
    wide = home.split('id="university-wide"', 1)[1].split("</p>", 1)[0]
    assert cli_says["university_wide"]["all_same"] is False
    for ident in cli_says["university_wide"]["differing"]:
        assert ident in wide
    assert "decides nothing" in wide


def test_the_home_page_fees_list_every_kind_the_portfolio_budgets(root: Path) -> None:
    """Issue 20: the portfolio must 'budget what each programme will really need': returning after a
    lapse and first applications as well as renewals and moves up, and an application already made
    not budgeted again. The home page shows the same kinds, with `nums portfolio`'s amounts."""
    client, _ = client_for(root)
    home = client.get("/").text
    cli_says = json.loads(cli_run("portfolio", str(root), "--json"))["fees"]
    for slug, key, ids in (
        ("returning", "returning", "returning_ids"),
        ("first", "first_applications", "first_application_ids"),
    ):
        shown = home.split(f'id="fees-{slug}"', 1)[1].split("</dd>", 1)[0]
        if cli_says[key] is None:
            assert shown.strip() == ">none"
            continue
        assert f"£{cli_says[key]['net']} net" in shown or "tailored costs" in shown
        for ident in cli_says[ids]:
            assert f'href="/p/{ident}"' in shown
    assert "First applications" in home and "Returning after a lapse" in home
    if cli_says["under_way_ids"]:
        under_way = home.split('id="fees-under-way"', 1)[1].split("</p>", 1)[0]
        assert all(f'href="/p/{ident}"' in under_way for ident in cli_says["under_way_ids"])
    else:
        assert 'id="fees-under-way"' not in home


def test_the_home_page_builds_the_portfolio_once_and_reads_each_programme_once(
    root: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The fees and the framework line come from the same portfolio as the status column, and
    that portfolio is made from the programmes the page already read (none is read twice)."""
    import nums.portfolio
    import nums.submission

    built: list[int] = []
    read: list[str] = []
    summarise, from_document = nums.portfolio.summarise, nums.submission.submission_from_document
    monkeypatch.setattr(nums.portfolio, "summarise", lambda *a, **k: built.append(1) or summarise(*a, **k))
    monkeypatch.setattr(
        nums.submission,
        "submission_from_document",
        lambda doc, *a, **k: read.append(doc.path) or from_document(doc, *a, **k),
    )
    client, _ = client_for(root)
    assert client.get("/").status_code == 200
    assert len(built) == 1
    assert read and len(read) == len(set(read))


def test_the_portfolio_from_loaded_programmes_is_the_one_nums_portfolio_builds(root: Path) -> None:
    """Reading each programme once must not change a single row, fee or date."""
    from datetime import date

    from nums.web.portfolio_view import portfolio_of
    from nums.workspace import Workspace

    (root / "broken").mkdir()
    (root / "broken" / "submission.yaml").write_text("criteria: [\n")
    workspace = Workspace(root)
    on = date(2026, 4, 20)
    _, shared = portfolio_of(workspace, on, workspace.load_all())
    _, alone = portfolio_of(workspace, on)
    assert any(row.status == "invalid" for row in alone.rows)
    assert shared == alone
