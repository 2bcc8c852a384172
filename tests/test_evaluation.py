"""The evaluator, rule by rule. Each test quotes the sentence it checks."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import pytest

from nums.dates import add_months, last_valid_day
from nums.evaluation import assess, overall_level, pillar_level
from nums.standard import Edition
from tests.builders import build, dump_yaml, items_for

# --- best fit -----------------------------------------------------------------
# "Judgements are based on best fit, for example if a submission meets most of
#  the criteria in a level, then this will be awarded."


@pytest.mark.parametrize(
    ("met", "expected"),
    [
        ([], None),
        (["aims.1"], None),  # 1 of 3 is not more than half
        (["aims.1", "aims.3"], "bronze"),  # 2 of 3 is
        (["aims.1", "aims.2", "aims.4"], "bronze"),  # Silver has two items: both are needed
        (["aims.1", "aims.2", "aims.4", "aims.5"], "silver"),
        (["aims.4", "aims.5", "aims.6", "aims.7"], None),  # "(as Bronze, but also)": lower levels first
        (["aims.1", "aims.2", "aims.4", "aims.5", "aims.6", "aims.8"], "gold"),
    ],
)
def test_best_fit_in_aims(edition: Edition, met: list[str], expected: str | None) -> None:
    assert pillar_level(edition, edition.pillar("aims"), met) == expected


def test_training_counts_its_topics_one_by_one(edition: Edition) -> None:
    """Bronze lists nine training topics: five of them are more than half."""
    training = edition.pillar("training")
    topics = [f"training.1.{letter}" for letter in "abcdefghi"]
    assert pillar_level(edition, training, topics[:4]) is None
    assert pillar_level(edition, training, topics[:5]) == "bronze"
    silver = [*topics[:5], "training.2.a", "training.2.b", "training.2.c"]
    assert pillar_level(edition, training, silver) == "silver"
    assert pillar_level(edition, training, [*silver, "training.3"]) == "gold"


# --- the overall rule ------------------------------------------------------------
# "The overall judgement will require at least six of the seven pillars to be
#  scored at that level or higher"


@pytest.mark.parametrize(
    ("levels", "expected"),
    [
        (["silver"] * 6 + [None], "silver"),
        (["gold"] * 3 + ["silver"] * 3 + ["bronze"], "silver"),  # "rated as silver or gold"
        (["silver"] * 5 + ["bronze"] * 2, "bronze"),
        (["gold"] * 5 + [None] * 2, None),  # fewer than six pillars reach Bronze
        (["gold"] * 7, "gold"),
    ],
)
def test_six_of_seven(edition: Edition, levels: list[str | None], expected: str | None) -> None:
    assert overall_level(edition, dict(zip(edition.pillar_ids, levels, strict=True))) == expected


# --- dates ---------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("start", "months", "expected"),
    [
        (date(2025, 8, 31), 6, date(2026, 2, 28)),  # six calendar months after 31 August
        (date(2023, 8, 31), 6, date(2024, 2, 29)),  # ... in a leap year
        (date(2025, 3, 10), 6, date(2025, 9, 10)),
        (date(2025, 12, 15), 1, date(2026, 1, 15)),
    ],
)
def test_calendar_months(start: date, months: int, expected: date) -> None:
    assert add_months(start, months) == expected


def test_validity_lasts_one_year_to_the_day_before_the_anniversary() -> None:
    """'lasts for one year': valid through the day before the anniversary. The anniversary of
    29 February falls on 1 March in a common year, so the award is valid through 28 February."""
    assert last_valid_day(date(2025, 3, 10), 12) == date(2026, 3, 9)
    assert last_valid_day(date(2024, 2, 29), 12) == date(2025, 2, 28)
    assert last_valid_day(date(2024, 2, 29), 48) == date(2028, 2, 28)
    assert last_valid_day(date(2024, 3, 1), 12) == date(2025, 2, 28)


# --- progression ----------------------------------------------------------------------
# "All new applicants are required to complete six months at Bronze level before being
#  able to apply for Silver ... Organisations cannot go from Bronze to Gold and must spend
#  at least six months at Silver."


def _silver_everywhere(edition: Edition) -> list[str]:
    return items_for(edition, "gold")


def test_new_applicant_is_capped_at_bronze(tmp_path: Path, edition: Edition) -> None:
    result = assess(edition, build(tmp_path, edition, _silver_everywhere(edition), level="silver"))
    assert result.evidence_level == "gold"
    assert result.standing.cap == "bronze"
    assert result.awardable == "bronze"
    assert any("more than the Silver applied for" in n for n in result.eligibility.notes)


@pytest.mark.parametrize(
    ("awarded", "applied", "cap"),
    [
        (date(2025, 9, 1), date(2026, 3, 1), "silver"),  # exactly six months
        (date(2025, 9, 1), date(2026, 2, 28), "bronze"),  # a day short
        (date(2025, 8, 31), date(2026, 2, 28), "silver"),  # 31 August + 6 months = 28 February
        (date(2024, 1, 10), date(2026, 3, 2), "bronze"),  # lapsed: a new applicant again
    ],
)
def test_six_months_at_bronze(
    tmp_path: Path, edition: Edition, awarded: date, applied: date, cap: str
) -> None:
    sub = build(
        tmp_path,
        edition,
        _silver_everywhere(edition),
        level="silver",
        applied=applied,
        history=[{"level": "bronze", "awarded": awarded}],
    )
    assert assess(edition, sub).standing.cap == cap


def test_no_skipping_from_bronze_to_gold(tmp_path: Path, edition: Edition) -> None:
    history = [
        {"level": "bronze", "awarded": date(2024, 6, 1)},
        {"level": "bronze", "awarded": date(2025, 5, 20)},
    ]
    sub = build(tmp_path, edition, _silver_everywhere(edition), level="gold", history=history)
    result = assess(edition, sub)
    assert result.standing.held_since == date(2024, 6, 1)  # an unbroken run of Bronze awards
    assert result.standing.cap == "silver"
    assert result.awardable == "silver"


def test_six_months_at_silver_allows_gold(tmp_path: Path, edition: Edition) -> None:
    history = [
        {"level": "bronze", "awarded": date(2024, 6, 1)},
        {"level": "silver", "awarded": date(2025, 6, 1)},
    ]
    result = assess(
        edition, build(tmp_path, edition, _silver_everywhere(edition), level="gold", history=history)
    )
    assert (result.standing.held, result.standing.cap, result.awardable) == ("silver", "gold", "gold")
    assert result.standing.expires == date(2026, 5, 31)


def test_a_broken_run_restarts_the_clock(tmp_path: Path, edition: Edition) -> None:
    """Awards form an unbroken run when each is made on or before the previous one's expiry."""
    history = [
        {"level": "bronze", "awarded": date(2023, 1, 1)},
        {"level": "bronze", "awarded": date(2026, 1, 5)},
    ]
    result = assess(
        edition, build(tmp_path, edition, _silver_everywhere(edition), level="silver", history=history)
    )
    assert result.standing.held_since == date(2026, 1, 5)
    assert result.standing.next_level_from == date(2026, 7, 5)
    assert result.standing.cap == "bronze"


