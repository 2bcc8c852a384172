"""An edition's rules file, as written and as the evaluator reads it: the levels, best fit,
six of seven, progression, validity, what an award brings, what a programme is,
reaccreditation and assessment, each with the sentence of the standard it encodes.
"""

from __future__ import annotations

from fractions import Fraction
from typing import Any, Literal

from pydantic import Field, field_validator

from nums.limits import MAX_PERIOD_DAYS, MAX_PERIOD_MONTHS
from nums.models import Frozen, WholeNumber, YesNo


class Level(Frozen):
    id: str
    name: str


class BestFitRule(Frozen):
    quote: str
    more_than_fraction: Fraction
    lower_levels_required: YesNo = True

    @field_validator("more_than_fraction", mode="before")
    @classmethod
    def _fraction(cls, value: Any) -> Fraction:
        try:
            fraction = Fraction(str(value))
        except (ValueError, ZeroDivisionError):
            raise ValueError("must be a fraction such as '1/2'") from None
        if not 0 <= fraction < 1:
            raise ValueError("must be at least 0 and less than 1")
        return fraction

    def needed(self, item_count: int) -> int:
        """How many of ``item_count`` items must be met: strictly more than the fraction."""
        fraction = self.more_than_fraction
        return item_count * fraction.numerator // fraction.denominator + 1


class OverallRule(Frozen):
    quote: str
    min_pillars_at_level: WholeNumber = Field(ge=1)


class ProgressionRule(Frozen):
    quote: str
    entry_level: str
    months_at_level: WholeNumber = Field(ge=0, le=MAX_PERIOD_MONTHS)
    may_skip_levels: YesNo = False


class ValidityRule(Frozen):
    quote: str
    months: WholeNumber = Field(ge=1, le=MAX_PERIOD_MONTHS)
    renewal_continues: YesNo = True
    held_until_outcome: YesNo = True  # an application made in time keeps the held award in force
    warn_days_before_lapse: WholeNumber = Field(default=90, ge=0, le=MAX_PERIOD_DAYS)
    prepare_renewal_days: WholeNumber = Field(default=60, ge=0, le=MAX_PERIOD_DAYS)


class RecognitionRule(Frozen):
    """What an award brings the programme, as the standard lists it."""

    quote: str
    provides: tuple[str, ...] = Field(min_length=1)


class ProgrammeRule(Frozen):
    quote: str
    mentors_fewer_than: WholeNumber = Field(ge=1)
    must_have_started: YesNo = True
    combined_applications_allowed: YesNo = True
    combined_same_institution: YesNo = True
    combined_compare: tuple[Literal["coordinator", "department"], ...] = ()


class ReaccreditationRule(Frozen):
    quote: str
    same_level_only: YesNo = True
    requires_continuation_evidence: YesNo = True


class AssessmentRule(Frozen):
    quote: str
    appealable: YesNo = False
    evidence_response_days: WholeNumber = Field(
        default=28, ge=1, le=MAX_PERIOD_DAYS
    )  # nums' own period for requested evidence


class Rules(Frozen):
    levels: tuple[Level, ...] = Field(min_length=1)
    best_fit: BestFitRule
    overall: OverallRule
    progression: ProgressionRule
    validity: ValidityRule
    recognition: RecognitionRule | None = None  # optional: an edition may not list it
    programme: ProgrammeRule
    reaccreditation: ReaccreditationRule
    assessment: AssessmentRule
