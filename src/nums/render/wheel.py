"""The self-rating wheel: seven pillars round a circle, the coordinator's
self-rating and the evidence level side by side in each pillar's sector.

Drawn as inline SVG so that the pack needs no image files. Legible in
greyscale: the self-rating is an outlined, dashed wedge and the evidence level
a solid one, and every value is also written in the pack's summary table and
in the SVG's title and description (the alt text).
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass

from markupsafe import Markup, escape

SIZE = 150.0  # SVG user units (mm in the layout)
CENTRE = SIZE / 2
INNER = 9.0  # radius of the empty hub
OUTER = 50.0  # radius of the highest level


@dataclass(frozen=True)
class Spoke:
    """One pillar: its label and the two ranks to draw (0 = none)."""

    label: str
    self_rank: int
    evidence_rank: int
    self_name: str
    evidence_name: str


def _point(radius: float, degrees: float) -> tuple[float, float]:
    angle = math.radians(degrees)
    return CENTRE + radius * math.cos(angle), CENTRE + radius * math.sin(angle)


def _wedge(r_in: float, r_out: float, start: float, end: float) -> str:
    """An annular sector as an SVG path."""
    x1, y1 = _point(r_out, start)
    x2, y2 = _point(r_out, end)
    x3, y3 = _point(r_in, end)
    x4, y4 = _point(r_in, start)
    large = 1 if end - start > 180 else 0
    return (
        f"M{x1:.2f},{y1:.2f} A{r_out:.2f},{r_out:.2f} 0 {large} 1 {x2:.2f},{y2:.2f} "
        f"L{x3:.2f},{y3:.2f} A{r_in:.2f},{r_in:.2f} 0 {large} 0 {x4:.2f},{y4:.2f} Z"
    )


def _radius(rank: int, levels: int) -> float:
    return INNER + (OUTER - INNER) * rank / levels


def wheel_svg(spokes: Sequence[Spoke], level_names: Sequence[str], title: str, held_rank: int = 0) -> Markup:
    """The wheel as escaped, inline SVG markup. ``held_rank`` (a reaccreditation)
    draws the level held as a bold ring, the fact the application rests on.

    The rings are drawn again, lightly, over the wedges so that every level's
    ring (Bronze too) stays visible through a filled wedge. The whole
    description is also the SVG's title, which is what a tagged PDF carries as
    the figure's alternative text."""
    levels = len(level_names)
    step = 360 / len(spokes)
    parts = [_rings(level_names)]
    for index, spoke in enumerate(spokes):
        middle = -90 + index * step
        start, end = middle - step / 2 + 2, middle + step / 2 - 2
        parts.append(_bar(spoke.self_rank, levels, start, middle - 0.5, "self"))
        parts.append(_bar(spoke.evidence_rank, levels, middle + 0.5, end, "evidence"))
        parts.append(_label(spoke.label, middle))
    parts.append(_rings(level_names, over=True))
    if held_rank:
        parts.append(_held_ring(held_rank, levels))
    parts.append(_ring_labels(level_names, -90 - step / 2))
    description = "; ".join(
        f"{s.label}: self-rating {s.self_name}, evidence {s.evidence_name}" for s in spokes
    )
    return Markup(
        f'<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {SIZE:.0f} {SIZE:.0f}" '
        f'role="img" aria-labelledby="wheel-title wheel-desc" class="wheel">'
        f'<title id="wheel-title">{escape(title)}: {escape(description)}</title>'
        f'<desc id="wheel-desc">{escape(description)}</desc>' + "".join(parts) + "</svg>"
    )


def _rings(level_names: Sequence[str], over: bool = False) -> str:
    """One ring per level; ``over`` draws them pale on top of the wedges."""
    levels = len(level_names)
    colour, width = ("#c9d1d9", 0.35) if over else ("#6b7785", 0.3)
    return "".join(
        f'<circle cx="{CENTRE}" cy="{CENTRE}" r="{_radius(rank, levels):.2f}" fill="none" stroke="{colour}" '
        f'stroke-width="{width}"/>'
        for rank in range(1, levels + 1)
    )


def _held_ring(rank: int, levels: int) -> str:
    return (
        f'<circle cx="{CENTRE}" cy="{CENTRE}" r="{_radius(rank, levels):.2f}" fill="none" stroke="#135e2a" '
        f'stroke-width="1.6"/>'
    )


def _ring_labels(level_names: Sequence[str], angle: float) -> str:
    """Each ring's level name on a white tab, drawn last so no wedge hides it."""
    levels = len(level_names)
    labels = []
    for rank, name in enumerate(level_names, start=1):
        x, y = _point(_radius(rank, levels), angle)
        width = 1.75 * len(name) + 1.6
        labels.append(
            f'<rect x="{x - width / 2:.2f}" y="{y - 2.3:.2f}" width="{width:.2f}" height="3.6" rx="0.6" '
            f'fill="#ffffff" stroke="#6b7785" stroke-width="0.2"/>'
            f'<text x="{x:.2f}" y="{y + 0.7:.2f}" font-size="2.9" text-anchor="middle" fill="#222">{escape(name)}</text>'
        )
    return "".join(labels)


def _bar(rank: int, levels: int, start: float, end: float, kind: str) -> str:
    if rank <= 0:
        return ""
    path = _wedge(INNER, _radius(rank, levels), start, end)
    if kind == "self":
        return f'<path d="{path}" fill="#ffffff" stroke="#1f3b57" stroke-width="0.6" stroke-dasharray="1.6,0.9"/>'
    return f'<path d="{path}" fill="#1f3b57" stroke="#1f3b57" stroke-width="0.3"/>'


def _label(text: str, degrees: float) -> str:
    x, y = _point(OUTER + 6, degrees)
    cosine = math.cos(math.radians(degrees))
    anchor = "middle" if abs(cosine) < 0.3 else ("start" if cosine > 0 else "end")
    return (
        f'<text x="{x:.2f}" y="{y + 1.2:.2f}" font-size="3.6" text-anchor="{anchor}" fill="#1a1a1a">'
        f"{escape(text)}</text>"
    )
