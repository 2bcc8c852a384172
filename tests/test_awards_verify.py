"""Issue 24, "Tested": issue, then verify: valid; one byte of the SVG's credential changed: not
genuine; a key that is not the scheme's: not genuine; the day after validUntil: expired;
withdrawn: withdrawn. A property over random awards: what verify reports equals what the
review decided."""

from __future__ import annotations

import json
import shutil
import tempfile
from datetime import date, timedelta
from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, event, given, settings
from hypothesis import strategies as st

from nums.awards import bitstring, logo
from nums.awards.credential import credential, sign
from nums.awards.issuing import award_facts, refusal_for
from nums.awards.issuing import issue as issue_award
from nums.awards.keys import init_keys, load_signing_key, read_jwks
from nums.awards.settings import award_settings
from nums.awards.status import empty_list
from nums.awards.verify import EXIT_CODES, Register, verify
from nums.edition_loading import load_edition
from nums.errors import NumsError
from nums.outcome import review_outcome
from nums.review import Decision, Review
from nums.submission import load_submission
from tests.awardkit import PEER, final_review, issue, keys, run, withdraw
from tests.builders import build, items_for, submission_data, write_submission
from tests.test_cli import _after_command

IN_FORCE = "2026-06-01"


@pytest.fixture()
def issued(tmp_path: Path) -> Path:
    return issue(
        PEER / "submission.yaml", final_review(tmp_path), keys(tmp_path / "keys"), tmp_path / "issuing"
    )


def verify_cli(file: Path, register: Path, *more: str) -> tuple[int, str]:
    code, out, err = run("verify", file, "--register", register, *more)
    return code, out.strip() + err.strip()


def test_issue_then_verify_valid(issued: Path) -> None:
    register = issued.parents[1]
    for name in ("logo.svg", "logo.png", "credential.jwt"):
        code, line = verify_cli(issued / name, register, "--on", IN_FORCE)
        assert (code, line) == (
            0,
            f"valid: Silver, First-Year Peer Mentoring (Harbourside University), certificate {issued.name}, until 2027-03-19",
        ), name


def test_one_byte_of_the_svgs_credential_changed_is_not_genuine(issued: Path, tmp_path: Path) -> None:
    svg = (issued / "logo.svg").read_text()
    token = svg.split('verify="', 1)[1].split('"', 1)[0]
    payload_at = token.index(".") + 10  # a byte inside the signed payload
    changed = token[:payload_at] + ("A" if token[payload_at] != "A" else "B") + token[payload_at + 1 :]
    forged = tmp_path / "forged.svg"
    forged.write_text(svg.replace(token, changed))
    code, line = verify_cli(forged, issued.parents[1], "--on", IN_FORCE)
    assert code == EXIT_CODES["not genuine"] == 6
    assert line.startswith("not genuine: ")


def test_a_logo_whose_picture_differs_from_its_credential_is_not_genuine(
    issued: Path, tmp_path: Path
) -> None:
    """Baked data mismatch: a Silver credential inside a picture that says GOLD."""
    forged = tmp_path / "gold.svg"
    forged.write_text((issued / "logo.svg").read_text().replace(">SILVER<", ">GOLD<"))
    code, line = verify_cli(forged, issued.parents[1], "--on", IN_FORCE)
    assert (code, line) == (6, "not genuine: the logo's picture does not say what its credential says")


def test_a_key_that_is_not_the_schemes_is_not_genuine(tmp_path: Path) -> None:
    """A logo signed by someone else's key, checked against the scheme's register."""
    review = final_review(tmp_path)
    genuine = issue(PEER / "submission.yaml", review, keys(tmp_path / "scheme"), tmp_path / "scheme-issuing")
    other = issue(PEER / "submission.yaml", review, keys(tmp_path / "other"), tmp_path / "other-issuing")
    code, line = verify_cli(other / "logo.svg", genuine.parents[1], "--on", IN_FORCE)
    assert code == 6 and "not genuine: it is signed with a key that is not the scheme's" in line


def test_the_day_after_valid_until_is_expired(issued: Path) -> None:
    code, line = verify_cli(issued / "logo.svg", issued.parents[1], "--on", "2027-03-20")
    assert (
        code == 3
        and line.startswith("expired: Silver, First-Year Peer Mentoring")
        and "since 2027-03-20" in line
    )
    assert verify_cli(issued / "logo.svg", issued.parents[1], "--on", "2027-03-19")[0] == 0


