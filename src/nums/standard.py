"""The edition of the standard: pillars, criteria, assessable items, levels
and rules (price lists come from ``nums.prices``), loaded from a folder of
YAML into frozen models.

An edition is data, not code: a new edition (or one with a Platinum level) is
a new folder under ``standards/``. Loading checks what a reviewer of the YAML
could get wrong and reports every problem with its file, line and field.
"""

from __future__ import annotations

import functools
import re
from collections.abc import Iterator
from datetime import date
from fractions import Fraction
from pathlib import Path
from typing import Annotated, Any, Literal

from pydantic import BeforeValidator, Field, field_validator

from nums.editions import (
    EDITION_FILE,
    EditionMeta,
    default_edition_folder,
    edition_folder,
    read_edition_file,
    shipped_editions,
    shipped_standards_root,
)
from nums.errors import NumsError, Problem, closest, did_you_mean
from nums.limits import MAX_PERIOD_DAYS, MAX_PERIOD_MONTHS
from nums.models import Frozen, WholeNumber, YesNo, read_document
from nums.prices import Band, PriceList, load_price_lists, price_list_on, read_price_lists
from nums.yamlsource import YamlDocument

ID_PATTERN = re.compile(r"^[a-z][a-z0-9_-]*$")

__all__ = [
    "EDITION_FILE",
    "Band",
    "Criterion",
    "Edition",
    "Item",
    "Pillar",
    "PriceList",
    "Rules",
    "default_edition_folder",
    "edition_folder",
    "load_edition",
    "load_price_lists",
    "price_list_on",
    "shipped_editions",
    "shipped_standards_root",
]


def _number_as_text(value: Any) -> Any:
    """Official numbers are text (``"13"``), but a bare YAML 13 is accepted."""
    return str(value) if isinstance(value, int) and not isinstance(value, bool) else value


OfficialNumber = Annotated[str, BeforeValidator(_number_as_text)]


# --- the YAML files, as written --------------------------------------------


class Erratum(Frozen):
    """Where the printed source is wrong or incomplete; recorded, never fixed silently."""

    kind: str
    note: str
    likely_reading: str | None = None


class Topic(Frozen):
    letter: str
    text: str


class CriterionSpec(Frozen):
    number: OfficialNumber
    printed_number: OfficialNumber | None = None
    heading: str | None = None
    text: str
    group: str | None = None
    footnote: str | None = None
    topics: tuple[Topic, ...] = ()
    methods: tuple[str, ...] = ()
    errata: tuple[Erratum, ...] = ()


class LevelSpec(Frozen):
    level: str
    heading: str | None = None
    evidence_examples: tuple[str, ...] = ()
    criteria: tuple[CriterionSpec, ...]


class PillarFile(Frozen):
    id: str
    number: WholeNumber
    name: str
    footnotes: dict[str, str] = Field(default_factory=dict)
    levels: tuple[LevelSpec, ...]


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


# --- the edition, resolved ---------------------------------------------------


class Criterion(Frozen):
    """A criterion as printed, with its official number."""

    id: str
    pillar: str
    number: str
    printed_number: str | None = None
    level: str
    heading: str | None = None
    text: str
    group: str | None = None
    footnote: str | None = None
    topics: tuple[Topic, ...] = ()
    methods: tuple[str, ...] = ()
    errata: tuple[Erratum, ...] = ()
    evidence_examples: tuple[str, ...] = ()

    @property
    def assessable(self) -> bool:
        """A criterion that lists topics is a heading; its topics are assessed."""
        return not self.topics


class Item(Frozen):
    """The unit best fit counts: a criterion, or one Training topic."""

    id: str
    pillar: str
    criterion: str
    number: str
    level: str
    text: str
    parent: str | None = None
    group: str | None = None
    footnote: str | None = None
    methods: tuple[str, ...] = ()
    errata: tuple[Erratum, ...] = ()


class Pillar(Frozen):
    id: str
    number: int
    name: str
    criteria: tuple[Criterion, ...]
    items: tuple[Item, ...]
    level_headings: dict[str, str | None] = Field(default_factory=dict)
    evidence_examples: dict[str, tuple[str, ...]] = Field(default_factory=dict)

    def items_at(self, level: str) -> tuple[Item, ...]:
        return self._items_by_level.get(level, ())

    @functools.cached_property
    def _items_by_level(self) -> dict[str, tuple[Item, ...]]:
        grouped: dict[str, list[Item]] = {}
        for item in self.items:
            grouped.setdefault(item.level, []).append(item)
        return {level: tuple(items) for level, items in grouped.items()}

    def criteria_at(self, level: str) -> tuple[Criterion, ...]:
        return tuple(c for c in self.criteria if c.level == level)


