"""The documents people read, rendered and read back page by page with pypdf:
every example's pack, every kind of outcome letter (initial and reaccreditation;
provisional, final award, final refusal, not renewed), the quote (plain, tailored,
from submissions) and the portfolio's committee report.

"No page is less than a fifth full, except a last page that is the end of a
section." How full a page is: the vertical extent of its body text as a
fraction of the body's height (``tests/pdfpages.py``). Sections flow, so only
the document's last page may end short; the contents page and each forced
break (contents, summary, first pillar) must still leave a fifth.
"""

from __future__ import annotations

import re
import shutil
from datetime import date
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner
from pypdf import PdfReader

from nums.cli import cli
from tests.conftest import EXAMPLES, RULES_EDITION
from tests.pdfpages import page_fill

PEER = EXAMPLES / "peer-mentoring"
TO = "Ms J. Rivers, Finance Office, Harbourside University"
COMBINED = EXAMPLES / "department-combined"
EXAMPLE_NAMES = sorted(p.parent.name for p in EXAMPLES.glob("*/submission.yaml"))
ACADEMIC = EXAMPLES / "academic-mentoring"
LETTERS = [
    "initial-provisional",
    "initial-final",
    "initial-final-late",
    "initial-refused",
    "reaccreditation-provisional",
    "reaccreditation-final",
    "reaccreditation-not-renewed",
]
QUOTES = ["quote-plain", "quote-tailored", "quote-submissions"]


def run(*args: str | Path) -> str:
    result = CliRunner().invoke(cli, [str(a) for a in args])
    assert result.exit_code == 0, result.output
    return result.output


def initialised_review(example: Path, path: Path, decision: str, day: str) -> Path:
    """A review from ``--init`` with every claimed criterion given ``decision``."""
    run("review", "--init", example / "submission.yaml", "-o", path)
    text = path.read_text()
    text = text.replace('reviewer: {name: "", email: ""}', "reviewer: {name: Priya Shah}", 1)
    text = text.replace("date: null", f"date: {day}", 1)
    text = re.sub(r"^(\s+)decision:.*$", rf"\1decision: {decision}", text, flags=re.M)
    path.write_text(text.replace('comment: ""', "comment: Not shown in the evidence."))
    return path


def combined_review(folder: Path, continuation: str) -> Path:
    """department-combined's review from ``--init``: every included criterion accepted."""
    path = folder / f"combined-{continuation}.yaml"
    run("review", "--init", COMBINED / "submission.yaml", "-o", path)
    text = path.read_text()
    text = text.replace('reviewer: {name: "", email: ""}', "reviewer: {name: Priya Shah}", 1)
    text = text.replace("date: null", "date: 2026-05-04", 1)
    text = re.sub(r"^(\s+)decision:.*$", r"\1decision: accepted", text, flags=re.M)
    text = text.replace('comment: ""', "comment: Seen in the annual report.")
    text = re.sub(
        r"(continuation:\n\s+decision:) accepted\n(\s+comment:).*",
        rf"\1 {continuation}\n\2 Please send the 2025-26 participation figures by programme.",
        text,
        count=1,
    )
    path.write_text(text)
    return path