def test_withdrawn_is_withdrawn_from_its_day(issued: Path) -> None:
    register = issued.parents[1]
    key_dir = issued.parents[2] / "keys"
    code, _, err = withdraw(
        register, issued.name, key_dir, "--reason", "The programme closed.", "--on", "2026-09-01"
    )
    assert code == 0, err
    code, line = verify_cli(issued / "logo.png", register, "--on", "2026-09-02")
    assert (code, line) == (
        4,
        f"withdrawn on 2026-09-01: Silver, First-Year Peer Mentoring (Harbourside University), certificate {issued.name}: The programme closed.",
    )
    assert verify_cli(issued / "logo.png", register, "--on", "2026-08-31")[0] == 0  # it held before then
    code, _, err = withdraw(register, issued.name, key_dir, "--reason", "Again.")
    assert code == 2 and f"award {issued.name} is already withdrawn" in err


def test_a_private_reason_is_not_shown(issued: Path) -> None:
    register = issued.parents[1]
    key_dir = issued.parents[2] / "keys"
    assert (
        withdraw(
            register, issued.name, key_dir, "--reason", "Internal matter.", "--private", "--on", "2026-09-01"
        )[0]
        == 0
    )
    code, line = verify_cli(issued / "logo.svg", register, "--on", "2026-10-01", "--json")
    verdict = json.loads(line)
    assert code == 4 and verdict["status"] == "withdrawn" and verdict["reason"] is None
    assert "Internal matter" not in line


def test_verify_json_for_tools(issued: Path) -> None:
    code, line = verify_cli(issued / "credential.jwt", issued.parents[1], "--on", IN_FORCE, "--json")
    verdict = json.loads(line)
    assert code == 0 and verdict["status"] == "valid" and verdict["level"] == "silver"
    assert (verdict["valid_from"], verdict["valid_until"]) == ("2026-03-20", "2027-03-19")
    assert verdict["programmes"] == ["First-Year Peer Mentoring"] and verdict["certificate"] == issued.name


def test_a_credential_json_without_its_signature_is_not_genuine(issued: Path) -> None:
    code, line = verify_cli(issued / "credential.json", issued.parents[1], "--on", IN_FORCE)
    assert code == 6 and "without its signature" in line


def test_a_folder_that_is_no_register_is_refused_in_words(issued: Path, tmp_path: Path) -> None:
    code, line = verify_cli(issued / "logo.svg", tmp_path)
    assert code == 2 and "holds no jwks.json: the scheme's published key" in line


def test_commands_that_render_nothing_import_neither_weasyprint_nor_the_web(
    issued: Path, tmp_path: Path
) -> None:
    register = issued.parents[1]
    commands = [
        f"['keys', 'init', {str(tmp_path / 'k')!r}]",
        f"['verify', {str(issued / 'logo.svg')!r}, '--register', {str(register)!r}]",
        f"['award', 'withdraw', {str(register)!r}, {issued.name!r}, '--reason', 'closed', '--key', {str(tmp_path / 'keys')!r}]",
    ]
    loaded = (
        "sorted(m for m in ('weasyprint', 'starlette', 'uvicorn', 'multipart', 'PIL') if m in sys.modules)"
    )
    for command in commands:
        result = _after_command(command, loaded, tmp_path)
        assert result.stdout.strip().endswith("[]"), (command, result.stdout, result.stderr)


# --- the property ------------------------------------------------------------------------------

EDITION = load_edition()
KEYS = Path(tempfile.mkdtemp(prefix="nums-award-keys-"))
init_keys(KEYS / "k")
SIGNING = load_signing_key(KEYS / "k")
REGISTER = Register(
    read_jwks(KEYS / "k" / "jwks.json"),
    empty_list("status.json"),
    str(KEYS),
    status_bits=bitstring.decode(bitstring.encode([])),
)


@st.composite
def awards(draw: st.DrawFn) -> dict[str, Any]:
    """A first application at a level the history allows, decided with some claims rejected (so
    some reviews make no award), and a renewal of whatever it awards: applied for on or before
    the award's last valid day, decided up to 120 days later (after that day too)."""
    level = draw(st.sampled_from(EDITION.levels))
    applied = draw(st.dates(date(2024, 1, 1), date(2030, 12, 31)))
    claims = items_for(EDITION, level)
    held, day = [], applied
    for lower in reversed(EDITION.levels[: EDITION.rank(level) - 1]):
        day -= timedelta(days=draw(st.integers(200, 350)))
        held.insert(0, {"level": lower, "awarded": day})
    return {
        "level": level,
        "applied": applied,
        "reviewed": applied + timedelta(days=draw(st.integers(0, 120))),
        # a few claims rejected (often still an award, perhaps a lower one), or all of them (no award)
        "rejected": frozenset(
            claims if draw(st.integers(0, 4)) == 0 else draw(st.sets(st.sampled_from(claims), max_size=4))
        ),
        "offset": draw(st.integers(-400, 400)),
        "held": held,
        "renewal_before_end": draw(st.integers(0, 90)),
        "renewal_decided_after": draw(st.integers(0, 120)),
    }


