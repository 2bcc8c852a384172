"""How full a rendered page is, read back from the PDF with pypdf.

The measure: the vertical extent of the page's body text (from the highest to
the lowest line of text between the running header and the running footer)
as a fraction of the body's height. A figure or a table counts through the
text around and inside it; white space below the last line does not. A
page that is "less than a fifth full" has all its text in the top fifth of
the body.
"""

from __future__ import annotations

from typing import Any

MM = 72 / 25.4
TOP_MARGIN = 22 * MM  # print.css: @page margin 22mm 18mm 20mm 18mm
BOTTOM_MARGIN = 20 * MM


def _text_heights(page: Any) -> list[float]:
    heights: list[float] = []

    def visit(text: str, cm: list[float], tm: list[float], *_: Any) -> None:
        if text.strip():
            heights.append(tm[4] * cm[1] + tm[5] * cm[3] + cm[5])

    page.extract_text(visitor_text=visit)
    return heights


def page_fill(page: Any) -> float:
    """The fraction (0 to 1) of the body's height that the page's text spans."""
    height = float(page.mediabox.height)
    top, bottom = height - TOP_MARGIN, BOTTOM_MARGIN
    body = [y for y in _text_heights(page) if bottom < y < top]
    if not body:
        return 0.0
    return min(1.0, (max(body) - min(body) + 12) / (top - bottom))


def page_text(page: Any) -> str:
    return page.extract_text() or ""
