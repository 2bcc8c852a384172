"""Issue 24, the register: a static site of the awards that hold on a day, made from the
issuing folder's records only; pages in Chromium at 1280 and 390 px with axe-core clean.

Set NUMS_SCREENSHOTS=folder to keep the screenshots for looking at.
"""

from __future__ import annotations

import csv
import functools
import http.server
import json
import os
import shutil
import threading
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from tests.awardkit import COMBINED, PEER, combined_review, final_review, issue, keys, run, withdraw
from tests.browser_support import no_serious_violations


@pytest.fixture(scope="module")
def issuing(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Any]:
    """Three awards: peer Silver (2026-03-20 to 2027-03-19), peer Silver again from a later review
    (2026-03-25 to 2027-03-24) and withdrawn, and the combined renewal (2026-06-02 to 2027-06-01)."""
    base = tmp_path_factory.mktemp("register")
    key_dir = keys(base / "keys")
    folder = base / "issuing"
    review = final_review(base)
    peer = issue(PEER / "submission.yaml", review, key_dir, folder).name
    again = issue(PEER / "submission.yaml", final_review(base, "2026-03-25"), key_dir, folder).name
    combined = issue(COMBINED / "submission.yaml", combined_review(base), key_dir, folder).name
    code, _, err = withdraw(
        folder, again, key_dir, "--reason", "Issued twice by mistake.", "--on", "2026-04-01"
    )
    assert code == 0, err
    return {"folder": folder, "peer": peer, "again": again, "combined": combined, "base": base}


def build(issuing: dict[str, Any], on: str, name: str) -> Path:
    target = issuing["base"] / name
    code, _, err = run("register", issuing["folder"], "-o", target, "--on", on)
    assert code == 0, err
    return target


def test_the_listing_holds_the_awards_in_force_on_the_day(issuing: dict[str, Any]) -> None:
    site = build(issuing, "2026-07-01", "site-july")
    index = (site / "index.html").read_text()
    assert "2 programmes hold an award on 2026-07-01" in index
    assert issuing["peer"] in index and issuing["combined"] in index
    assert issuing["again"] not in index  # withdrawn: not listed
    withdrawn = (site / "awards" / f"{issuing['again']}.html").read_text()
    assert "Withdrawn on 2026-04-01" in withdrawn and "Reason: Issued twice by mistake." in withdrawn


def test_a_lapsed_award_leaves_the_listing_and_its_page_says_lapsed(issuing: dict[str, Any]) -> None:
    site = build(issuing, "2027-04-01", "site-april")
    index = (site / "index.html").read_text()
    assert "1 programme holds an award on 2027-04-01" in index and issuing["peer"] not in index
    assert "Lapsed: valid until 2027-03-19" in (site / "awards" / f"{issuing['peer']}.html").read_text()


def test_filters_and_sorts_are_pages_of_their_own(issuing: dict[str, Any]) -> None:
    """Working without JavaScript: a page per level, per institution and per sort order."""
    site = build(issuing, "2026-07-01", "site-filters")
    assert {p.name for p in (site / "level").iterdir()} == {"silver.html"}
    institutions = sorted((site / "institution").iterdir())
    assert len(institutions) == 2
    for page in ("by-institution.html", "by-level.html", "by-until.html"):
        assert (site / page).is_file()
    index = (site / "index.html").read_text()
    assert 'href="by-institution.html"' in index and 'aria-sort="ascending"' in index
    assert "Find by name" in index


def test_awards_json_csv_status_list_and_key_set(issuing: dict[str, Any]) -> None:
    site = build(issuing, "2026-07-01", "site-data")
    data = json.loads((site / "awards.json").read_text())
    states = {a["certificate"]: a["state"] for a in data["awards"]}
    assert states == {issuing["peer"]: "listed", issuing["again"]: "withdrawn", issuing["combined"]: "listed"}
    rows = list(csv.DictReader((site / "awards.csv").open(newline="")))
    assert {r["certificate"] for r in rows} == set(states)
    status = json.loads((site / "status.json").read_text())
    (entry,) = status["revokedCredentials"]
    assert entry["number"] == issuing["again"] and entry["revocationReason"] == "Issued twice by mistake."
    assert status["type"] == "1EdTechRevocationList" and "reasonPublic" not in entry
    assert json.loads((site / "jwks.json").read_text())["keys"]
    # the signed W3C list is published beside the 1EdTech one, and the pages link both
    assert (site / "status-list.jwt").read_bytes() == (issuing["folder"] / "status-list.jwt").read_bytes()
    assert 'href="status-list.jwt"' in (site / "index.html").read_text()
    assert (site / "register.css").is_file() and (site / "register.js").is_file()
    assert (
        "<style" not in (site / "index.html").read_text()
        and "<script>" not in (site / "index.html").read_text()
    )
    # the built site is itself a register verify can use, offline
    code, out, _ = run(
        "verify", site / "awards" / f"{issuing['peer']}.svg", "--register", site, "--on", "2026-07-01"
    )
    assert code == 0 and out.startswith("valid: Silver")