class Edition(EditionMeta):
    folder: str
    rules: Rules
    pillars: tuple[Pillar, ...]
    price_lists: tuple[PriceList, ...]

    @functools.cached_property
    def levels(self) -> tuple[str, ...]:
        """Level ids from lowest to highest."""
        return tuple(level.id for level in self.rules.levels)

    def level_name(self, level: str | None) -> str:
        for known in self.rules.levels:
            if known.id == level:
                return known.name
        return "none"

    def rank(self, level: str | None) -> int:
        """0 for no level, 1 for the lowest, and so on."""
        return 0 if level is None else self._ranks[level]

    @functools.cached_property
    def _ranks(self) -> dict[str, int]:
        return {level: index + 1 for index, level in enumerate(self.levels)}

    def level_above(self, level: str | None) -> str | None:
        """The next level up; None above the highest."""
        rank = self.rank(level)
        return self.levels[rank] if rank < len(self.levels) else None

    def level_at(self, rank: int) -> str | None:
        return None if rank <= 0 else self.levels[min(rank, len(self.levels)) - 1]

    def pillar(self, pillar_id: str) -> Pillar:
        return self._pillars_by_id[pillar_id]

    def item(self, item_id: str) -> Item:
        return self._items_by_id[item_id]

    def criterion(self, criterion_id: str) -> Criterion:
        return self._criteria_by_id[criterion_id]

    @property
    def pillar_ids(self) -> tuple[str, ...]:
        return tuple(p.id for p in self.pillars)

    @property
    def items(self) -> Iterator[Item]:
        return (item for pillar in self.pillars for item in pillar.items)

    @functools.cached_property
    def _pillars_by_id(self) -> dict[str, Pillar]:
        return {p.id: p for p in self.pillars}

    @functools.cached_property
    def _items_by_id(self) -> dict[str, Item]:
        return {i.id: i for i in self.items}

    @functools.cached_property
    def _criteria_by_id(self) -> dict[str, Criterion]:
        return {c.id: c for p in self.pillars for c in p.criteria}

    @functools.cached_property
    def known_ids(self) -> tuple[str, ...]:
        """Every pillar, criterion and item id, for lookups and suggestions."""
        ids = list(self.pillar_ids)
        for pillar in self.pillars:
            ids += [c.id for c in pillar.criteria]
            ids += [i.id for i in pillar.items if i.id not in self._criteria_by_id]
        return tuple(ids)

    def suggest(self, unknown: str) -> str | None:
        return did_you_mean(unknown, self.known_ids)

    def item_id_problem(self, ident: str, verb: str, advice: str) -> tuple[str, str | None] | None:
        """Why ``ident`` cannot carry a claim or a decision (message, suggestion), or None.

        A criterion that lists topics (``training.1``) is a heading: its topics are
        ``verb`` one by one, so the suggestion lists them."""
        if ident in self._items_by_id:
            return None
        criterion = self._criteria_by_id.get(ident)
        if criterion is None:
            return f"unknown criterion {ident!r} in {self.id}", self.suggest(ident)
        topics = ", ".join(f"{criterion.id}.{t.letter}" for t in criterion.topics)
        return f"{ident} lists topics that are {verb} one by one", f"{advice}: {topics}"

    def price_list_on(self, day: date) -> PriceList:
        return price_list_on(self.price_lists, day)


# --- loading -----------------------------------------------------------------


def load_edition(folder: str | Path | None = None) -> Edition:
    """Load and check a whole edition; cached, as editions never change in a run."""
    return _load_edition(str(edition_folder(folder).resolve()))


@functools.lru_cache(maxsize=8)
def _load_edition(folder: str) -> Edition:
    """From the snapshot of an earlier run when its files are unchanged (edition_cache.py)."""
    from nums import edition_cache

    kept = edition_cache.read_snapshot(folder)
    if isinstance(kept, Edition) and kept.folder == folder:
        return kept
    digests = edition_cache.digests_before_reading(folder)
    edition, sources = _read_edition(folder)
    edition_cache.write_snapshot(folder, edition, sources, digests)
    return edition


