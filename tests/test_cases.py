"""Runs the rule cases written as YAML in tests/cases/ (see each file's header)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
import yaml

from nums.outcome import award_dates, held_fate
from nums.progression import in_force, standing
from nums.standard import Edition
from nums.submission import Award

CASES = Path(__file__).parent / "cases"


def _load(name: str) -> list[dict[str, Any]]:
    return yaml.safe_load((CASES / name).read_text(encoding="utf-8"))


@pytest.mark.parametrize("case", _load("progression.yaml"), ids=lambda case: case["name"])
def test_progression_case(edition: Edition, case: dict[str, Any]) -> None:
    history = [Award(**award) for award in case["history"]]
    result = standing(edition, history, case["date"])
    found = {
        "held": result.held,
        "held_since": result.held_since,
        "cap": result.cap,
        "next_level": result.next_level,
        "next_level_from": result.next_level_from,
        "expires": result.expires,
        "lapsed": result.last_expired,
    }
    for key, expected in case["expect"].items():
        assert found[key] == expected, f"{case['name']}: {key}"


@pytest.mark.parametrize("case", _load("renewals.yaml"), ids=lambda case: case["name"])
def test_renewal_case(edition: Edition, case: dict[str, Any]) -> None:
    """The award's dates come from the review's own function; the run it makes is checked too,
    and what becomes of the award held."""
    history = [Award(**award) for award in case["history"]]
    applied = case["application"]["date"]
    held = standing(edition, history, applied)
    start = None
    if case["awarded"] is not None:
        start, end = award_dates(edition, held, case["awarded"], case["reviewed"])
        expect = case["expect"]
        assert (start, end) == (expect["valid_from"], expect["valid_until"]), case["name"]
        if "held_since" in expect:
            after = standing(edition, [*history, Award(level=case["awarded"], awarded=start)], start)
            assert after.held_since == expect["held_since"], case["name"]
    if "held" in case:
        fate = held_fate(edition, held, applied, case["awarded"], start, case["reviewed"])
        assert fate is not None, case["name"]
        assert (fate.becomes, fate.in_force_until) == (
            case["held"]["becomes"],
            case["held"]["in_force_until"],
        ), case["name"]


@pytest.mark.parametrize("case", _load("in_force.yaml"), ids=lambda case: case["name"])
def test_in_force_case(edition: Edition, case: dict[str, Any]) -> None:
    """ "An application made on or before the held award's last valid day keeps that award in
    force until the outcome is final": progression.in_force, the one answer every command reads."""
    history = [Award(**award) for award in case["history"]]
    force = in_force(edition, history, case["day"], case.get("applied"), case.get("decided"))
    found = {
        "level": force.level,
        "until": force.until if force.award else None,
        "until_outcome": force.until_outcome,
        "kept_by": force.application,
        "lapsed": force.lapsed,
    }
    for key, expected in case["expect"].items():
        assert found[key] == expected, f"{case['name']}: {key}"
    held = standing(edition, history, case["day"], case.get("applied"), case.get("decided"))
    assert held.held == force.level, f"{case['name']}: standing and in_force disagree"
