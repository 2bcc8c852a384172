"""The edition for ``nums standards``: as text for a terminal (an overview, one pillar, one
criterion in full) and as JSON-ready data, the public shape of ``nums standards --json``."""

from __future__ import annotations

from typing import Any

from nums.render.terminal import fraction_words, heading, wrap
from nums.standard import Criterion, Edition, Item, Pillar


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


def edition_overview(edition: Edition) -> str:
    """Every pillar, level by level, one line per criterion or topic."""
    min_pillars = edition.rules.overall.min_pillars_at_level
    out = [
        heading(f"{edition.title} ({edition.id})"),
        f"Levels: {', '.join(lvl.name for lvl in edition.rules.levels)}. A pillar reaches a level when more than "
        f"{fraction_words(edition.rules.best_fit.more_than_fraction)} of that level's items are met and every lower level is "
        f"reached; the programme reaches a level when {min_pillars} of the {len(edition.pillars)} pillars do.",
    ]
    for pillar in edition.pillars:
        out += ["", *_pillar_lines(edition, pillar, full=False)]
    out += ["", "Show one pillar or criterion in full: nums standards show aims.7"]
    return "\n".join(out)


def pillar_detail(edition: Edition, pillar: Pillar) -> str:
    return "\n".join(_pillar_lines(edition, pillar, full=True))


def _pillar_lines(edition: Edition, pillar: Pillar, full: bool) -> list[str]:
    lines = [heading(f"Pillar {pillar.number} – {pillar.name}  [{pillar.id}]")]
    for level in edition.levels:
        criteria = pillar.criteria_at(level)
        count = len(pillar.items_at(level))
        needed = edition.rules.best_fit.needed(count)
        lines.append(f"  {edition.level_name(level)} ({needed} of {count} items to reach it)")
        for criterion in criteria:
            lines += _criterion_lines(criterion, full)
        if full:
            examples = pillar.evidence_examples.get(level) or ()
            lines.append(wrap(", ".join(examples) or "none listed", 8, "      Evidence examples: ".ljust(8)))
    return lines


def _criterion_lines(criterion: Criterion, full: bool) -> list[str]:
    label = criterion.id
    text = (
        " – ".join(part for part in (criterion.heading, criterion.text) if part) if full else criterion.text
    )
    lines = [wrap(text, 26, f"    {label}")]
    for topic in criterion.topics:
        lines.append(wrap(topic.text, 26, f"      {criterion.id}.{topic.letter}"))
    if criterion.methods:
        lines.append(wrap("met by any one of: " + "; ".join(criterion.methods), 26))
    if full:
        if criterion.footnote:
            lines.append(wrap(criterion.footnote, 26, "      footnote"))
        for erratum in criterion.errata:
            lines.append(wrap(f"[{erratum.kind}] {erratum.note}", 26, "      erratum"))
    return lines


def criterion_detail(edition: Edition, ident: str) -> str:
    """One criterion or topic with everything the edition says about it."""
    try:
        item = edition.item(ident)
        criterion = edition.criterion(item.criterion)
    except KeyError:
        item = None
        criterion = edition.criterion(ident)
    pillar = edition.pillar(criterion.pillar)
    lines = [
        heading(ident),
        f"Pillar:    {pillar.number} – {pillar.name}",
        f"Level:     {edition.level_name(criterion.level)}",
    ]
    number = item.number if item else criterion.number
    if criterion.printed_number:
        number += f" (printed as {criterion.printed_number})"
    lines.append(f"Number:    {number}")
    if criterion.group:
        lines.append(f"For:       {criterion.group}")
    if item and item.id != criterion.id:
        lines.append(wrap(item.text, 11, "Topic:"))
        lines.append(wrap(item.parent or "", 11, "Under:"))
    else:
        if criterion.heading:
            lines.append(wrap(criterion.heading, 11, "Heading:"))
        lines.append(wrap(criterion.text, 11, "Text:"))
    for topic in criterion.topics if item is None else ():
        lines.append(wrap(topic.text, 11, f"  {criterion.id}.{topic.letter}"))
    if criterion.methods:
        lines.append("Met by any one of:")
        lines += [wrap(method, 11, "  -") for method in criterion.methods]
    if criterion.footnote:
        lines.append(wrap(criterion.footnote, 11, "Footnote:"))
    for erratum in criterion.errata:
        lines.append(wrap(f"[{erratum.kind}] {erratum.note}", 11, "Erratum:"))
        if erratum.likely_reading:
            lines.append(wrap(f"likely reading: {erratum.likely_reading}", 11))
    examples = ", ".join(criterion.evidence_examples) or "none listed in the source for this level"
    lines.append(wrap(examples, 11, "Evidence:"))
    return "\n".join(lines)
