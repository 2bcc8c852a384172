"""The edition as JSON-ready data: the public shape of ``nums standards --json``."""

from __future__ import annotations

from typing import Any

from nums.standard import Criterion, Edition, Item


def item_json(edition: Edition, item: Item) -> dict[str, Any]:
    """One assessable item; ``parent`` holds a Training topic's heading."""
    criterion = edition.criterion(item.criterion)
    return {
        "id": item.id,
        "number": item.number,
        "level": item.level,
        "text": item.text,
        "parent": item.parent,
        "criterion": item.criterion,
        "group": item.group,
        "footnote": item.footnote,
        "methods": list(item.methods),
        "printed_number": criterion.printed_number,
        "errata": [erratum.model_dump(exclude_none=True) for erratum in item.errata],
        "evidence_examples": list(criterion.evidence_examples),
    }


def criterion_json(edition: Edition, criterion: Criterion) -> dict[str, Any]:
    """A criterion as printed, with its topics where it lists them."""
    return {
        "id": criterion.id,
        "number": criterion.number,
        "printed_number": criterion.printed_number,
        "level": criterion.level,
        "heading": criterion.heading,
        "text": criterion.text,
        "group": criterion.group,
        "footnote": criterion.footnote,
        "topics": [f"{criterion.id}.{t.letter}" for t in criterion.topics],
        "methods": list(criterion.methods),
        "errata": [erratum.model_dump(exclude_none=True) for erratum in criterion.errata],
        "evidence_examples": list(criterion.evidence_examples),
        "assessable": criterion.assessable,
    }


def record_json(edition: Edition, ident: str) -> dict[str, Any]:
    """An item where ``ident`` is assessable, else the criterion heading."""
    try:
        return item_json(edition, edition.item(ident))
    except KeyError:
        return criterion_json(edition, edition.criterion(ident))


def edition_json(edition: Edition, only: str | None = None) -> dict[str, Any]:
    """``{"edition", "levels", "pillars": [{"id", "number", "name", "criteria": [...]}]}``.

    ``criteria`` lists every assessable item (Training topics one by one);
    ``printed_criteria`` adds the criteria as printed, headings included.
    """
    pillars = [p for p in edition.pillars if only is None or p.id == only]
    return {
        "edition": edition.id,
        "title": edition.title,
        "year": edition.year,
        "levels": list(edition.levels),
        "level_names": {level.id: level.name for level in edition.rules.levels},
        "pillars": [
            {
                "id": pillar.id,
                "number": pillar.number,
                "name": pillar.name,
                "criteria": [item_json(edition, item) for item in pillar.items],
                "printed_criteria": [criterion_json(edition, c) for c in pillar.criteria],
                "evidence_examples": {k: list(v) for k, v in pillar.evidence_examples.items()},
                "items_per_level": {lvl: len(pillar.items_at(lvl)) for lvl in edition.levels},
            }
            for pillar in pillars
        ],
        "rules": rules_json(edition),
    }


def rules_json(edition: Edition) -> dict[str, Any]:
    rules = edition.rules
    return {
        "best_fit": {
            "more_than_fraction": str(rules.best_fit.more_than_fraction),
            "lower_levels_required": rules.best_fit.lower_levels_required,
        },
        "overall": {
            "min_pillars_at_level": rules.overall.min_pillars_at_level,
            "of_pillars": len(edition.pillars),
        },
        "progression": {
            "entry_level": rules.progression.entry_level,
            "months_at_level": rules.progression.months_at_level,
            "may_skip_levels": rules.progression.may_skip_levels,
        },
        "validity": {"months": rules.validity.months},
        "programme": {"mentors_fewer_than": rules.programme.mentors_fewer_than},
    }
