"""The edition of the standard: pillars, criteria, assessable items, levels,
rules and price lists, loaded from a folder of YAML into frozen models.

An edition is data, not code: a new edition (or one with a Platinum level) is
a new folder under ``standards/``. Loading checks what a reviewer of the YAML
could get wrong and reports every problem with its file, line and field.
"""

from __future__ import annotations

import functools
import re
from collections.abc import Iterator
from datetime import date
from decimal import Decimal
from fractions import Fraction
from pathlib import Path
from typing import Annotated, Any

from pydantic import BeforeValidator, Field, ValidationError, field_validator

from nums.errors import NumsError, Problem, closest, did_you_mean
from nums.models import Frozen, validation_problems
from nums.yamlsource import YamlDocument, load_yaml

ID_PATTERN = re.compile(r"^[a-z][a-z0-9_-]*$")
EDITION_FILE = "edition.yaml"


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
    number: int
    name: str
    footnotes: dict[str, str] = Field(default_factory=dict)
    levels: tuple[LevelSpec, ...]


class EditionFile(Frozen):
    id: str
    title: str
    year: int
    publisher: str | None = None
    copyright: str | None = None
    source: str | None = None
    website: str | None = None
    pillars: tuple[str, ...]
    rules: str
    prices: str


class Level(Frozen):
    id: str
    name: str


class BestFitRule(Frozen):
    quote: str
    more_than_fraction: Fraction
    lower_levels_required: bool = True

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
    min_pillars_at_level: int = Field(ge=1)


class ProgressionRule(Frozen):
    quote: str
    entry_level: str
    months_at_level: int = Field(ge=0)
    may_skip_levels: bool = False


class ValidityRule(Frozen):
    quote: str
    months: int = Field(ge=1)


class ProgrammeRule(Frozen):
    quote: str
    mentors_fewer_than: int = Field(ge=1)
    must_have_started: bool = True
    combined_applications_allowed: bool = True


class ReaccreditationRule(Frozen):
    quote: str
    same_level_only: bool = True
    requires_continuation_evidence: bool = True


class AssessmentRule(Frozen):
    quote: str
    appealable: bool = False


class Rules(Frozen):
    levels: tuple[Level, ...] = Field(min_length=1)
    best_fit: BestFitRule
    overall: OverallRule
    progression: ProgressionRule
    validity: ValidityRule
    programme: ProgrammeRule
    reaccreditation: ReaccreditationRule
    assessment: AssessmentRule


class Band(Frozen):
    label: str
    up_to: int = Field(ge=1)
    initial: Decimal = Field(ge=0)
    reaccreditation: Decimal = Field(ge=0)


class TailoredRule(Frozen):
    quote: str
    programmes_more_than: int = Field(ge=1)
    mentors_at_least: int = Field(ge=1)


class PriceList(Frozen):
    id: str
    effective_from: date
    currency: str
    prices_exclude_vat: bool = True
    vat_rate: Decimal = Field(ge=0)
    quote_valid_days: int = Field(default=30, ge=1)
    bands: tuple[Band, ...] = Field(min_length=1)
    tailored: TailoredRule
    terms: tuple[str, ...] = ()


class PricesFile(Frozen):
    price_lists: tuple[PriceList, ...] = Field(min_length=1)


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


class Edition(Frozen):
    id: str
    title: str
    year: int
    publisher: str | None = None
    copyright: str | None = None
    source: str | None = None
    website: str | None = None
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

    def price_list_on(self, day: date) -> PriceList:
        return price_list_on(self.price_lists, day)


def price_list_on(price_lists: tuple[PriceList, ...], day: date) -> PriceList:
    """The newest price list in force on ``day``."""
    in_force = [p for p in price_lists if p.effective_from <= day]
    if not in_force:
        first = min(p.effective_from for p in price_lists)
        raise NumsError(
            Problem(
                f"no price list is in force on {day.isoformat()}",
                field="date",
                suggestion=f"the first price list takes effect on {first.isoformat()}",
            )
        )
    return max(in_force, key=lambda p: p.effective_from)


# --- where editions live ------------------------------------------------------


def shipped_standards_root() -> Path:
    """The ``standards`` folder: inside the installed package, or the checkout's."""
    packaged = Path(__file__).resolve().parent / "standards"
    if packaged.is_dir():
        return packaged
    return Path(__file__).resolve().parents[2] / "standards"


def shipped_editions() -> dict[str, Path]:
    """Edition id (folder name) to folder, for every shipped edition."""
    root = shipped_standards_root()
    if not root.is_dir():
        return {}
    return {folder.name: folder for folder in sorted(root.iterdir()) if (folder / EDITION_FILE).is_file()}


def default_edition_folder() -> Path:
    """The newest shipped edition: the highest year, then the highest id."""
    editions = shipped_editions()
    if not editions:
        raise NumsError(
            Problem("no edition of the standard is installed", file=str(shipped_standards_root()))
        )
    return editions[max(editions, key=_edition_sort_key)]


def _edition_sort_key(name: str) -> tuple[int, str]:
    years = re.findall(r"\d{4}", name)
    return (int(years[-1]) if years else 0, name)


