"""Shared fixtures: the shipped edition, the examples folder, a CLI runner."""

from __future__ import annotations

import os
import shutil
import tempfile
from pathlib import Path

import pytest
from click.testing import CliRunner

from nums.edition_loading import load_edition
from nums.standard import Edition

RULES_EDITION = "nums-2021"
"""The edition every rule test reads. Pinned: without ``--standard`` nums reads the newest
shipped edition, so shipping a new one would otherwise silently change what these tests test.
A test of another edition names it (``tests/editions/``); a test of "the newest" says so."""

REPO = Path(__file__).resolve().parents[1]
EXAMPLES = REPO / "evidence_examples"


def pytest_configure(config: pytest.Config) -> None:
    """Edition snapshots (edition_cache.py) go to a folder of this test run's own, never the
    user's ~/.cache; subprocesses inherit it. A hook, not module code: helper processes that
    import this module make no folders of their own."""
    os.environ["NUMS_CACHE_DIR"] = tempfile.mkdtemp(prefix="nums-test-cache-")


def pytest_unconfigure(config: pytest.Config) -> None:
    shutil.rmtree(os.environ.pop("NUMS_CACHE_DIR", ""), ignore_errors=True)


@pytest.fixture(scope="session")
def edition() -> Edition:
    return load_edition(RULES_EDITION)


@pytest.fixture()
def runner() -> CliRunner:
    return CliRunner()