def _read_edition(folder: str) -> tuple[Edition, list[Path]]:
    """The edition in ``folder``, checked, and the files it was read from."""
    root = Path(folder)
    edition_doc, meta = read_edition_file(root)
    problems: list[Problem] = []
    rules_doc, rules = read_document(root / meta.rules, Rules, problems)
    prices = read_price_lists(root / meta.prices, problems)
    if rules_doc is not None and rules is not None:
        problems += _check_rules(rules_doc, rules)
    pillars: list[Pillar] = []
    for index, relative in enumerate(meta.pillars):
        path = root / relative
        if not path.is_file():
            problems.append(edition_doc.problem(("pillars", index), f"pillar file {relative!r} not found"))
            continue
        doc, spec = read_document(path, PillarFile, problems)
        if doc is not None and spec is not None and rules is not None:
            problems += _check_pillar(doc, spec, rules)
            pillars.append(_resolve_pillar(spec))
    if rules is not None:
        problems += _check_pillars_together(edition_doc, pillars, rules)
    if problems:
        raise NumsError(problems)
    assert rules is not None and prices is not None
    edition = Edition(
        **meta.model_dump(exclude={"pillars", "rules", "prices"}),
        folder=folder,
        rules=rules,
        pillars=tuple(pillars),
        price_lists=prices,
    )
    sources = [root / EDITION_FILE, root / meta.rules, root / meta.prices]
    return edition, sources + [root / relative for relative in meta.pillars]


def _check_rules(doc: YamlDocument, rules: Rules) -> list[Problem]:
    problems = []
    seen: set[str] = set()
    for index, level in enumerate(rules.levels):
        if not ID_PATTERN.match(level.id):
            problems.append(
                doc.problem(("levels", index, "id"), f"level id {level.id!r} must be lower-case letters")
            )
        if level.id in seen:
            problems.append(doc.problem(("levels", index, "id"), f"level {level.id!r} is listed twice"))
        seen.add(level.id)
    if rules.progression.entry_level not in seen:
        problems.append(
            doc.problem(
                ("progression", "entry_level"),
                f"unknown level {rules.progression.entry_level!r}",
                did_you_mean(rules.progression.entry_level, seen),
            )
        )
    return problems


def _check_pillar(doc: YamlDocument, spec: PillarFile, rules: Rules) -> list[Problem]:
    """Checks a schema cannot express: ids, level order, numbering, footnotes."""
    problems: list[Problem] = []
    if not ID_PATTERN.match(spec.id):
        problems.append(
            doc.problem(("id",), f"pillar id {spec.id!r} must be lower-case letters, digits, '-' or '_'")
        )
    known_levels = [level.id for level in rules.levels]
    listed = [lvl.level for lvl in spec.levels]
    for index, level_spec in enumerate(spec.levels):
        where = ("levels", index)
        if level_spec.level not in known_levels:
            problems.append(
                doc.problem(
                    (*where, "level"),
                    f"unknown level {level_spec.level!r}",
                    did_you_mean(level_spec.level, known_levels),
                )
            )
    if [lvl for lvl in listed if lvl in known_levels] != [
        lvl for lvl in known_levels if lvl in listed
    ] or len(set(listed)) != len(listed):
        problems.append(
            doc.problem(("levels",), "levels must appear once each, lowest first: " + ", ".join(known_levels))
        )
    for level in known_levels:
        if level not in listed:
            problems.append(
                doc.problem(
                    ("levels",), f"level {level!r} is missing; every level needs at least one assessable item"
                )
            )
    problems += _check_numbering(doc, spec)
    return problems


