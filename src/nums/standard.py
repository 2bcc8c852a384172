"""The edition of the standard, resolved: its pillars, criteria with their official
numbers, assessable items (a criterion, or one Training topic), levels and rules, as
frozen models every other module reads.

An edition is data, not code: a new edition (or one with a Platinum level) is a new
folder under ``standards/``, read by ``edition_loading.load_edition``.
"""

from __future__ import annotations

import functools
from collections.abc import Iterator
from datetime import date

from pydantic import Field

from nums.editions import EditionMeta
from nums.errors import closest, did_you_mean
from nums.models import Frozen
from nums.pillar_file import Erratum, Topic
from nums.prices import PriceList, price_list_on
from nums.rules import Rules


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


def nearest_ids(edition: Edition, unknown: str) -> list[str]:
    return closest(unknown, edition.known_ids)