@pytest.fixture(scope="module")
def documents(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Path]:
    folder = tmp_path_factory.mktemp("documents")
    made: dict[str, Path] = {}
    for name in EXAMPLE_NAMES:
        made[f"pack-{name}"] = folder / f"pack-{name}.pdf"
        run("pack", EXAMPLES / name / "submission.yaml", "-o", made[f"pack-{name}"], "--attach-evidence")
    accepted = folder / "peer-accepted.yaml"
    accepted.write_text(
        (PEER / "review.yaml").read_text().replace("decision: more-evidence", "decision: accepted")
    )
    late = folder / "peer-accepted-late.yaml"
    late.write_text(accepted.read_text().replace("date: 2026-03-20", "date: 2026-06-10", 1))
    reviews = {
        "initial-provisional": (PEER, PEER / "review.yaml"),
        "initial-final": (PEER, accepted),
        "initial-final-late": (PEER, late),
        "initial-refused": (
            ACADEMIC,
            initialised_review(ACADEMIC, folder / "refused.yaml", "rejected", "2026-03-30"),
        ),
        "reaccreditation-provisional": (COMBINED, combined_review(folder, "more-evidence")),
        "reaccreditation-final": (COMBINED, combined_review(folder, "accepted")),
        "reaccreditation-not-renewed": (COMBINED, combined_review(folder, "rejected")),
    }
    for name, (example, review) in reviews.items():
        made[f"letter-{name}"] = folder / f"letter-{name}.pdf"
        made[f"review-{name}"] = review
        run("review", example / "submission.yaml", review, "--letter", made[f"letter-{name}"])
    quotes = {
        "quote-plain": ["--initial", "2", "--reaccreditation", "6", "--on", "2026-03-02"],
        "quote-tailored": ["--initial", "3", "--mentors", "60", "--on", "2026-03-02", "--to", TO],
        "quote-submissions": [*(str(p) for p in sorted(EXAMPLES.glob("*/submission.yaml")))],
    }
    for name, args in quotes.items():
        made[name] = folder / f"{name}.pdf"
        run("quote", *args, "--pdf", made[name])
    made["portfolio"] = folder / "portfolio.pdf"
    run("portfolio", EXAMPLES, "--on", "2026-02-01", "--pdf", made["portfolio"])
    return made


def text(pdf: Path) -> str:
    return " ".join(" ".join(page.extract_text() or "" for page in PdfReader(str(pdf)).pages).split())


@pytest.mark.parametrize(
    "name", [f"pack-{n}" for n in EXAMPLE_NAMES] + [f"letter-{n}" for n in LETTERS] + [*QUOTES, "portfolio"]
)
def test_no_page_is_less_than_a_fifth_full(documents: dict[str, Path], name: str) -> None:
    pages = PdfReader(str(documents[name])).pages
    fills = [page_fill(page) for page in pages]
    short = [n for n, fill in enumerate(fills[:-1], start=1) if fill < 0.2]
    assert not short, f"{name}: pages {short} are less than a fifth full ({fills})"


def test_a_reaccreditation_letter_says_what_was_decided(documents: dict[str, Path]) -> None:
    """ "A reaccreditation letter must say what was decided: continuation of provision accepted (or
    not), the level renewed, the new validity, and, only for criteria the applicant chose to include,
    their decisions. No 'none' columns for what was never required." """
    final = text(documents["letter-reaccreditation-final"])
    assert "Continuation of provision" in final and "Accepted" in final
    # A renewal applied for in time continues the Silver award (valid until 2026-06-01) from the
    # day after, whatever the review date (2026-05-04).
    assert "Silver renewed" in final and "renewed, valid from 2026-06-02 to 2027-06-01" in final
    assert "continues your current award, valid until 2026-06-01" in final
    assert "Criteria you included" in final and "diversity.4" in final
    assert "none" not in final.lower().replace("none on the application date", "")
    assert "Gold may be applied for from today (a full application)" in final
    provisional = text(documents["letter-reaccreditation-provisional"])
    assert "PROVISIONAL" in provisional and "More evidence requested" in provisional


def test_the_letter_gives_feedback_criterion_by_criterion(documents: dict[str, Path]) -> None:
    """ "The letter lists, per pillar, the criteria rejected and waiting for evidence with their
    wording ... and the assessor's comment. Evidence requests name the criterion and the pillar in
    words ("would raise Diversity and Inclusion, and the outcome")." """
    provisional = text(documents["letter-initial-provisional"])
    assert "Feedback, criterion by criterion" in provisional
    assert "celebration.2 Case studies, outcomes, tips or advice are shared" in provisional
    assert "No case studies have been shared yet" in provisional
    assert "would raise Diversity and Inclusion, and the outcome" in provisional


def test_only_a_final_award_letter_says_what_the_award_brings(documents: dict[str, Path]) -> None:
    """ "National recognition and accreditation of your mentoring programme will provide:
    Certification; Digital logo for your use; ..." (in the final letter of an award only)."""
    for name in ("initial-final", "reaccreditation-final"):
        final = text(documents[f"letter-{name}"])
        for benefit in ("Certification", "Digital logo for your use", "Promotion on social media"):
            assert benefit in final
    for name in ("initial-provisional", "reaccreditation-provisional"):
        assert "Digital logo" not in text(documents[f"letter-{name}"])


