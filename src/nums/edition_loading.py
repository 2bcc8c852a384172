"""Loading an edition: its folder's YAML files read, checked and resolved into a
``standard.Edition``.

Loading checks what a reviewer of the YAML could get wrong (ids, level order, official
numbering, footnotes, the overall rule against the pillars) and reports every problem
with its file, line and field. An edition never changes during a run, so it is loaded
once, and kept between runs as a snapshot (``edition_cache.py``).
"""

from __future__ import annotations

import functools
import re
from pathlib import Path

from nums.editions import EDITION_FILE, edition_folder, read_edition_file
from nums.errors import NumsError, Problem, did_you_mean
from nums.models import read_document
from nums.pillar_file import PillarFile
from nums.prices import read_price_lists
from nums.rules import Rules
from nums.standard import Criterion, Edition, Item, Pillar
from nums.yamlsource import YamlDocument

ID_PATTERN = re.compile(r"^[a-z][a-z0-9_-]*$")


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
