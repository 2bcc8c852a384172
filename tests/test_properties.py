"""Properties that must hold for every submission, checked with hypothesis.

- meeting more criteria never lowers any pillar level, the overall level or the
  awardable level;
- the awardable level never exceeds the progression cap;
- the overall level never exceeds the sixth-best pillar ("at least six of the
  seven pillars ... at that level or higher");
- holding a level longer never lowers the cap.
"""

from __future__ import annotations

import dataclasses
from datetime import date, timedelta

from hypothesis import given, settings
from hypothesis import strategies as st

from nums.edition_loading import load_edition
from nums.evaluation import overall_level, pillar_levels
from nums.progression import standing
from nums.submission import Award

EDITION = load_edition()
ITEM_IDS = [item.id for item in EDITION.items]
met_sets = st.sets(st.sampled_from(ITEM_IDS))


@given(met_sets, met_sets)
@settings(max_examples=300)
def test_more_evidence_never_lowers_a_level(base: set[str], extra: set[str]) -> None:
    before = pillar_levels(EDITION, base)
    after = pillar_levels(EDITION, base | extra)
    for pillar_id in EDITION.pillar_ids:
        assert EDITION.rank(after[pillar_id]) >= EDITION.rank(before[pillar_id])
    assert EDITION.rank(overall_level(EDITION, after)) >= EDITION.rank(overall_level(EDITION, before))


@given(met_sets)
def test_overall_never_exceeds_the_sixth_best_pillar(met: set[str]) -> None:
    levels = pillar_levels(EDITION, met)
    ranks = sorted((EDITION.rank(level) for level in levels.values()), reverse=True)
    needed = EDITION.rules.overall.min_pillars_at_level
    assert EDITION.rank(overall_level(EDITION, levels)) == ranks[needed - 1]


levels = st.sampled_from(EDITION.levels)
days = st.dates(min_value=date(2021, 1, 1), max_value=date(2027, 12, 31))
awards = st.lists(st.builds(lambda lvl, day: Award(level=lvl, awarded=day), levels, days), max_size=5)


@given(awards, days)
def test_cap_is_a_known_level_and_new_applicants_start_at_the_entry_level(
    history: list[Award], on: date
) -> None:
    result = standing(EDITION, history, on)
    assert result.cap in EDITION.levels
    if result.held is None:
        assert result.cap == EDITION.rules.progression.entry_level
    else:
        # no skipping: at most one level above the level held
        assert EDITION.rank(result.cap) - EDITION.rank(result.held) in (0, 1)


@given(levels, days, st.integers(min_value=0, max_value=400), st.integers(min_value=1, max_value=300))
def test_holding_longer_never_lowers_the_cap(level: str, latest: date, earlier_by: int, extra: int) -> None:
    """Time at a level counts from the first award of that level in the unbroken run."""
    on = latest + timedelta(days=30)
    short = [Award(level=level, awarded=latest - timedelta(days=earlier_by))]
    longer = [Award(level=level, awarded=latest - timedelta(days=earlier_by + extra))]
    # each history is one award still valid on ``on``; the longer one started earlier
    a, b = standing(EDITION, short, on), standing(EDITION, longer, on)
    if a.held is not None and b.held is not None:
        assert EDITION.rank(b.cap) >= EDITION.rank(a.cap)


@given(met_sets, met_sets, awards, levels)
@settings(max_examples=60, deadline=None)
def test_awardable_never_falls_with_more_evidence_and_never_passes_the_cap(
    base: set[str], extra: set[str], history: list[Award], applied: str
) -> None:
    """Through the whole evaluator: files written, loaded, assessed."""
    import tempfile
    from pathlib import Path

    from nums.evaluation import assess
    from tests.builders import build

    on = date(2028, 1, 1)
    past = [{"level": a.level, "awarded": a.awarded} for a in history]
    with tempfile.TemporaryDirectory() as folder:
        low = assess(
            EDITION, build(Path(folder), EDITION, sorted(base), level=applied, applied=on, history=past)
        )
        high = assess(
            EDITION,
            build(Path(folder), EDITION, sorted(base | extra), level=applied, applied=on, history=past),
        )
    assert EDITION.rank(high.awardable) >= EDITION.rank(low.awardable)
    for result in (low, high):
        assert EDITION.rank(result.awardable) <= EDITION.rank(result.standing.cap)
        assert EDITION.rank(result.awardable) <= EDITION.rank(result.evidence_level)
        assert EDITION.rank(result.awardable) <= EDITION.rank(applied)


def test_standing_is_a_plain_value() -> None:
    assert dataclasses.is_dataclass(standing(EDITION, [], date(2026, 1, 1)))


@given(levels, days, st.integers(min_value=0, max_value=364), st.integers(min_value=0, max_value=200))
def test_a_timely_renewal_loses_no_day_and_keeps_the_run(
    level: str, started: date, applied_after: int, review_delay: int
) -> None:
    """A renewal applied for on or before the last valid day continues the award: its year starts the
    day after, whatever the review date, and the time held at the level keeps counting from the start."""
    from nums.dates import last_valid_day
    from nums.review import award_dates

    first = Award(level=level, awarded=started)
    ends = last_valid_day(started, EDITION.rules.validity.months)
    applied = min(started + timedelta(days=applied_after), ends)
    held = standing(EDITION, [first], applied)
    start, end = award_dates(EDITION, held, level, applied + timedelta(days=review_delay))
    assert start == ends + timedelta(days=1)
    assert end == last_valid_day(start, EDITION.rules.validity.months)
    after = standing(EDITION, [first, Award(level=level, awarded=start)], start)
    assert after.held == level and after.held_since == started
