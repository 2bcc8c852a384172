"""Properties that must hold for every submission, checked with hypothesis.

- meeting more criteria never lowers any pillar level, the overall level or the
  awardable level;
- the awardable level never exceeds the progression cap;
- the overall level is the highest that six of the seven pillars reach ("at least six of
  the seven pillars ... at that level or higher");
- an award is held for one year, and holding a level longer never lowers the cap ("six
  months before progressing to the next level").

They run against the pinned edition (``tests/conftest.RULES_EDITION``), whose rules they quote.
"""

from __future__ import annotations

from datetime import date, timedelta

from hypothesis import given, settings
from hypothesis import strategies as st

from nums.edition_loading import load_edition
from nums.evaluation import overall_level, pillar_levels
from nums.progression import standing
from nums.submission import Award
from tests.conftest import RULES_EDITION

EDITION = load_edition(RULES_EDITION)
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


pillar_ratings = st.fixed_dictionaries(
    {pillar_id: st.sampled_from((None, *EDITION.levels)) for pillar_id in EDITION.pillar_ids}
)


@given(pillar_ratings)
def test_the_overall_level_is_one_six_of_the_seven_pillars_reach(ratings: dict[str, str | None]) -> None:
    """ "The overall judgement will require at least six of the seven pillars to be scored at that
    level or higher, for example to be accredited at silver level, at least six of the pillars
    must be rated as silver or gold." """
    overall = overall_level(EDITION, ratings)
    for level in EDITION.levels:
        at_or_above = sum(EDITION.rank(rated) >= EDITION.rank(level) for rated in ratings.values())
        accredited = EDITION.rank(overall) >= EDITION.rank(level)
        assert accredited == (at_or_above >= 6), (level, ratings)
    assert len(ratings) == 7


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


# Within an award's year: "Accreditation ... lasts for one year", and a year has at least 365 days.
days_into_the_year = st.integers(min_value=0, max_value=364)


@given(levels, days, days_into_the_year, days_into_the_year)
def test_holding_longer_never_lowers_the_cap(level: str, on: date, held_for: int, longer_by: int) -> None:
    """ "Programmes are required to remain at each stage for six months before progressing to the
    next level": of two programmes holding one award at a level, the one that has held it longer
    may never be capped lower; under five months held, it is capped at its level; from seven
    months, at the next one up ("cannot progress from Bronze to Gold in one step")."""
    longer_for = min(held_for + longer_by, 364)
    short = standing(EDITION, [Award(level=level, awarded=on - timedelta(days=held_for))], on)
    longer = standing(EDITION, [Award(level=level, awarded=on - timedelta(days=longer_for))], on)
    assert short.held == level and longer.held == level  # both still within their year
    assert EDITION.rank(longer.cap) >= EDITION.rank(short.cap)
    for held, result in ((held_for, short), (longer_for, longer)):
        if held < 5 * 28:
            assert result.cap == level
        elif held >= 7 * 31:
            assert result.cap == (EDITION.level_above(level) or level)


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


@given(levels, days)
def test_an_award_is_held_for_one_year_and_not_a_day_more(level: str, awarded: date) -> None:
    """ "Accreditation of the National University Mentoring Standards is awarded ... and lasts for
    one year": held from the day its year starts until the day before its first anniversary
    (the anniversary of 29 February is 1 March), and no longer."""
    history = [Award(level=level, awarded=awarded)]
    anniversary = date(awarded.year + 1, 3, 1) if (awarded.month, awarded.day) == (2, 29) else None
    anniversary = anniversary or awarded.replace(year=awarded.year + 1)
    for day in (awarded, awarded + timedelta(days=1), anniversary - timedelta(days=1)):
        assert standing(EDITION, history, day).held == level, day
    assert standing(EDITION, history, anniversary).held is None
    assert standing(EDITION, history, anniversary).last_expired == anniversary - timedelta(days=1)


@given(levels, days, st.integers(min_value=0, max_value=364), st.integers(min_value=0, max_value=200))
def test_a_timely_renewal_loses_no_day_and_keeps_the_run(
    level: str, started: date, applied_after: int, review_delay: int
) -> None:
    """A renewal applied for on or before the last valid day continues the award: its year starts the
    day after, whatever the review date, and the time held at the level keeps counting from the start."""
    from nums.dates import last_valid_day
    from nums.outcome import award_dates

    first = Award(level=level, awarded=started)
    ends = last_valid_day(started, EDITION.rules.validity.months)
    applied = min(started + timedelta(days=applied_after), ends)
    held = standing(EDITION, [first], applied)
    start, end = award_dates(EDITION, held, level, applied + timedelta(days=review_delay))
    assert start == ends + timedelta(days=1)
    assert end == last_valid_day(start, EDITION.rules.validity.months)
    after = standing(EDITION, [first, Award(level=level, awarded=start)], start)
    assert after.held == level and after.held_since == started
