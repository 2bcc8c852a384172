"""The journey's commands (issue 23): `nums site transition`, `answer`, `invoice`, `remind DIR [--on
DATE]` and `audit DIR [--programme ID] [--since DATE]` (CSV), with bad input answered in words and
exit status 2, and none of them importing the web stack (nor WeasyPrint, but for a decision's letter)."""

from __future__ import annotations

import csv
import io
import json
from pathlib import Path

import pytest
from click.testing import CliRunner

from nums.cli import cli
from nums.site import db as tables
from nums.site.settings import read_settings
from tests import site_support
from tests.journey_support import EMAILS, PROGRAMME, JourneySite, make_site, write_settings
from tests.test_cli import _after_command

quick_hashes = site_support.quick_hashes


@pytest.fixture()
def site_folder(tmp_path: Path) -> tuple[Path, JourneySite]:
    folder = tmp_path / "site"
    folder.mkdir()
    write_settings(folder)
    engine = tables.engine_for(read_settings(folder).database_url)
    tables.migrate(engine)
    return folder, make_site(folder, engine)


def run(*args: str) -> tuple[int, str, str]:
    result = CliRunner().invoke(cli, list(args))
    return result.exit_code, result.stdout, result.stderr


def test_the_journey_from_the_command_line(site_folder: tuple[Path, JourneySite]) -> None:
    folder, _ = site_folder
    site = str(folder)
    code, out, err = run(
        "site",
        "transition",
        site,
        "--programme",
        PROGRAMME,
        "--to",
        "submitted",
        "--as",
        EMAILS["coordinator"],
        "--json",
    )
    assert code == 0, err
    moved = json.loads(out)
    assert moved["state"] == "submitted" and len(moved["snapshot_sha256"]) == 64
    code, out, err = run(
        "site", "invoice", site, "--programme", PROGRAMME, "--as", EMAILS["finance"], "--issued", "2026-03-21"
    )
    assert code == 0 and out.startswith(
        "invoice 1: GBP 350.00 + VAT 70.00 (20%) = 420.00, due by 2026-04-20"
    ), (out, err)
    code, out, err = run(
        "site",
        "transition",
        site,
        "--programme",
        PROGRAMME,
        "--to",
        "in review",
        "--as",
        EMAILS["admin"],
        "--assessor",
        EMAILS["assessor"],
    )
    assert code == 0 and out.strip() == f"{PROGRAMME} is in review", err
    code, out, err = run(
        "site",
        "transition",
        site,
        "--programme",
        PROGRAMME,
        "--to",
        "evidence requested",
        "--as",
        EMAILS["assessor"],
    )
    assert code == 0, err
    code, out, err = run(
        "site",
        "answer",
        site,
        "--programme",
        PROGRAMME,
        "--criterion",
        "diversity.2",
        "--note",
        "Profile added.",
        "--as",
        EMAILS["coordinator"],
    )
    assert code == 0 and "answered" in out, err
    code, out, err = run("site", "audit", site, "--programme", PROGRAMME)
    rows = list(csv.DictReader(io.StringIO(out)))
    steps = [r for r in rows if r["what"] != "mail not sent"]
    assert code == 0 and [r["what"] for r in steps] == [
        "role granted",  # the coordinator's, over this programme, as the site was made (a role change)
        "state changed", "invoice recorded", "state changed", "state changed", "evidence request answered",
    ]  # fmt: skip
    assert steps[1]["actor"] == EMAILS["coordinator"] and steps[1]["after"] == moved["snapshot_sha256"]
    code, out, _ = run("site", "audit", site, "--since", "2999-01-01")
    assert code == 0 and out.splitlines() == ["id,at,actor,what,programme,before,after,detail"]
    target = folder / "audit.csv"
    assert run("site", "audit", site, "-o", str(target))[0] == 0
    assert target.read_text(encoding="utf-8").startswith("id,at,actor")


@pytest.mark.parametrize(
    ("args", "words"),
    [
        (("transition", "--programme", PROGRAMME, "--to", "decided", "--as", EMAILS["coordinator"]), "may not decide"),
        (("transition", "--programme", PROGRAMME, "--to", "approved", "--as", EMAILS["coordinator"]), "not a state"),
        (("transition", "--programme", PROGRAMME, "--to", "submitted", "--as", "nobody@example.org"), "no account"),
        (("transition", "--programme", "harbourside/none", "--to", "submitted", "--as", EMAILS["admin"]), "no programme"),
        (("invoice", "--programme", PROGRAMME, "--as", EMAILS["finance"]), "no application to invoice"),
        (("audit", "--since", "yesterday"), "YYYY-MM-DD"),
        (("remind", "--on", "2026-02-30"), "YYYY-MM-DD"),
    ],
)  # fmt: skip
def test_bad_requests_are_refused_in_words_with_status_2(
    site_folder: tuple[Path, JourneySite], args: tuple[str, ...], words: str
) -> None:
    folder, _ = site_folder
    code, out, err = run("site", args[0], str(folder), *args[1:])
    assert code == 2 and words in err and "Traceback" not in err, (out, err)


def test_remind_says_what_it_sent_and_sends_it_once(site_folder: tuple[Path, JourneySite]) -> None:
    """The example's Bronze of 2025-05-12 lapses after 2026-05-11: the 90-day reminder is due from
    2026-02-10."""
    folder, _ = site_folder
    code, out, _ = run("site", "remind", str(folder), "--on", "2026-02-10")
    assert code == 0 and f"sent the 90-day reminder of {PROGRAMME}: bronze lapses after 2026-05-11" in out
    code, out, _ = run("site", "remind", str(folder), "--on", "2026-02-10")
    assert code == 0 and out.strip() == "no reminder due on 2026-02-10"


def test_remind_and_audit_import_neither_the_web_stack_nor_weasyprint(
    site_folder: tuple[Path, JourneySite], tmp_path: Path
) -> None:
    folder, _ = site_folder
    loaded = "sorted(m for m in ('weasyprint', 'starlette', 'uvicorn', 'multipart') if m in sys.modules)"
    for command in (["site", "remind", str(folder), "--on", "2026-02-10"], ["site", "audit", str(folder)]):
        result = _after_command(repr(command), loaded, tmp_path)
        assert result.stdout.strip().endswith("[]"), (command, result.stdout, result.stderr)


def test_the_audit_csv_never_hands_a_spreadsheet_a_formula(site_folder: tuple[Path, JourneySite]) -> None:
    """Every input is untrusted: a programme's folder name and a note are the applicant's words, and
    a cell starting with "=" would be a formula in a spreadsheet. The CSV keeps them as text, read
    back exactly with ``escaping.csv_value``."""
    from nums.escaping import csv_value
    from nums.site import audit

    _, journey = site_folder
    with journey.site.transaction() as db:
        audit.record(db, "=cmd|'/c calc'!A1", "state changed", "harbourside/=HYPERLINK(1)", note="+1")
    with journey.site.transaction() as db:
        out = audit.as_csv(audit.events(db))
    [row] = [r for r in csv.DictReader(io.StringIO(out)) if "HYPERLINK" in r["programme"]]
    assert row["actor"].startswith("'=") and csv_value(row["actor"]) == "=cmd|'/c calc'!A1"
    assert not row["programme"].startswith("=") and not row["detail"].startswith(("=", "+"))
