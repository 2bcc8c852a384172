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

import pytest
from hypothesis import HealthCheck, event, given, settings
from hypothesis import strategies as st

from nums.awards import logo
from nums.awards.credential import credential, sign
from nums.awards.issuing import award_facts, refusal_for
from nums.awards.keys import init_keys, load_signing_key, read_jwks
from nums.awards.settings import award_settings
from nums.awards.status import empty_list
from nums.awards.verify import EXIT_CODES, Register, verify
from nums.edition_loading import load_edition
from nums.errors import NumsError
from nums.outcome import review_outcome
from nums.review import Decision, Review
from tests.awardkit import PEER, final_review, issue, keys, run, withdraw
from tests.builders import build, items_for
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
REGISTER = Register(read_jwks(KEYS / "k" / "jwks.json"), empty_list("status.json"), str(KEYS))


@st.composite
def awards(draw: st.DrawFn) -> tuple[str, date, date, frozenset[str], int, list[dict[str, object]]]:
    level = draw(st.sampled_from(EDITION.levels))
    applied = draw(st.dates(date(2024, 1, 1), date(2030, 12, 31)))
    reviewed = applied + timedelta(days=draw(st.integers(0, 120)))
    claims = items_for(EDITION, level)
    rejected = draw(st.sets(st.sampled_from(claims), max_size=4)) if claims else set()
    # the levels below it held before, each for 200 to 350 days, so progression allows ``level``
    held, day = [], applied
    for lower in reversed(EDITION.levels[: EDITION.rank(level) - 1]):
        day -= timedelta(days=draw(st.integers(200, 350)))
        held.insert(0, {"level": lower, "awarded": day})
    return level, applied, reviewed, frozenset(rejected), draw(st.integers(-400, 400)), held


@given(awards())
@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
def test_what_verify_reports_equals_what_the_review_decided(award: tuple) -> None:  # type: ignore[type-arg]
    level, applied, reviewed, rejected, offset, held = award
    folder = Path(tempfile.mkdtemp(prefix="nums-award-"))
    try:
        sub = build(
            folder,
            EDITION,
            items_for(EDITION, level),
            level=level,
            applied=applied,
            started=date(2018, 9, 1),
            history=held,
        )
        decisions = {i: Decision(decision="rejected" if i in rejected else "accepted") for i in sub.claims}
        review = Review(
            folder / "review.yaml", reviewer=None, date=reviewed, decisions=decisions, overrides={}
        )  # type: ignore[arg-type]
        outcome = review_outcome(EDITION, sub, review, {})
        settings_ = award_settings(EDITION, reviewed)
        event("no award" if refusal_for(outcome) else f"award at {outcome.outcome}")
        if refusal_for(outcome):
            with pytest.raises(NumsError):
                award_facts(outcome, settings_, "NUMS21-X-01")
            return
        facts = award_facts(outcome, settings_, "NUMS21-X-01")
        token = sign(credential(facts), SIGNING)
        (folder / "logo.svg").write_text(logo.svg(facts, token))
        assert outcome.valid_from is not None and outcome.valid_until is not None
        on = outcome.valid_from + timedelta(days=offset)
        verdict = verify(folder / "logo.svg", REGISTER, on)
        assert verdict.facts is not None
        assert (verdict.facts.level, verdict.facts.valid_from, verdict.facts.valid_until) == (
            outcome.outcome,
            outcome.valid_from,
            outcome.valid_until,
        )
        assert verdict.facts.programmes == tuple(p.name for p in sub.programmes)
        expected = (
            "not yet valid" if on < outcome.valid_from else "expired" if on > outcome.valid_until else "valid"
        )
        assert verdict.status == expected
    finally:
        shutil.rmtree(folder, ignore_errors=True)