def test_a_reaccreditation_pack_leads_with_continuation_and_the_level_held(
    documents: dict[str, Path],
) -> None:
    """ "For a reaccreditation the cover, summary and wheel lead with continuation of provision and the
    level held; ... the self-rating check does not call them over-rated." """
    pack = text(documents["pack-department-combined"])
    assert "continuation of provision evidenced" in pack and "Level held: Silver since 2025-06-02" in pack
    assert "over-rated" not in pack and "evidence level none" not in pack.lower()
    assert "not required for a reaccreditation" in pack


def test_the_pack_has_a_contents_page_with_page_numbers(documents: dict[str, Path]) -> None:
    page = PdfReader(str(documents["pack-peer-mentoring"])).pages[1].extract_text()
    assert "Contents" in page
    assert re.search(r"Summary\s*\.+\s*3", page) and re.search(r"Evidence index\s*\.+\s*\d+", page)


def test_the_declaration_and_how_to_open_attachments(documents: dict[str, Path]) -> None:
    peer = text(documents["pack-peer-mentoring"])
    assert "I declare that the evidence in this submission is accurate" in peer and "Tom Okafor" in peer
    assert "attachments panel" in peer
    assert "No declaration" in text(documents["pack-academic-mentoring"])


def _alt_texts(node: Any, found: list[str]) -> list[str]:
    node = node.get_object()
    if hasattr(node, "get"):
        if "/Alt" in node:
            found.append(str(node["/Alt"]))
        kids = node.get("/K")
        if kids is not None:
            kids = kids.get_object()
            for kid in kids if isinstance(kids, list) else [kids]:
                if hasattr(kid, "get_object") or hasattr(kid, "get"):
                    _alt_texts(kid, found)
    return found


def test_the_wheels_alternative_text_in_the_pdf_lists_every_value(documents: dict[str, Path]) -> None:
    reader = PdfReader(str(documents["pack-peer-mentoring"]))
    alts = _alt_texts(reader.trailer["/Root"]["/StructTreeRoot"], [])
    wheel = next(alt for alt in alts if "Self-rating and evidence" in alt)
    assert "Celebration: self-rating Silver, evidence Bronze" in wheel
    assert wheel.count("self-rating") == 7


def test_a_missing_file_is_named_and_warnings_reach_the_cover(tmp_path: Path) -> None:
    """ "A claim citing a file that does not exist says 'evidence file missing: evidence/x.pdf'";
    an unknown key is a warning on standard error from pack too, and the cover lists it."""
    folder = tmp_path / "copy"
    shutil.copytree(PEER, folder)
    path = folder / "submission.yaml"
    source = path.read_text().replace("file: evidence/mentee-leaflet.md", "file: evidence/x.pdf")
    path.write_text(source.replace("    statement:", "    statment:", 1))
    result = CliRunner().invoke(cli, ["pack", str(path), "-o", str(tmp_path / "pack.pdf")])
    assert result.exit_code == 0 and "statment" in result.stderr
    pdf = PdfReader(str(tmp_path / "pack.pdf"))
    assert "statment" in (pdf.pages[0].extract_text() or "")
    assert "Evidence file missing: evidence/x.pdf" in text(tmp_path / "pack.pdf")


def test_what_an_award_brings_is_the_editions_data() -> None:
    """The list lives in rules.yaml beside its sentence; an edition without it still loads."""
    from nums.edition_loading import load_edition
    from tests.conftest import REPO

    recognition = load_edition(RULES_EDITION).rules.recognition
    assert recognition is not None
    assert recognition.quote.startswith("National recognition and accreditation of your mentoring programme")
    assert len(recognition.provides) == 5 and recognition.provides[0] == "Certification"
    assert load_edition(REPO / "tests" / "editions" / "four-levels").rules.recognition is None


