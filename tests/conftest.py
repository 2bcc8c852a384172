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
    return load_edition()


@pytest.fixture()
def runner() -> CliRunner:
    return CliRunner()
