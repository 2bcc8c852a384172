"""The edition snapshot (edition_cache.py): faster runs, never a different verdict.

A snapshot is only used while every file it was read from is byte-for-byte the same and
the same code made it; anything doubtful is ignored and the edition is read afresh.
"""

from __future__ import annotations

import os
import shutil
from collections.abc import Iterator
from pathlib import Path

import pytest

from nums import edition_cache
from nums.edition_loading import _load_edition, load_edition
from nums.editions import shipped_editions
from nums.errors import NumsError
from nums.standard import Edition


@pytest.fixture()
def snapshots(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[Path]:
    """A cache folder of this test's own, and no edition remembered in this process."""
    folder = tmp_path / "cache"
    monkeypatch.setenv(edition_cache.CACHE_ENV, str(folder))
    _load_edition.cache_clear()
    yield folder
    _load_edition.cache_clear()


@pytest.fixture()
def edition_copy(tmp_path: Path) -> Path:
    folder = tmp_path / "edition"
    shutil.copytree(shipped_editions()["nums-2021"], folder)
    return folder


def _fresh_process_load(folder: Path) -> Edition:
    """As a new run would: nothing remembered in memory, only what is on disk."""
    _load_edition.cache_clear()
    return load_edition(folder)


def test_a_second_run_reads_the_snapshot_and_gets_the_same_edition(
    snapshots: Path, edition_copy: Path
) -> None:
    first = load_edition(edition_copy)
    written = list(snapshots.glob("edition-*.pickle"))
    assert len(written) == 1
    assert edition_cache.read_snapshot(first.folder) == first
    assert _fresh_process_load(edition_copy) == first


def test_a_changed_file_is_read_afresh(snapshots: Path, edition_copy: Path) -> None:
    """Prices or rules edited after the snapshot was made must take effect on the next run."""
    before = load_edition(edition_copy)
    prices = edition_copy / "prices.yaml"
    prices.write_text(prices.read_text().replace('initial: "350.00"', 'initial: "360.00"', 1))
    assert edition_cache.read_snapshot(before.folder) is None
    after = _fresh_process_load(edition_copy)
    assert str(after.price_lists[0].bands[0].initial) == "360.00"
    assert str(before.price_lists[0].bands[0].initial) == "350.00"


def test_a_file_edited_while_the_edition_is_read_is_read_again_next_time(
    snapshots: Path, edition_copy: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The digests kept are taken before reading, so an edit in between can never leave the old
    text's snapshot standing under the new file's digest."""
    taken_before = edition_cache.digests_before_reading(str(edition_copy.resolve()))
    monkeypatch.setattr(edition_cache, "digests_before_reading", lambda folder: taken_before)
    prices = edition_copy / "prices.yaml"
    prices.write_text(prices.read_text().replace('initial: "350.00"', 'initial: "370.00"', 1))
    edition = load_edition(edition_copy)  # reads the edited file
    assert str(edition.price_lists[0].bands[0].initial) == "370.00"
    assert edition_cache.read_snapshot(edition.folder) is None


def test_a_damaged_snapshot_is_ignored_and_replaced(snapshots: Path, edition_copy: Path) -> None:
    edition = load_edition(edition_copy)
    (snapshot,) = snapshots.glob("edition-*.pickle")
    snapshot.write_bytes(snapshot.read_bytes()[:200])
    assert edition_cache.read_snapshot(edition.folder) is None
    assert _fresh_process_load(edition_copy) == edition
    assert edition_cache.read_snapshot(edition.folder) == edition


def test_a_snapshot_others_could_change_is_not_loaded(snapshots: Path, edition_copy: Path) -> None:
    """Unpickling runs code, so a snapshot anyone else may write is not trusted."""
    edition = load_edition(edition_copy)
    (snapshot,) = snapshots.glob("edition-*.pickle")
    os.chmod(snapshot, 0o666)
    assert edition_cache.read_snapshot(edition.folder) is None
    os.chmod(snapshot, 0o600)
    os.chmod(snapshots, 0o777)
    assert edition_cache.read_snapshot(edition.folder) is None


def test_a_snapshot_made_by_other_code_is_not_read_and_is_dropped(
    snapshots: Path, edition_copy: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    edition = load_edition(edition_copy)
    monkeypatch.setattr(edition_cache, "_code_fingerprint", lambda: "0" * 24)
    assert edition_cache.read_snapshot(edition.folder) is None
    assert _fresh_process_load(edition_copy) == edition
    assert [p.name.rsplit("-", 1)[1] for p in snapshots.glob("edition-*.pickle")] == ["0" * 24 + ".pickle"]


def test_an_edition_with_problems_is_never_kept(snapshots: Path, edition_copy: Path) -> None:
    pillar = edition_copy / "pillars" / "1-aims.yaml"
    pillar.write_text(pillar.read_text().replace("level: silver", "level: silvr", 1))
    with pytest.raises(NumsError, match="unknown level 'silvr'"):
        load_edition(edition_copy)
    assert not list(snapshots.glob("edition-*.pickle"))


def test_the_cache_can_be_turned_off(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, edition_copy: Path
) -> None:
    monkeypatch.setenv(edition_cache.CACHE_ENV, "off")
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "xdg"))
    monkeypatch.setenv("HOME", str(tmp_path / "home"))
    _load_edition.cache_clear()
    load_edition(edition_copy)
    _load_edition.cache_clear()
    assert not (tmp_path / "xdg").exists()
    assert not (tmp_path / "home").exists()


def test_an_unwritable_cache_never_fails_a_command(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, edition_copy: Path
) -> None:
    blocker = tmp_path / "not-a-folder"
    blocker.write_text("a file where the cache folder should be")
    monkeypatch.setenv(edition_cache.CACHE_ENV, str(blocker / "nums"))
    _load_edition.cache_clear()
    assert load_edition(edition_copy).id == "nums-2021"
    _load_edition.cache_clear()


def test_the_cache_folder_follows_xdg_then_home(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv(edition_cache.CACHE_ENV)
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "xdg"))
    assert edition_cache.cache_folder() == tmp_path / "xdg" / "nums"
    monkeypatch.setenv("XDG_CACHE_HOME", "relative/ignored")
    monkeypatch.setenv("HOME", str(tmp_path / "home"))
    assert edition_cache.cache_folder() == tmp_path / "home" / ".cache" / "nums"
