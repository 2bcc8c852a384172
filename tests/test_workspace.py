"""Finding programmes in a workspace, their ids, and loading each safely."""

from __future__ import annotations

from pathlib import Path

from nums.workspace import Workspace
from tests.conftest import EXAMPLES
from tests.web_support import copy_examples


def test_the_examples_folder_is_a_workspace_as_it_is() -> None:
    """`evidence_examples/` must work as a workspace as it is."""
    ids = [place.id for place in Workspace(EXAMPLES).programmes()]
    assert ids == ["academic-mentoring", "department-combined", "online-peer-mentoring", "peer-mentoring"]
    loaded = Workspace(EXAMPLES).load_all()
    assert all(p.valid for p in loaded), [p.problems for p in loaded]


def test_ids_are_relative_paths_with_slashes_up_to_depth_three(tmp_path: Path) -> None:
    """ "every folder inside it (at any depth up to 3) holding a submission.yaml is a programme"."""
    for folder in ("a", "b/c", "d/e/f", "g/h/i/j", ".hidden/k", "m/evidence/n"):
        (tmp_path / folder).mkdir(parents=True)
        (tmp_path / folder / "submission.yaml").write_text("{}\n")
    ids = [place.id for place in Workspace(tmp_path).programmes()]
    assert ids == ["a", "b/c", "d/e/f"]


def test_unsafe_ids_name_no_programme(tmp_path: Path) -> None:
    root = copy_examples(tmp_path)
    (tmp_path / "outside").mkdir()
    (tmp_path / "outside" / "submission.yaml").write_text("{}\n")
    (root / "link").symlink_to(tmp_path / "outside")
    workspace = Workspace(root)
    for bad in ("../outside", "link", "/etc", "peer-mentoring/..", "", ".", "peer-mentoring\\x", "a//b"):
        assert workspace.programme_at(bad) is None, bad
    assert workspace.programme_at("peer-mentoring") is not None
    assert workspace.split("peer-mentoring/files/evidence/x.md")[1] == "files/evidence/x.md"


def test_a_broken_programme_carries_its_errors_and_hides_no_other(tmp_path: Path) -> None:
    root = copy_examples(tmp_path)
    (root / "peer-mentoring" / "submission.yaml").write_text("programme: [unclosed\n")
    (root / "online-peer-mentoring" / "submission.yaml").write_text("programme: {name: x}\n")
    (root / "department-combined" / "submission.yaml").write_text("application:\n  date: 2026-13-01\n")
    loaded = {p.id: p for p in Workspace(root).load_all()}
    assert len(loaded) == 4
    broken = loaded["peer-mentoring"]
    assert broken.document is None and not broken.valid
    assert "submission.yaml:" in str(broken.problems[0]) and "not valid YAML" in str(broken.problems[0])
    invalid = loaded["online-peer-mentoring"]
    assert invalid.document is not None and not invalid.valid
    assert any(p.field == "application" for p in invalid.problems)
    assert loaded["academic-mentoring"].valid
    impossible = loaded["department-combined"]
    assert not impossible.valid and "2026-13-01 is not a date: there is no month 13" in str(
        impossible.problems[0]
    )
