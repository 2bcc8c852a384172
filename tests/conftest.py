"""Shared fixtures: the shipped edition, the examples folder, a CLI runner."""

from __future__ import annotations

from pathlib import Path

import pytest
from click.testing import CliRunner

from nums.standard import Edition, load_edition

REPO = Path(__file__).resolve().parents[1]
EXAMPLES = REPO / "evidence_examples"


@pytest.fixture(scope="session")
def edition() -> Edition:
    return load_edition()


@pytest.fixture()
def runner() -> CliRunner:
    return CliRunner()
