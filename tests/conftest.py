"""Shared fixtures: the shipped edition, the examples folder, a CLI runner."""

from __future__ import annotations

import os
import shutil
import tempfile
from collections.abc import Iterator
from pathlib import Path
from typing import Any

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


@pytest.fixture(scope="module")
def browser() -> Iterator[Any]:
    """Debian's chromium through Playwright, one for each module of browser tests (their contexts
    are their own); skipped where there is no chromium or no playwright. Not one for the whole
    run: Playwright's sync API keeps its event loop running in the main thread while it is open,
    and a later module's ``asyncio.run`` (tests/test_trust_workspace.py) would then refuse to run."""
    from tests.browser_support import ARGS, CHROMIUM

    if not CHROMIUM.exists():
        pytest.skip(f"no chromium at {CHROMIUM}: `apt-get install -y chromium` (.ci/run installs it)")
    sync_api = pytest.importorskip("playwright.sync_api", reason="playwright is in the test extra")
    with sync_api.sync_playwright() as playwright:
        launched = playwright.chromium.launch(executable_path=str(CHROMIUM), args=ARGS)
        yield launched
        launched.close()