def _check_numbering(doc: YamlDocument, spec: PillarFile) -> list[Problem]:
    problems: list[Problem] = []
    previous = 0
    for level_index, level_spec in enumerate(spec.levels):
        if not level_spec.criteria:
            problems.append(
                doc.problem(("levels", level_index, "criteria"), "this level has no assessable item")
            )
        for index, criterion in enumerate(level_spec.criteria):
            where = ("levels", level_index, "criteria", index)
            if not criterion.number.isdigit():
                problems.append(
                    doc.problem(
                        (*where, "number"), f"official number {criterion.number!r} must be a whole number"
                    )
                )
                continue
            number = int(criterion.number)
            if number <= previous:
                problems.append(
                    doc.problem(
                        (*where, "number"), f"criterion {number} is out of order: it follows {previous}"
                    )
                )
            elif number != previous + 1 and not any(e.kind == "numbering-gap" for e in criterion.errata):
                problems.append(
                    doc.problem(
                        (*where, "number"),
                        f"criterion {number} follows {previous}; numbers are skipped",
                        "record the gap as an erratum of kind 'numbering-gap' if the source skips them",
                    )
                )
            previous = max(previous, number)
            if criterion.footnote is not None and criterion.footnote not in spec.footnotes:
                problems.append(
                    doc.problem(
                        (*where, "footnote"),
                        f"unknown footnote {criterion.footnote!r}",
                        did_you_mean(criterion.footnote, spec.footnotes),
                    )
                )
            if criterion.topics and criterion.methods:
                problems.append(
                    doc.problem(
                        where,
                        "a criterion lists either topics (each assessed) or methods (any one meets it), not both",
                    )
                )
            letters = [t.letter for t in criterion.topics]
            if len(set(letters)) != len(letters) or letters != sorted(letters):
                problems.append(doc.problem((*where, "topics"), "topic letters must be unique and in order"))
    return problems


def _check_pillars_together(doc: YamlDocument, pillars: list[Pillar], rules: Rules) -> list[Problem]:
    problems: list[Problem] = []
    seen: dict[str, int] = {}
    for index, pillar in enumerate(pillars):
        if pillar.id in seen:
            problems.append(doc.problem(("pillars", index), f"pillar id {pillar.id!r} is used twice"))
        seen[pillar.id] = index
    numbers = [p.number for p in pillars]
    if numbers != sorted(set(numbers)):
        problems.append(doc.problem(("pillars",), "pillar numbers must be unique and listed in order"))
    if pillars and rules.overall.min_pillars_at_level > len(pillars):
        problems.append(
            Problem(
                f"the overall rule needs {rules.overall.min_pillars_at_level} pillars but the edition has {len(pillars)}",
                file=doc.path,
                field="overall.min_pillars_at_level",
            )
        )
    return problems


def _resolve_pillar(spec: PillarFile) -> Pillar:
    criteria: list[Criterion] = []
    items: list[Item] = []
    for level_spec in spec.levels:
        for c in level_spec.criteria:
            criterion = Criterion(
                id=f"{spec.id}.{c.number}",
                pillar=spec.id,
                number=c.number,
                printed_number=c.printed_number,
                level=level_spec.level,
                heading=c.heading,
                text=c.text,
                group=c.group,
                footnote=spec.footnotes.get(c.footnote) if c.footnote else None,
                topics=c.topics,
                methods=c.methods,
                errata=c.errata,
                evidence_examples=level_spec.evidence_examples,
            )
            criteria.append(criterion)
            items += _items_of(criterion)
    return Pillar(
        id=spec.id,
        number=spec.number,
        name=spec.name,
        criteria=tuple(criteria),
        items=tuple(items),
        level_headings={lvl.level: lvl.heading for lvl in spec.levels},
        evidence_examples={lvl.level: lvl.evidence_examples for lvl in spec.levels},
    )


def _items_of(criterion: Criterion) -> list[Item]:
    common = {"pillar": criterion.pillar, "level": criterion.level, "group": criterion.group}
    if criterion.assessable:
        return [
            Item(
                id=criterion.id,
                criterion=criterion.id,
                number=criterion.number,
                text=criterion.text,
                parent=criterion.heading,
                footnote=criterion.footnote,
                methods=criterion.methods,
                errata=criterion.errata,
                **common,
            )
        ]
    parent = " – ".join(part for part in (criterion.heading, criterion.text) if part)
    return [
        Item(
            id=f"{criterion.id}.{topic.letter}",
            criterion=criterion.id,
            number=f"{criterion.number}.{topic.letter}",
            text=topic.text,
            parent=parent,
            footnote=criterion.footnote,
            errata=criterion.errata,
            **common,
        )
        for topic in criterion.topics
    ]


def nearest_ids(edition: Edition, unknown: str) -> list[str]:
    return closest(unknown, edition.known_ids)