def test_the_register_is_made_from_signed_records_only(issuing: dict[str, Any], tmp_path: Path) -> None:
    """A record changed after the decision (its credential edited) is refused, not listed."""
    folder = tmp_path / "issuing"
    shutil.copytree(issuing["folder"], folder)
    record = folder / "awards" / issuing["peer"] / "record.json"
    data = json.loads(record.read_text())
    data["credential"] = data["credential"][:-4] + (
        "AAAA" if not data["credential"].endswith("AAAA") else "BBBB"
    )
    record.write_text(json.dumps(data))
    code, _, err = run("register", folder, "-o", tmp_path / "site")
    assert code == 2 and "the recorded credential is not genuine" in err and "record.json" in err


# --- in a browser -----------------------------------------------------------------------------


@pytest.mark.browser
@pytest.mark.parametrize("width", [1280, 390])
def test_the_register_in_chromium_is_axe_clean(
    issuing: dict[str, Any], browser: Any, width: int, tmp_path: Path
) -> None:
    site = build(issuing, "2026-07-01", f"site-browser-{width}")
    shots = Path(os.environ.get("NUMS_SCREENSHOTS") or tmp_path / "shots")
    shots.mkdir(parents=True, exist_ok=True)
    context = browser.new_context(viewport={"width": width, "height": 900})
    page = context.new_page()
    pages = [
        "index.html",
        "level/silver.html",
        f"awards/{issuing['peer']}.html",
        f"awards/{issuing['again']}.html",
    ]
    for name in pages:
        page.goto((site / name).as_uri())
        no_serious_violations(page)
        page.screenshot(path=str(shots / f"register-{width}-{name.replace('/', '-')}.png"), full_page=True)
        assert page.evaluate("document.documentElement.scrollWidth") <= width + 1, (
            name
        )  # nothing runs off the side
    page.goto((site / "index.html").as_uri())
    page.fill("#search", "first-year")  # the script's search filters the rows as one types
    assert page.locator("#awards tbody tr:not([hidden])").count() == 1
    context.close()


@pytest.mark.browser
def test_sorting_works_without_javascript(issuing: dict[str, Any], browser: Any) -> None:
    site = build(issuing, "2026-07-01", "site-nojs")
    context = browser.new_context(java_script_enabled=False)
    page = context.new_page()
    page.goto((site / "index.html").as_uri())
    assert not page.locator("#search-box").is_visible()  # no search box that cannot work
    page.click("text=Valid until")
    assert page.url.endswith("by-until.html")
    first = page.locator("#awards tbody tr").first.inner_text()
    assert "2027-03-19" in first
    context.close()


@pytest.fixture()
def served(issuing: dict[str, Any]) -> Iterator[tuple[str, Path]]:
    """The register, as anyone may host it: its folder behind a plain web server on loopback."""
    folder = build(issuing, "2026-07-01", "site-served")
    handler = functools.partial(QuietHandler, directory=str(folder))
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}", folder
    finally:
        server.shutdown()
        server.server_close()


class QuietHandler(http.server.SimpleHTTPRequestHandler):
    def log_message(self, format: str, *args: Any) -> None:
        pass


def test_verify_fetches_the_register_from_its_address(
    issuing: dict[str, Any], served: tuple[str, Path]
) -> None:
    """Brief: "nums verify FILE [--register FOLDER_OR_ADDRESS]": given the register's web address,
    verify fetches the key set and both status lists from it and answers as it does offline."""
    address, folder = served
    awards = issuing["folder"] / "awards"
    for where in (address, address + "/"):
        code, out, err = run(
            "verify", awards / issuing["peer"] / "logo.svg", "--register", where, "--on", "2026-07-01"
        )
        assert code == 0 and out.startswith("valid: Silver, First-Year Peer Mentoring"), err
        code, out, err = run(
            "verify", awards / issuing["again"] / "logo.png", "--register", where, "--on", "2026-07-01"
        )
        assert (
            code == 4 and out.startswith("withdrawn on 2026-04-01:") and "Issued twice by mistake." in out
        ), err
    offline = run("verify", awards / issuing["peer"] / "logo.svg", "--register", folder, "--on", "2026-07-01")
    online = run("verify", awards / issuing["peer"] / "logo.svg", "--register", address, "--on", "2026-07-01")
    assert online == offline


def test_an_address_that_is_not_a_register_is_refused_in_words(
    issuing: dict[str, Any], served: tuple[str, Path]
) -> None:
    """A register address is untrusted input: nothing there, a page that is not JSON, or JSON
    that is not a status list ends in words naming the address, exit 2, no traceback."""
    address, folder = served
    logo = issuing["folder"] / "awards" / issuing["peer"] / "logo.svg"
    code, out, err = run("verify", logo, "--register", f"{address}/no-such-register")
    assert (
        code == 2
        and out == ""
        and f"{address}/no-such-register/jwks.json" in err
        and "cannot be fetched" in err
    )
    (folder / "status.json").write_text("<html>not a list</html>")
    code, _, err = run("verify", logo, "--register", address)
    assert code == 2 and f"{address}/status.json" in err and "Traceback" not in err
    shutil.copy(folder / "awards.json", folder / "status.json")  # JSON, but not a status list
    code, _, err = run("verify", logo, "--register", address)
    assert code == 2 and "is not a status list" in err
