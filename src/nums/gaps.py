"""Gap analysis: what is missing for a target level, and the cheapest pillars
to raise.

Because the overall rule needs only six of the seven pillars (the count comes
from the edition), a coordinator need not raise every pillar: the cheapest set
is the pillars needing the fewest further items, ties broken in pillar order.
"""

from __future__ import annotations

from collections.abc import Collection, Mapping
from dataclasses import dataclass, field

from nums.standard import Edition, Pillar


@dataclass(frozen=True)
class PillarGap:
    id: str
    level: str | None
    reaches_target: bool
    missing: dict[str, tuple[str, ...]]  # level -> unmet item ids, for every level up to the target
    needed: int  # further items to meet before the pillar reaches the target
    unevidenced: tuple[str, ...]  # claimed items that would count with evidence
    more: dict[str, int] = field(
        default_factory=dict
    )  # level -> further items needed there (only levels short)


@dataclass(frozen=True)
class Gaps:
    target: str
    pillars: dict[str, PillarGap]
    pillars_at_target: int
    pillars_required: int
    raise_pillars: tuple[str, ...]  # the cheapest pillars to raise to reach the target overall
    items_to_raise: int

    @property
    def reached(self) -> bool:
        return self.pillars_at_target >= self.pillars_required


def gaps_for(
    edition: Edition,
    met: Collection[str],
    levels: Mapping[str, str | None],
    target: str,
    unevidenced: Collection[str] = (),
) -> Gaps:
    """Per pillar what is missing for ``target``; overall the cheapest pillars to raise."""
    pillars = {p.id: _pillar_gap(edition, p, met, levels[p.id], target, unevidenced) for p in edition.pillars}
    at_target = sum(1 for gap in pillars.values() if gap.reaches_target)
    required = edition.rules.overall.min_pillars_at_level
    short = [gap for gap in pillars.values() if not gap.reaches_target]
    order = {pillar_id: index for index, pillar_id in enumerate(edition.pillar_ids)}
    cheapest = sorted(short, key=lambda gap: (gap.needed, order[gap.id]))[: max(0, required - at_target)]
    return Gaps(
        target=target,
        pillars=pillars,
        pillars_at_target=at_target,
        pillars_required=required,
        raise_pillars=tuple(gap.id for gap in sorted(cheapest, key=lambda gap: order[gap.id])),
        items_to_raise=sum(gap.needed for gap in cheapest),
    )


def _pillar_gap(
    edition: Edition,
    pillar: Pillar,
    met: Collection[str],
    level: str | None,
    target: str,
    unevidenced: Collection[str],
) -> PillarGap:
    upto = edition.levels[: edition.rank(target)]
    missing = {lvl: tuple(i.id for i in pillar.items_at(lvl) if i.id not in met) for lvl in upto}
    more = {}
    for lvl in upto:
        items = pillar.items_at(lvl)
        have = len(items) - len(missing[lvl])
        if (short := edition.rules.best_fit.needed(len(items)) - have) > 0:
            more[lvl] = short
    flat = [i for ids in missing.values() for i in ids]
    return PillarGap(
        id=pillar.id,
        level=level,
        reaches_target=edition.rank(level) >= edition.rank(target),
        missing=missing,
        needed=sum(more.values()),
        unevidenced=tuple(i for i in flat if i in unevidenced),
        more=more,
    )
