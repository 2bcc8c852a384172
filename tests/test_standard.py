"""The 2021 edition as data: every criterion and topic, with its official number.

The expected counts are a reading of the source, column by column
(../shared/seeds/national-university-mentoring-standards.txt).
"""

from __future__ import annotations

import pytest

from nums.standard import Edition

# (pillar, bronze, silver, gold): assessable items per level as printed.
COUNTS = [
    ("aims", 3, 2, 3),  # Bronze 1-3, Silver 4-5, Gold 6-8
    ("training", 9, 5, 1),  # nine topics, five more topics, one criterion met by any method
    ("support", 3, 5, 4),  # Bronze 1-3, Silver 4-8, Gold 9-12
    ("administration", 5, 6, 7),  # Bronze 1-5, Silver 6-11, Gold 13-19 (no 12)
    ("awareness", 3, 2, 2),  # Bronze 1-3, Silver 4-5, Gold 6-7 (6 printed as "7.")
    ("diversity", 1, 2, 2),
    ("celebration", 1, 2, 2),
]


@pytest.mark.parametrize(("pillar", "bronze", "silver", "gold"), COUNTS)
def test_items_per_level_match_the_source(
    edition: Edition, pillar: str, bronze: int, silver: int, gold: int
) -> None:
    found = [len(edition.pillar(pillar).items_at(level)) for level in ("bronze", "silver", "gold")]
    assert found == [bronze, silver, gold]


def test_seven_pillars_in_the_printed_order(edition: Edition) -> None:
    """'There are seven pillars ... 1. Aims 2. Training 3. Support 4. Administration
    5. Awareness 6. Diversity and Inclusion 7. Celebration'"""
    assert edition.pillar_ids == (
        "aims",
        "training",
        "support",
        "administration",
        "awareness",
        "diversity",
        "celebration",
    )
    assert [p.number for p in edition.pillars] == [1, 2, 3, 4, 5, 6, 7]
    assert edition.pillar("diversity").name == "Diversity and Inclusion"


def test_levels_are_ordered_lowest_first(edition: Edition) -> None:
    assert edition.levels == ("bronze", "silver", "gold")


def test_official_numbers_are_kept(edition: Edition) -> None:
    """Administration has no criterion 12: Silver ends at 11 and Gold starts at 13."""
    numbers = [c.number for c in edition.pillar("administration").criteria]
    assert "12" not in numbers
    assert numbers[numbers.index("11") + 1] == "13"
    gap = edition.criterion("administration.13").errata
    assert [e.kind for e in gap] == ["numbering-gap"]


def test_awareness_misprint_is_recorded_not_copied(edition: Edition) -> None:
    """Awareness prints "7." twice in its Gold column; the first is criterion 6."""
    sixth = edition.criterion("awareness.6")
    assert sixth.printed_number == "7"
    assert sixth.text.startswith("Results/outcome/ successes are published")
    assert edition.criterion("awareness.7").text.startswith("There is accessibility")
    assert sixth.errata[0].kind == "misprint"


def test_truncated_aims_7_is_kept_as_printed(edition: Edition) -> None:
    """Aims criterion 7 is cut short in the source ("...improve the outcomes of the")."""
    aims7 = edition.criterion("aims.7")
    assert aims7.text == "Analysis of feedback is used to improve the outcomes of the"
    assert aims7.errata[0].kind == "truncated"


def test_training_topics_are_items_with_their_heading(edition: Edition) -> None:
    """'training.1.c' is safeguarding protocol; the heading alone is not assessable."""
    topic = edition.item("training.1.c")
    assert topic.text == "Safeguarding protocol"
    assert topic.number == "1.c"
    assert "There is training provided for mentors covering" in (topic.parent or "")
    with pytest.raises(KeyError):
        edition.item("training.1")
    assert not edition.criterion("training.1").assessable


def test_training_gold_is_one_item_met_by_any_method(edition: Edition) -> None:
    gold = edition.item("training.3")
    assert len(gold.methods) == 5
    assert "observation of mentoring session" in gold.methods


def test_footnotes_belong_to_the_marked_criteria(edition: Edition) -> None:
    """¹ career can refer to study choices ...; ¹ Supervision may be peer-to-peer ..."""
    assert "career can refer to" in (edition.item("aims.3").footnote or "")
    assert "career can refer to" in (edition.item("aims.8").footnote or "")
    assert edition.item("aims.4").footnote is None
    assert edition.item("support.4").footnote == "Supervision may be peer-to-peer or staff-to-mentor."
    assert "online networking" in (edition.item("support.10").footnote or "")
    assert "sample code of conduct" in (edition.item("administration.9").footnote or "")


def test_diversity_bronze_lists_no_evidence_examples(edition: Edition) -> None:
    """The source lists no examples under Diversity and Inclusion, Bronze; none are borrowed."""
    assert edition.pillar("diversity").evidence_examples["bronze"] == ()
    assert "Certificates" in edition.pillar("celebration").evidence_examples["gold"]


def test_every_id_has_the_public_shape(edition: Edition) -> None:
    import re

    for item in edition.items:
        assert re.fullmatch(r"[a-z]+\.\d+(\.[a-z])?", item.id), item.id
        assert item.id == f"{item.pillar}.{item.number}"
    assert sum(1 for _ in edition.items) == 70  # 8 + 15 + 12 + 18 + 7 + 5 + 5


def test_rules_are_data(edition: Edition) -> None:
    """'at least six of the seven pillars'; 'six months at Bronze'; 'lasts for one year'."""
    rules = edition.rules
    assert rules.overall.min_pillars_at_level == 6
    assert rules.progression.entry_level == "bronze"
    assert rules.progression.months_at_level == 6
    assert rules.validity.months == 12
    assert rules.programme.mentors_fewer_than == 50
    assert rules.best_fit.needed(2) == 2 and rules.best_fit.needed(3) == 2 and rules.best_fit.needed(9) == 5