def _decide(folder: Path, sub: Any, reviewed: date, decisions: dict[str, Decision]) -> Any:
    review = Review(folder / "review.yaml", reviewer=None, date=reviewed, decisions=decisions, overrides={})  # type: ignore[arg-type]
    return review_outcome(EDITION, sub, review, {})


def _verified(folder: Path, outcome: Any, number: str, on: date) -> Any:
    """Sign the award the outcome makes, bake it into a logo, and ask verify about ``on``."""
    settings_ = award_settings(EDITION, outcome.review.date)
    facts = award_facts(outcome, settings_, number, bitstring.index_for(SIGNING, number, set()))
    token = sign(credential(facts), SIGNING)
    (folder / f"{number}.svg").write_text(logo.svg(facts, token))
    return verify(folder / f"{number}.svg", REGISTER, on)


def _holds(verdict: Any, outcome: Any, on: date) -> None:
    """What verify reports is what the review decided: level, dates, programmes, and the state."""
    assert verdict.facts is not None
    assert (verdict.facts.level, verdict.facts.valid_from, verdict.facts.valid_until) == (
        outcome.outcome,
        outcome.valid_from,
        outcome.valid_until,
    )
    assert verdict.facts.programmes == tuple(p.name for p in outcome.submission.programmes)
    expected = (
        "not yet valid" if on < outcome.valid_from else "expired" if on > outcome.valid_until else "valid"
    )
    assert verdict.status == expected


@given(awards())
@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
def test_what_verify_reports_equals_what_the_review_decided(award: dict[str, Any]) -> None:
    level = award["level"]
    folder = Path(tempfile.mkdtemp(prefix="nums-award-"))
    try:
        started = date(2018, 9, 1)
        sub = build(
            folder, EDITION, items_for(EDITION, level), level=level, applied=award["applied"], started=started,
            history=award["held"],
        )  # fmt: skip
        decisions = {
            i: Decision(decision="rejected" if i in award["rejected"] else "accepted") for i in sub.claims
        }
        outcome = _decide(folder, sub, award["reviewed"], decisions)
        refusal = refusal_for(outcome)
        event("no award" if refusal else f"award at {outcome.outcome}")
        if refusal:
            # a review that makes no award: issuing refuses in words and writes nothing
            settings_ = award_settings(EDITION, award["reviewed"])
            with pytest.raises(NumsError) as refused:
                issue_award(outcome, settings_, SIGNING, folder / "issuing")
            assert "final outcome is no award, so there is no award to issue" in str(refused.value)
            assert not (folder / "issuing").exists()
            return
        on = outcome.valid_from + timedelta(days=award["offset"])
        _holds(_verified(folder, outcome, "NUMS21-X-01", on), outcome, on)

        # the renewal: a timely reaccreditation at the level awarded continues the cycle
        end = outcome.valid_until
        renewal_applied = end - timedelta(days=award["renewal_before_end"])
        history = [*award["held"], {"level": outcome.outcome, "awarded": outcome.valid_from}]
        renewing = folder / "renewal"
        renewing.mkdir()
        data = submission_data(
            [], level=outcome.outcome, kind="reaccreditation", applied=renewal_applied, started=started,
            history=history,
        )  # fmt: skip
        data["continuation"] = {
            "statement": "It ran again this year.",
            "evidence": [{"title": "Annual report", "file": "evidence/handbook.txt"}],
        }
        renewal = load_submission(write_submission(renewing, data), EDITION)
        renewed = _decide(
            renewing,
            renewal,
            renewal_applied + timedelta(days=award["renewal_decided_after"]),
            {"continuation": Decision(decision="accepted")},
        )
        assert refusal_for(renewed) is None, refusal_for(renewed)
        event("renewal decided after the last valid day" if renewed.review.date > end else "renewal in time")
        assert renewed.valid_from == end + timedelta(days=1)  # the cycle continues, however late the review
        renewal_on = renewed.valid_from + timedelta(days=award["offset"])
        _holds(_verified(renewing, renewed, "NUMS21-X-02", renewal_on), renewed, renewal_on)
    finally:
        shutil.rmtree(folder, ignore_errors=True)
