"""The documents people read, rendered and read back page by page with pypdf:
every example's pack and the outcome letter (provisional and final, initial and
reaccreditation).

"No page is less than a fifth full, except a last page that is the end of a
section." How full a page is: the vertical extent of its body text as a
fraction of the body's height (``tests/pdfpages.py``). Sections flow, so only
the document's last page may end short; the contents page and each forced
break (contents, summary, first pillar) must still leave a fifth.
"""

from __future__ import annotations

import re
import shutil
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner
from pypdf import PdfReader

from nums.cli import cli
from tests.conftest import EXAMPLES
from tests.pdfpages import page_fill

PEER = EXAMPLES / "peer-mentoring"
COMBINED = EXAMPLES / "department-combined"
EXAMPLE_NAMES = sorted(p.parent.name for p in EXAMPLES.glob("*/submission.yaml"))
LETTERS = [
    "initial-provisional",
    "initial-final",
    "initial-final-late",
    "reaccreditation-provisional",
    "reaccreditation-final",
]


def run(*args: str | Path) -> str:
    result = CliRunner().invoke(cli, [str(a) for a in args])
    assert result.exit_code == 0, result.output
    return result.output


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
        "reaccreditation-provisional": (COMBINED, combined_review(folder, "more-evidence")),
        "reaccreditation-final": (COMBINED, combined_review(folder, "accepted")),
    }
    for name, (example, review) in reviews.items():
        made[f"letter-{name}"] = folder / f"letter-{name}.pdf"
        made[f"review-{name}"] = review
        run("review", example / "submission.yaml", review, "--letter", made[f"letter-{name}"])
    return made


def text(pdf: Path) -> str:
    return " ".join(" ".join(page.extract_text() or "" for page in PdfReader(str(pdf)).pages).split())


@pytest.mark.parametrize("name", [f"pack-{n}" for n in EXAMPLE_NAMES] + [f"letter-{n}" for n in LETTERS])
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
    from nums.standard import load_edition
    from tests.conftest import REPO

    recognition = load_edition().rules.recognition
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
        "Bronze (valid until 2026-05-11) is replaced: it is in force until 2026-06-09, the day before"
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