def test_on_date_replaces_the_application_date(tmp_path: Path, edition: Edition) -> None:
    sub = build(
        tmp_path,
        edition,
        _silver_everywhere(edition),
        level="silver",
        history=[{"level": "bronze", "awarded": date(2025, 12, 1)}],
    )
    assert assess(edition, sub).standing.cap == "bronze"
    assert assess(edition, sub, date(2026, 6, 1)).standing.cap == "silver"


# --- eligibility -----------------------------------------------------------------------


def test_a_programme_not_yet_started_cannot_be_accredited(tmp_path: Path, edition: Edition) -> None:
    """'we cannot accredit a programme that has not been started.'"""
    result = assess(edition, build(tmp_path, edition, _silver_everywhere(edition), started=date(2026, 9, 1)))
    assert not result.eligibility.accreditable
    assert result.awardable is None
    assert "has not started" in result.eligibility.reasons[0]


def test_fifty_mentors_is_flagged_but_accreditable(tmp_path: Path, edition: Edition) -> None:
    """'A mentoring programme is defined as a programme of fewer than 50 mentors'."""
    result = assess(edition, build(tmp_path, edition, _silver_everywhere(edition), mentors=50))
    assert result.eligibility.accreditable and result.eligibility.tailored
    assert not assess(edition, build(tmp_path, edition, mentors=49)).eligibility.tailored


