"""Levels and rules are read from the data: an edition with another level (a
later edition adds Platinum) or another threshold needs a new YAML folder, not
new code. Broken standards files get one clear message per problem."""

from __future__ import annotations

import shutil
from datetime import date
from pathlib import Path

import pytest
from click.testing import CliRunner

from nums.cli import cli
from nums.edition_loading import load_edition
from nums.editions import shipped_editions
from nums.errors import NumsError
from nums.evaluation import assess
from nums.submission import load_submission
from tests.builders import dump_yaml

FOUR = Path(__file__).parent / "editions" / "four-levels"


def _submission(folder: Path, met: list[str], history: list[dict[str, object]], level: str) -> Path:
    (folder / "e.txt").write_text("evidence")
    data = {
        "standard": "test-four-levels",
        "programme": {
            "name": "P",
            "institution": "U",
            "coordinator": {"name": "C"},
            "purpose": "peer",
            "mentors": 5,
            "started": date(2030, 1, 1),
        },
        "application": {"date": date(2031, 6, 1), "level": level},
        "history": history,
        "criteria": {
            i: {"met": True, "statement": "yes", "evidence": [{"title": "e", "file": "e.txt"}]} for i in met
        },
    }
    path = folder / "submission.yaml"
    path.write_text(dump_yaml(data))
    return path


def test_a_four_level_edition_needs_no_code(tmp_path: Path) -> None:
    edition = load_edition(FOUR)
    assert edition.levels == ("bronze", "silver", "gold", "platinum")
    everything = [item.id for item in edition.items]
    # more than 2/3 of three Platinum items is all three
    two_of_three = [i for i in everything if not i.endswith(".6")]
    held_gold = [{"level": "gold", "awarded": date(2031, 2, 1)}]
    result = assess(
        edition, load_submission(_submission(tmp_path, everything, held_gold, "platinum"), edition)
    )
    assert result.evidence_level == "platinum"
    assert result.standing.cap == "platinum"  # three months at Gold suffice in this edition
    assert result.awardable == "platinum"
    assert result.standing.expires == date(2033, 1, 31)  # valid for 24 months
    partial = assess(
        edition, load_submission(_submission(tmp_path, two_of_three, held_gold, "platinum"), edition)
    )
    assert partial.evidence_level == "gold"


def test_the_cli_reads_another_edition(tmp_path: Path) -> None:
    result = CliRunner().invoke(cli, ["--standard", str(FOUR), "standards", "--json"])
    assert result.exit_code == 0, result.output
    assert '"platinum"' in result.output
    path = _submission(tmp_path, [], [], "bronze")
    result = CliRunner().invoke(cli, ["--standard", str(FOUR), "assess", "--json", str(path)])
    assert result.exit_code == 0, result.output


def _broken_copy(tmp_path: Path, file: str, old: str, new: str) -> Path:
    folder = tmp_path / "edition"
    shutil.copytree(shipped_editions()["nums-2021"], folder)
    target = folder / file
    text = target.read_text()
    assert old in text, old
    target.write_text(text.replace(old, new, 1))
    return folder


@pytest.mark.parametrize(
    ("file", "old", "new", "message"),
    [
        (
            "pillars/1-aims.yaml",
            'number: "5"',
            'number: "4"',
            "pillars/1-aims.yaml:31: levels[1].criteria[1].number: criterion 4 is out of order",
        ),
        ("pillars/1-aims.yaml", 'number: "5"', 'number: "6"', "numbers are skipped"),
        (
            "pillars/1-aims.yaml",
            "level: silver",
            "level: silvr",
            "unknown level 'silvr' (did you mean 'silver'?)",
        ),
        ("pillars/1-aims.yaml", "footnote: career", "footnote: carer", "unknown footnote 'carer'"),
        (
            "pillars/6-diversity.yaml",
            "id: diversity",
            "id: Diversity!",
            "pillar id 'Diversity!' must be lower-case",
        ),
        (
            "pillars/7-celebration.yaml",
            "id: celebration",
            "id: awareness",
            "pillar id 'awareness' is used twice",
        ),
        (
            "pillars/3-support.yaml",
            "        text: Mentors have access",
            "        txt: Mentors have access",
            "unknown field",
        ),
        (
            "rules.yaml",
            "min_pillars_at_level: 6",
            "min_pillars_at_level: 8",
            "needs 8 pillars but the edition has 7",
        ),
        ("rules.yaml", 'more_than_fraction: "1/2"', 'more_than_fraction: "half"', "must be a fraction"),
        ("rules.yaml", "entry_level: bronze", "entry_level: copper", "unknown level 'copper'"),
        ("prices.yaml", "up_to: 10,", "up_to: 4,", "bands must grow: 4 follows 5"),
        ("prices.yaml", "programmes_more_than: 50", "programmes_more_than: 60", "the price list has a gap"),
        ("prices.yaml", '    vat_rate: "20"', '    vat_rate: "-1"', "vat_rate"),
        (
            "edition.yaml",
            "pillars/7-celebration.yaml",
            "pillars/8-missing.yaml",
            "pillar file 'pillars/8-missing.yaml' not found",
        ),
    ],
)
def test_broken_standards_files_are_reported_for_people(
    tmp_path: Path, file: str, old: str, new: str, message: str
) -> None:
    folder = _broken_copy(tmp_path, file, old, new)
    with pytest.raises(NumsError) as caught:
        load_edition(folder)
    text = str(caught.value)
    assert message in text
    assert all(p.file for p in caught.value.problems)
    result = CliRunner().invoke(cli, ["--standard", str(folder), "standards"])
    assert result.exit_code == 2
    assert message in result.output and "Traceback" not in result.output


def test_a_level_with_no_items_is_refused(tmp_path: Path) -> None:
    folder = _broken_copy(
        tmp_path,
        "pillars/6-diversity.yaml",
        '      - number: "1"\n        text: The programme is open to a diverse cross-section of students.\n',
        "      []\n",
    )
    (folder / "pillars/6-diversity.yaml").write_text(
        (folder / "pillars/6-diversity.yaml").read_text().replace("criteria:\n      []", "criteria: []", 1)
    )
    with pytest.raises(NumsError, match="this level has no assessable item"):
        load_edition(folder)
