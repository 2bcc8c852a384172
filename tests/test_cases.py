"""Runs the rule cases written as YAML in tests/cases/ (see each file's header)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
import yaml

from nums.progression import standing
from nums.review import award_dates
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
    """The award's dates come from the review's own function; the run it makes is checked too."""
    history = [Award(**award) for award in case["history"]]
    held = standing(edition, history, case["application"]["date"])
    start, end = award_dates(edition, held, case["awarded"], case["reviewed"])
    expect = case["expect"]
    assert (start, end) == (expect["valid_from"], expect["valid_until"]), case["name"]
    if "held_since" in expect:
        after = standing(edition, [*history, Award(level=case["awarded"], awarded=start)], start)
        assert after.held_since == expect["held_since"], case["name"]