def test_reaccreditation_at_the_level_held_needs_only_continuation(tmp_path: Path, edition: Edition) -> None:
    """'applications for reaccreditation at the same level only need to evidence continuation of provision.'"""
    history = [{"level": "silver", "awarded": date(2025, 5, 1)}]
    sub = build(tmp_path, edition, [], level="silver", kind="reaccreditation", history=history)
    result = assess(edition, sub)
    assert not result.eligibility.accreditable
    assert "continuation evidence" in result.eligibility.reasons[0]
    import yaml

    data = yaml.safe_load((tmp_path / "submission.yaml").read_text())
    data["continuation"] = {
        "statement": "The scheme ran again this year with 30 mentors.",
        "evidence": [{"title": "Annual report", "file": "evidence/handbook.txt"}],
    }
    (tmp_path / "submission.yaml").write_text(dump_yaml(data, sort_keys=True))
    from nums.submission import load_submission

    result = assess(edition, load_submission(tmp_path / "submission.yaml", edition))
    assert result.eligibility.accreditable and result.awardable == "silver"


def test_reaccreditation_at_another_level_is_a_full_application(tmp_path: Path, edition: Edition) -> None:
    """'Applicants seeking to change level will need to submit a full application.'"""
    history = [{"level": "bronze", "awarded": date(2025, 5, 1)}]
    result = assess(
        edition, build(tmp_path, edition, [], level="silver", kind="reaccreditation", history=history)
    )
    assert not result.eligibility.accreditable
    assert "full (initial) application" in result.eligibility.reasons[0]


# --- self-rating check and gaps ------------------------------------------------------------


def test_self_rating_check(tmp_path: Path, edition: Edition) -> None:
    """'We then check the self-rating against the submission and evidence.'"""
    met = items_for(edition, "silver", ["aims"]) + items_for(edition, "bronze", ["training"])
    ratings = {"aims": "silver", "training": "silver", "support": "bronze"}
    result = assess(edition, build(tmp_path, edition, met, self_rating=ratings))
    checks = {p: result.pillars[p].self_rating_check for p in ("aims", "training", "support", "awareness")}
    assert checks == {"aims": "agrees", "training": "over", "support": "over", "awareness": "unrated"}
    met_gold = items_for(edition, "gold", ["aims"])
    result = assess(edition, build(tmp_path, edition, met_gold, self_rating={"aims": "bronze"}))
    assert result.pillars["aims"].self_rating_check == "under"


def test_gaps_name_the_cheapest_pillars(tmp_path: Path, edition: Edition) -> None:
    """Six of seven suffice: raise the cheapest pillars, ties in pillar order."""
    met = items_for(edition, "silver", ["aims", "training", "support", "administration"], per_level="min")
    result = assess(edition, build(tmp_path, edition, met, level="silver"))
    gaps = result.gaps
    assert gaps.target == "silver" and gaps.pillars_at_target == 4 and not gaps.reached
    # awareness needs 2+2, diversity 1+2, celebration 1+2: the two cheapest are diversity and celebration
    assert gaps.raise_pillars == ("diversity", "celebration")
    assert gaps.items_to_raise == 6
    assert gaps.pillars["diversity"].missing == {
        "bronze": ("diversity.1",),
        "silver": ("diversity.2", "diversity.3"),
    }


def test_claimed_without_evidence_does_not_count(tmp_path: Path, edition: Edition) -> None:
    """A criterion counts as met only when claimed, stated and evidenced."""
    import yaml

    from nums.submission import load_submission

    path = tmp_path / "submission.yaml"
    build(tmp_path, edition, ["aims.1", "aims.2"])
    data = yaml.safe_load(path.read_text())
    data["criteria"]["aims.2"]["evidence"] = []
    data["criteria"]["aims.3"] = {
        "met": True,
        "statement": "  ",
        "evidence": [{"title": "x", "url": "https://e.org"}],
    }
    path.write_text(dump_yaml(data, sort_keys=True))
    result = assess(edition, load_submission(path, edition))
    assert result.claims["aims.1"].status == "met"
    assert result.claims["aims.2"].status == "claimed-unevidenced"
    assert result.claims["aims.3"].reasons == ("no statement",)
    assert result.pillars["aims"].level is None
