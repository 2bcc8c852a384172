"""Shared fixtures: the shipped edition, the examples folder, a CLI runner."""

from __future__ import annotations

import os
import shutil
import tempfile
from collections.abc import Iterator
from pathlib import Path

import pytest
from click.testing import CliRunner

from nums.standard import Edition, load_edition

REPO = Path(__file__).resolve().parents[1]
EXAMPLES = REPO / "evidence_examples"

# Edition snapshots (edition_cache.py) go to a folder of the test run's own, never the
# user's ~/.cache; subprocesses inherit it. Set before any edition is loaded.
_SNAPSHOTS = tempfile.mkdtemp(prefix="nums-test-cache-")
os.environ["NUMS_CACHE_DIR"] = _SNAPSHOTS


@pytest.fixture(scope="session", autouse=True)
def _remove_snapshots() -> Iterator[None]:
    yield
    shutil.rmtree(_SNAPSHOTS, ignore_errors=True)


@pytest.fixture(scope="session")
def edition() -> Edition:
    return load_edition()


@pytest.fixture()
def runner() -> CliRunner:
    return CliRunner()