# --- an application made in time holds the award: every document says so --------------------
# rules.yaml, validity.held_until_outcome: "an application made on or before the held award's last
# valid day keeps that award in force until the outcome is final".

HELD_RULE = "an application made on or before the held award's last valid day keeps that award in force"


def review_json(documents: dict[str, Path], name: str, example: Path) -> dict[str, Any]:
    import json

    return json.loads(run("review", example / "submission.yaml", documents[f"review-{name}"], "--json"))


def test_no_document_urges_a_second_application_when_one_was_made_in_time(
    documents: dict[str, Path],
) -> None:
    """Harbourside applied for Silver on 2026-03-02, before Bronze's last valid day (2026-05-11): the
    pack and the assessment say Bronze stays in force until the outcome, never "apply for
    reaccreditation at Bronze by that day"."""
    pack = text(documents["pack-peer-mentoring"])
    assessed = " ".join(run("assess", PEER / "submission.yaml").split())
    for words in (pack, assessed):
        assert "apply for reaccreditation" not in words and "is not awarded by then" not in words
        assert "Bronze stays in force until its outcome is final" in words
    cover = PdfReader(str(documents["pack-peer-mentoring"])).pages[0].extract_text() or ""
    assert "lapses" not in cover and "Warnings" not in cover


def test_a_provisional_outcome_keeps_the_held_award_in_force(documents: dict[str, Path]) -> None:
    letter = text(documents["letter-initial-provisional"])
    assert "Bronze (valid until 2026-05-11) stays in force until this outcome is final" in letter
    held = review_json(documents, "initial-provisional", PEER)["held_award"]
    assert held == {
        "level": "bronze",
        "awarded": "2025-05-12",
        "last_valid_day": "2026-05-11",
        "in_force_until": None,
        "until_outcome": True,
        "becomes": "pending",
    }


def test_a_new_level_awarded_late_starts_on_its_review_date_the_held_award_in_force_until_then(
    documents: dict[str, Path],
) -> None:
    """Silver decided on 2026-06-10, after Bronze's last valid day: Silver runs from 2026-06-10, and
    Bronze was in force until 2026-06-09, so no day is uncovered and no document says otherwise."""
    letter = text(documents["letter-initial-final-late"])
    assert "valid from 2026-06-10 to 2027-06-09" in letter
    assert (
        "Bronze (valid until 2026-05-11) is replaced: it was in force until 2026-06-09, the day before"
        in letter
    )
    data = review_json(documents, "initial-final-late", PEER)
    assert (data["valid_from"], data["continues_award_until"]) == ("2026-06-10", None)
    assert data["held_award"]["becomes"] == "replaced"
    assert data["held_award"]["in_force_until"] == "2026-06-09"


def test_an_outcome_at_the_level_held_continues_its_cycle(documents: dict[str, Path]) -> None:
    data = review_json(documents, "reaccreditation-final", COMBINED)
    assert (data["valid_from"], data["continues_award_until"]) == ("2026-06-02", "2026-06-01")
    assert data["held_award"]["becomes"] == "continued"
    assert "Silver (valid until 2026-06-01) is continued by this award" in text(
        documents["letter-reaccreditation-final"]
    )


# --- each document agrees with the others and with the rules ----------------------------------


def lines(pdf: Path) -> list[list[str]]:
    return [(page.extract_text() or "").splitlines() for page in PdfReader(str(pdf)).pages]


def test_a_quote_never_prices_programmes_of_different_institutions_as_one(documents: dict[str, Path]) -> None:
    """ "Programmes of different institutions are never priced as one request": one quote per
    institution, each page saying so; `--to` names one addressee, so it is refused for several."""
    pages = [" ".join(page) for page in lines(documents["quote-submissions"])]
    assert len(pages) == 3
    for number, page in enumerate(pages, start=1):
        assert f"Quote {number} of 3." in page
        assert "never priced as one request" in " ".join(page.split())
    assert "Programmes of University of Northmoor" in pages[0] and "Academic Mentoring Scheme" in pages[0]
    assert "Programmes of Harbourside University" in pages[2] and "Academic Mentoring" not in pages[2]
    assert "Online Peer Mentoring (pilot) has not started" in " ".join(pages[0].split())
    result = CliRunner().invoke(
        cli, ["quote", *(str(p) for p in sorted(EXAMPLES.glob("*/submission.yaml"))), "--to", TO]
    )
    assert result.exit_code == 2
    assert "--to: names one addressee, but these programmes belong to 3 institutions" in " ".join(
        result.output.split()
    )


