"""A ready-to-fill submission file: every assessable item with its text as a
comment, so a coordinator never has to look up an id.

The text is built by hand rather than dumped, because comments are the point:
PyYAML cannot write them.
"""

from __future__ import annotations

import json
import textwrap

from nums.standard import Edition


def _quote(text: str) -> str:
    return json.dumps(text, ensure_ascii=False)


def submission_skeleton(edition: Edition) -> str:
    """A submission for ``edition`` with blanks where the coordinator writes."""
    levels = " | ".join(edition.levels)
    pillars = ", ".join(f"{p.id}: null" for p in edition.pillars)
    lines = [
        f"# A submission for the {edition.title} ({edition.id}).",
        "# Fill in the blanks, then run: nums validate submission.yaml && nums assess submission.yaml",
        "# For each criterion: set met: true, write a statement in your own words, and list evidence:",
        '#   a web address  - {title: Scheme web page, url: "https://..."}',
        "#   or a file      - {title: Recruitment leaflet, file: evidence/leaflet.pdf}",
        "# Files must be inside this folder (put them in evidence/).",
        f"standard: {edition.id}",
        "programme:",
        '  name: ""                     # the programme\'s name',
        '  institution: ""',
        '  coordinator: {name: "", email: ""}',
        '  purpose: ""                  # one purpose: peer, reverse and career mentoring are three programmes',
        "  mentors: null                # number of mentors",
        "  started: null                # YYYY-MM-DD the programme started running",
        "application:",
        "  date: null                   # YYYY-MM-DD the application is made",
        f"  level: {edition.levels[0]}                # {levels}",
        "  type: initial                # initial | reaccreditation",
        "history: []                    # awards already made, e.g. - {level: bronze, awarded: 2025-03-10}",
        f"self_rating: {{{pillars}}}",
        "criteria:",
    ]
    for pillar in edition.pillars:
        lines.append("")
        lines.append(f"  # ===== Pillar {pillar.number}: {pillar.name} =====")
        for level in edition.levels:
            lines.append(f"  # --- {edition.level_name(level)} ---")
            for item in pillar.items_at(level):
                lines += _item_lines(item.id, item.text, item.parent)
    lines += [
        "",
        "# Reaccreditation at the level you hold only: evidence that provision continues.",
        "# continuation:",
        '#   statement: ""',
        "#   evidence: []",
        "",
    ]
    return "\n".join(lines)


def _item_lines(item_id: str, text: str, parent: str | None) -> list[str]:
    comment = f"{parent}: {text}" if parent else text
    wrapped = textwrap.wrap(comment, 92)
    return [
        *(f"  # {line}" for line in wrapped),
        f"  {item_id}:",
        "    met: false",
        '    statement: ""',
        "    evidence: []",
    ]