def edition_folder(name_or_path: str | Path | None) -> Path:
    """Resolve ``--standard`` or a submission's ``standard:``: a shipped id or a folder."""
    if name_or_path is None:
        return default_edition_folder()
    text = str(name_or_path)
    editions = shipped_editions()
    if text in editions:
        return editions[text]
    folder = Path(text)
    if (folder / EDITION_FILE).is_file():
        return folder
    suggestion = did_you_mean(text, editions)
    if suggestion is None and editions:
        suggestion = "shipped editions: " + ", ".join(editions)
    raise NumsError(
        Problem(f"no edition of the standard at {text!r} (no {EDITION_FILE} there)", suggestion=suggestion)
    )


# --- loading -----------------------------------------------------------------


def load_edition(folder: str | Path | None = None) -> Edition:
    """Load and check a whole edition; cached, as editions never change in a run."""
    return _load_edition(str(edition_folder(folder).resolve()))


def load_price_lists(folder: str | Path | None = None) -> tuple[PriceList, ...]:
    """Only the price lists: all a quote needs, so quoting stays fast."""
    return _load_price_lists(str(edition_folder(folder).resolve()))


@functools.lru_cache(maxsize=8)
def _load_edition(folder: str) -> Edition:
    root = Path(folder)
    edition_doc, meta = _read_edition_file(root)
    problems: list[Problem] = []
    rules_doc, rules = _read_document(root / meta.rules, Rules, problems)
    prices = _read_price_lists(root / meta.prices, problems)
    if rules_doc is not None and rules is not None:
        problems += _check_rules(rules_doc, rules)
    pillars: list[Pillar] = []
    for index, relative in enumerate(meta.pillars):
        path = root / relative
        if not path.is_file():
            problems.append(edition_doc.problem(("pillars", index), f"pillar file {relative!r} not found"))
            continue
        doc, spec = _read_document(path, PillarFile, problems)
        if doc is not None and spec is not None and rules is not None:
            problems += _check_pillar(doc, spec, rules)
            pillars.append(_resolve_pillar(spec))
    if rules is not None:
        problems += _check_pillars_together(edition_doc, pillars, rules)
    if problems:
        raise NumsError(problems)
    assert rules is not None and prices is not None
    return Edition(
        **meta.model_dump(exclude={"pillars", "rules", "prices"}),
        folder=folder,
        rules=rules,
        pillars=tuple(pillars),
        price_lists=prices,
    )


@functools.lru_cache(maxsize=8)
def _load_price_lists(folder: str) -> tuple[PriceList, ...]:
    root = Path(folder)
    _, meta = _read_edition_file(root)
    problems: list[Problem] = []
    prices = _read_price_lists(root / meta.prices, problems)
    if problems:
        raise NumsError(problems)
    assert prices is not None
    return prices


def _read_edition_file(root: Path) -> tuple[YamlDocument, EditionFile]:
    problems: list[Problem] = []
    doc, meta = _read_document(root / EDITION_FILE, EditionFile, problems)
    if doc is None or meta is None:
        raise NumsError(problems)
    return doc, meta


def _read_model(path: Path, model: type[Any], problems: list[Problem]) -> Any:
    """Parse one file into ``model``; collect problems instead of raising."""
    return _read_document(path, model, problems)[1]


def _read_document(path: Path, model: type[Any], problems: list[Problem]) -> tuple[YamlDocument | None, Any]:
    """The parsed document and its model (None where it has problems)."""
    try:
        doc = load_yaml(path)
    except NumsError as exc:
        problems += exc.problems
        return None, None
    if not isinstance(doc.data, dict):
        problems.append(Problem("must be a mapping of keys to values", file=doc.path, line=1))
        return doc, None
    try:
        return doc, model.model_validate(doc.data)
    except ValidationError as exc:
        problems += validation_problems(doc, exc, model)
        return doc, None


def _read_price_lists(path: Path, problems: list[Problem]) -> tuple[PriceList, ...] | None:
    doc, prices = _read_document(path, PricesFile, problems)
    if doc is None or prices is None:
        return None
    problems += _check_prices(doc, prices)
    return prices.price_lists


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


def _check_prices(doc: YamlDocument, prices: PricesFile) -> list[Problem]:
    problems: list[Problem] = []
    dates = [p.effective_from for p in prices.price_lists]
    for index, price_list in enumerate(prices.price_lists):
        where = ("price_lists", index)
        if dates.count(price_list.effective_from) > 1:
            problems.append(
                doc.problem((*where, "effective_from"), "two price lists take effect on the same day")
            )
        previous = 0
        for band_index, band in enumerate(price_list.bands):
            if band.up_to <= previous:
                problems.append(
                    doc.problem(
                        (*where, "bands", band_index, "up_to"),
                        f"bands must grow: {band.up_to} follows {previous}",
                    )
                )
            previous = band.up_to
        if price_list.tailored.programmes_more_than != previous:
            problems.append(
                doc.problem(
                    (*where, "tailored", "programmes_more_than"),
                    f"the bands end at {previous} programmes but tailored costs start above "
                    f"{price_list.tailored.programmes_more_than}: the price list has a gap or an overlap",
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