def test_a_not_renewed_letter_says_what_still_holds_until_when_and_the_way_back(
    documents: dict[str, Path],
) -> None:
    letter = text(documents["letter-reaccreditation-not-renewed"])
    assert "not yet: dates are set when the outcome is final" not in letter
    assert "not renewed" in letter and "no new award is made" in letter
    assert "Your Silver award still holds: it remains valid until 2026-06-01" in letter
    assert (
        "The way back is a full application: made on or before 2026-06-01, it keeps Silver in force" in letter
    )
    assert "after that day the programme is a new applicant and starts at Bronze" in letter


def test_a_final_refusal_says_the_way_back(documents: dict[str, Path]) -> None:
    letter = text(documents["letter-initial-refused"])
    assert "cannot be accredited on this application" in letter and "no award" in letter
    assert "The way back is a new application once the evidence reaches Bronze" in letter


def test_a_provisional_reaccreditation_letter_never_says_it_would_not_be_renewed(
    documents: dict[str, Path],
) -> None:
    """The table says the outcome is not decided; the text says the same."""
    letter = text(documents["letter-reaccreditation-provisional"])
    assert "would not be renewed" not in letter and "would be renewed" not in letter
    assert "The outcome is not decided yet" in letter and "not decided yet" in letter


def test_self_ratings_are_not_compared_for_a_reaccreditation_in_any_json(documents: dict[str, Path]) -> None:
    """`assess` says "not compared"; `review --json` and `assess --json` say "not-compared"."""
    import json

    reviewed = review_json(documents, "reaccreditation-final", COMBINED)
    assessed = json.loads(run("assess", COMBINED / "submission.yaml", "--json"))
    for data in (reviewed, assessed):
        assert {p["self_rating_check"] for p in data["pillars"].values()} == {"not-compared"}
    assert "OVER-rated" not in run("assess", COMBINED / "submission.yaml")


def test_the_portfolio_counts_programmes_names_the_university_and_budgets_real_needs(
    documents: dict[str, Path],
) -> None:
    """The combined folder is one submission of three programmes in the counts, the chart and the
    fees alike; statuses are words; the next level is named with its date; never-accredited
    programmes are budgeted as first applications."""
    report = text(documents["portfolio"])
    assert "4 submissions, 6 programmes on 2026-02-01" in report
    assert "Programmes of 4 institutions: University of Northmoor; Castlebridge University" in report
    assert "Never accredited" in report and "Not started" in report
    assert "never-accredited" not in report and "not-started" not in report
    assert "Gold from 2025-12-02" in report and "Silver from 2025-11-12" in report
    assert "First applications academic-mentoring, online-peer-mentoring" in report
    assert "Renewals at the same level department-combined" in report


def test_a_portfolio_of_lapsed_and_never_accredited_programmes_budgets_their_applications(
    tmp_path: Path,
) -> None:
    """ "On a date when two programmes have lapsed and two were never accredited, next year's fees
    say 'none'": they need full applications, and an application already made is not counted again."""
    import json

    from tests.builders import submission_data, write_submission

    lapsed = [{"level": "bronze", "awarded": "2024-01-10"}]
    for name in ("lapsed-a", "lapsed-b"):
        write_submission(tmp_path / name, submission_data(history=lapsed, applied=date(2025, 9, 1)))
    for name in ("new-a", "new-b"):
        write_submission(tmp_path / name, submission_data(applied=date(2025, 9, 1)))
    write_submission(tmp_path / "applied", submission_data(applied=date(2025, 5, 1)))
    data = json.loads(run("portfolio", tmp_path, "--on", "2025-06-01", "--json"))
    fees = data["fees"]
    assert fees["returning_ids"] == ["lapsed-a", "lapsed-b"] and fees["first_application_ids"] == [
        "new-a",
        "new-b",
    ]
    assert fees["returning"]["net"] == "1000.00" and fees["first_applications"]["net"] == "1000.00"
    assert fees["under_way_ids"] == ["applied"]
    words = " ".join(run("portfolio", tmp_path, "--on", "2025-06-01").split())
    assert "Returning after a lapse (full applications): 2 programmes, £1,000.00 net" in words
    assert "Not budgeted again: applied and not yet decided" in words and "applied" in words


