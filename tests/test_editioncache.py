"""The edition cache: it saves a cold start its time and never changes an answer."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from nums import editioncache
from nums.standard import _read_edition

FOUR = Path(__file__).parent / "editions" / "four-levels"


def test_a_cached_edition_is_the_edition_and_a_changed_file_is_read_again(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("NUMS_CACHE_DIR", str(tmp_path / "cache"))
    folder = tmp_path / "edition"
    shutil.copytree(FOUR, folder)
    first = editioncache.cached_edition(folder, lambda: _read_edition(str(folder)))
    assert len(list((tmp_path / "cache").iterdir())) == 1
    again = editioncache.cached_edition(folder, lambda: pytest.fail("built again although unchanged"))
    assert again == first
    edition_yaml = folder / "edition.yaml"
    edition_yaml.write_text(edition_yaml.read_text().replace("title:", "title: Changed", 1))
    changed = editioncache.cached_edition(folder, lambda: _read_edition(str(folder)))
    assert changed.title != first.title


def test_a_damaged_cache_entry_is_rebuilt(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("NUMS_CACHE_DIR", str(tmp_path))
    editioncache.cached_edition(FOUR, lambda: _read_edition(str(FOUR)))
    [entry] = tmp_path.iterdir()
    entry.write_bytes(b"not a pickle")
    assert editioncache.cached_edition(FOUR, lambda: _read_edition(str(FOUR))).id


def test_the_cache_can_be_turned_off(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("NUMS_CACHE_DIR", "off")
    assert editioncache.cache_folder() is None
