"""A pillar file of an edition, as written: its levels, each level's criteria with their
official numbers, Training's topics and methods, footnotes and errata.

These are the shapes the YAML is read into; ``edition_loading.py`` checks what a schema
cannot say (ids, level order, numbering) and resolves them into ``standard.py``'s edition.
"""

from __future__ import annotations

from typing import Annotated, Any

from pydantic import BeforeValidator, Field

from nums.models import Frozen, WholeNumber


def _number_as_text(value: Any) -> Any:
    """Official numbers are text (``"13"``), but a bare YAML 13 is accepted."""
    return str(value) if isinstance(value, int) and not isinstance(value, bool) else value


OfficialNumber = Annotated[str, BeforeValidator(_number_as_text)]


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