def test_the_pack_never_gives_a_past_date_for_the_level_applied_for(documents: dict[str, Path]) -> None:
    """Harbourside applies for Silver, open since 2025-11-12: that window is this application."""
    peer = text(documents["pack-peer-mentoring"])
    assert "Earliest next application" not in peer and "Silver from 2025-11-12" not in peer
    assert "Silver: open since 2025-11-12, and this application is for it" in peer


def test_the_gaps_page_says_progression_caps_the_award(documents: dict[str, Path]) -> None:
    """Northmoor's evidence reaches Silver, but a new applicant starts at Bronze: the gaps page says so."""
    academic = text(documents["pack-academic-mentoring"])
    assert "The evidence already brings 7 pillars to Silver or higher" in academic
    assert "The evidence reaches Silver, but progression caps the award at Bronze" in academic


SECTION = re.compile(
    r"^(Contents|Summary|Continuation of provision|Pillar \d: .+|Gaps and next steps|Fees|Declaration|Evidence index)$"
)


@pytest.mark.parametrize("name", EXAMPLE_NAMES)
def test_running_headers_name_the_section_at_the_top_of_the_page(
    documents: dict[str, Path], name: str
) -> None:
    """A page's header names the section it opens with, never the next one starting lower down."""
    pages = lines(documents[f"pack-{name}"])
    current = ""
    for number, page in enumerate(pages[1:], start=2):
        header = page[-2]  # the running title and section, then the footer
        headings = [line for line in page[:-2] if SECTION.match(line.strip())]
        expected = headings[0] if headings and page[0].strip() == headings[0] else current
        assert header.endswith(expected), f"{name} page {number}: {header!r}, expected {expected!r}"
        current = headings[-1] if headings else current


@pytest.mark.parametrize("name", EXAMPLE_NAMES)
def test_the_summary_keeps_to_its_page(documents: dict[str, Path], name: str) -> None:
    """No summary row spills onto the next section's page: the page after the summary opens
    with a section of its own."""
    pages = lines(documents[f"pack-{name}"])
    assert pages[2][0] == "Summary"
    assert SECTION.match(pages[3][0].strip()), f"{name}: page 4 opens with {pages[3][0]!r}"


def test_a_wide_status_badge_does_not_squeeze_the_criterion(tmp_path: Path) -> None:
    """A missing file's long name sits on a line of its own; the criterion's text keeps the width."""
    folder = tmp_path / "copy"
    shutil.copytree(PEER, folder)
    path = folder / "submission.yaml"
    long_name = "evidence/mentee-leaflet-for-the-2025-26-intake-final-approved-version.pdf"
    path.write_text(path.read_text().replace("file: evidence/mentee-leaflet.md", f"file: {long_name}"))
    run("pack", path, "-o", tmp_path / "pack.pdf")
    page = next(p for p in lines(tmp_path / "pack.pdf") if any("Evidence file missing" in x for x in p))
    assert "aims.2 Literature or websites clearly communicate the purpose, objective or aim(s)." in page


def test_no_wording_contradicts_itself_when_a_level_cannot_be_awarded_yet(tmp_path: Path) -> None:
    """With Gold applied for too soon, nothing says "if Gold is not awarded by then" beside "Gold
    cannot be awarded yet"."""
    from tests.builders import submission_data, write_submission

    history = [{"level": "silver", "awarded": date(2025, 10, 10)}]
    path = write_submission(
        tmp_path / "p", submission_data(level="gold", history=history, applied=date(2026, 1, 20))
    )
    run("pack", path, "-o", tmp_path / "pack.pdf")
    for words in (" ".join(run("assess", path).split()), text(tmp_path / "pack.pdf")):
        assert "Gold may be applied for from 2026-04-10" in words
        assert "is not awarded by then" not in words and "apply for reaccreditation" not in words


