"""Dependencies are bounded below by versions that were tested (README, design notes:
"Dependencies"). pyproject.toml states the lower bounds; .ci/lowest.txt pins each of them,
and CI runs the whole suite a second time on exactly those releases. These tests keep the
two files in step, so a bound cannot be raised or added in one without the other."""

from __future__ import annotations

import re
import tomllib
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[1]
LOWEST = REPO / ".ci" / "lowest.txt"

NOT_PINNED = {
    "ruff": "the linter: its version changes what is reported, not how nums behaves",
    "playwright": "drives Debian's chromium, whose version is the system's, not pip's",
    "axe-playwright-python": "runs axe-core in that browser, as playwright does",
}
"""Test tools that CI takes at their newest in both runs, and why."""

_REQUIREMENT = re.compile(r"^\s*([A-Za-z0-9][A-Za-z0-9._-]*)\s*(?:\[[^\]]*\])?\s*(.*)$")


def _normal(name: str) -> str:
    """A distribution name as pip compares them (PEP 503)."""
    return re.sub(r"[-_.]+", "-", name).lower()


def _lower_bounds() -> dict[str, str]:
    """Each dependency of pyproject.toml (runtime and every extra: test, postgres) with its ``>=`` bound."""
    project = tomllib.loads((REPO / "pyproject.toml").read_text(encoding="utf-8"))["project"]
    requirements = list(project["dependencies"])
    for extra in project["optional-dependencies"].values():
        requirements += list(extra)
    bounds: dict[str, str] = {}
    for requirement in requirements:
        match = _REQUIREMENT.match(requirement)
        assert match, requirement
        name, spec = match.groups()
        lower = re.search(r">=\s*([0-9][^,;\s]*)", spec)
        assert lower, f"{requirement!r} states no lower bound (>=)"
        bounds[_normal(name)] = lower.group(1)
    return bounds


def _pins() -> dict[str, str]:
    pins: dict[str, str] = {}
    for line in LOWEST.read_text(encoding="utf-8").splitlines():
        line = line.split("#", 1)[0].strip()
        if line:
            name, _, version = line.partition("==")
            assert version, f".ci/lowest.txt: {line!r} is not pinned with =="
            assert _normal(name) not in pins, f".ci/lowest.txt pins {name} twice"
            pins[_normal(name)] = version.strip()
    return pins


def _same_release(bound: str, pin: str) -> bool:
    """``>=8`` is pinned as ``8.0.0``: trailing zeros do not make another release."""

    def parts(version: str) -> list[int]:
        numbers = [int(n) for n in version.split(".")]
        while numbers and numbers[-1] == 0:
            numbers.pop()
        return numbers

    return parts(bound) == parts(pin)


@pytest.mark.parametrize("name", sorted(set(_lower_bounds()) - set(NOT_PINNED)))
def test_every_lower_bound_is_the_release_ci_tests(name: str) -> None:
    bound, pins = _lower_bounds()[name], _pins()
    assert name in pins, f"{name}>={bound} is not pinned in .ci/lowest.txt, so that bound is never tested"
    assert _same_release(bound, pins[name]), (
        f"pyproject.toml says {name}>={bound} but CI tests {name}=={pins[name]}"
    )


def test_nothing_is_pinned_that_pyproject_does_not_ask_for() -> None:
    assert set(_pins()) <= set(_lower_bounds()) - set(NOT_PINNED)