# --- each document says what happens next -----------------------------------------------------


def test_a_provisional_letter_says_by_when_and_how_to_send_the_evidence(documents: dict[str, Path]) -> None:
    """The response period is nums' own choice (rules.yaml, assessment.evidence_response_days),
    and the letter says so."""
    from nums.edition_loading import load_edition

    days = load_edition(RULES_EDITION).rules.assessment.evidence_response_days
    letter = text(documents["letter-initial-provisional"])
    assert f"Please send the following by 2026-04-17, {days} days after this letter" in letter
    assert f"The {days}-day period is nums' own choice, not the standard's" in letter
    assert "reply to me at a.morgan@assessors.example.org, naming each criterion by its id" in letter
    data = review_json(documents, "initial-provisional", PEER)
    assert (data["evidence_due"], data["evidence_response_days"]) == ("2026-04-17", days)


def test_a_final_award_letter_says_when_to_reaccredit_and_what_it_replaces(
    documents: dict[str, Path],
) -> None:
    letter = text(documents["letter-initial-final"])
    assert "What happens next" in letter
    assert "To keep Silver beyond 2027-03-19, apply for reaccreditation on or before that day" in letter
    assert "It replaces your Bronze award, which was in force until 2026-03-19, the day before" in letter
    assert review_json(documents, "initial-final", PEER)["reaccreditation_by"] == "2027-03-19"
    renewed = text(documents["letter-reaccreditation-final"])
    assert "To keep Silver beyond 2027-06-01, apply for reaccreditation on or before that day" in renewed
    assert "What happens next" not in text(documents["letter-reaccreditation-not-renewed"])


def test_a_quote_says_who_sets_the_fees_and_whom_to_ask_from_the_price_lists_data(
    documents: dict[str, Path],
) -> None:
    """ "Accreditation ... is awarded by National Mentoring Day and the Mentoring School"; the
    standard gives no email address or payment details, so none is invented: the quote says whom
    to ask, in the price list's words."""
    import json

    from nums.prices import load_price_lists

    issuer = load_price_lists()[0].issuer
    assert issuer is not None and issuer.email is None and issuer.payment is None
    for name in QUOTES:
        words = text(documents[name])
        assert (
            "Fees set by National Mentoring Day and the Mentoring School, who award the accreditation"
            in words
        )
        assert "How to pay, or whom to ask" in words and " ".join(issuer.ask.split()) in words
        assert "@" not in words, f"{name}: an email address that the standard never gives"
    plain = text(documents["quote-plain"])
    assert "Not addressed: this quote was made without naming whom it is for" in plain
    tailored = text(documents["quote-tailored"])
    assert f"For {TO}" in tailored and "Not addressed" not in tailored
    assert "Tailored costs needed: ask National Mentoring Day and the Mentoring School through" in tailored
    data = json.loads(run("quote", "--initial", "1", "--on", "2026-03-02", "--json"))
    assert data["issuer"]["name"] == issuer.name and data["issuer"]["email"] is None
    assert data["addressed"] is False


def test_a_tailored_quote_does_not_say_the_whole_is_valid_until_a_day(documents: dict[str, Path]) -> None:
    """A tailored quote prices only part of the application: its PDF and its text say the listed
    prices hold until the day, and that the tailored costs are the scheme's to price and date;
    a plain quote is valid as a whole."""
    tailored = text(documents["quote-tailored"])
    assert "Prices valid until 2026-03-31" in tailored
    assert "The prices listed are valid until 2026-03-31; the tailored costs are not part of them" in tailored
    assert "This quote is valid until" not in tailored
    assert "This quote is valid until 2026-03-31" in text(documents["quote-plain"])
    said = run("quote", "--initial", "3", "--mentors", "60", "--on", "2026-03-02")
    assert "\\x0a" not in said  # the wrapped bold line is two bold lines, not one with an escape
    assert (
        "The prices listed are valid until 2026-03-31; the tailored costs are not part of them"
        in " ".join(said.split())
    )
