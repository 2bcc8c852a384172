"""What every terminal report is built from: the width, wrapped lines, headings, and the
last line of defence for a report's control characters. The reports themselves live with what
they render (``assessment.py``, ``review.py``, ``quote.py``, ``portfolio.py``, ``edition.py``).

Every report is built from ``wrap`` and ``heading``, which show applicant text in its visible
form (``nums.escaping.visible``: control characters, line breaks and bidi overrides as
escapes), and from lines that pass such text through ``shown``. So a programme named with an
escape sequence is printed as ``\x1b[31m``, never sent to the terminal."""

from __future__ import annotations

import re
import shutil
import textwrap
from fractions import Fraction

import click

from nums.escaping import visible


def width() -> int:
    """The terminal's width, kept between 60 and 100 columns for reading."""
    return max(60, min(100, shutil.get_terminal_size((88, 24)).columns))


shown = visible
"""Text for a terminal line that is not wrapped or a heading: its visible form."""


def wrap(text: str, indent: int, first: str = "") -> str:
    """``first`` then ``text`` (in its visible form) wrapped, continuation lines under the text."""
    pad = " " * indent
    first = visible(first)
    lines = textwrap.wrap(visible(text), width=width() - indent, break_on_hyphens=False) or [""]
    label = first.ljust(indent) if len(first) < indent else first + " "
    head = (label if first else pad) + lines[0]
    return "\n".join([head, *(pad + line for line in lines[1:])])


_STYLE = re.compile("(\x1b\\[1m|\x1b\\[0m)")  # what click.style writes for ``heading``: bold, then reset


def terminal_text(report: str) -> str:
    """A report as it may reach a terminal: its line breaks and nums' own bold kept, every other
    control character in its visible form. The reports already show applicant text through
    ``wrap``, ``heading`` and ``shown``; this is the last line of defence for a line that
    forgot, used by every command that prints a report."""
    parts = _STYLE.split(report)
    return "".join(
        part if index % 2 else "\n".join(visible(line) for line in part.split("\n"))
        for index, part in enumerate(parts)
    )


def fraction_words(fraction: Fraction) -> str:
    """1/2 as "half", 2/3 as "2/3": how people say the best-fit threshold."""
    return {Fraction(1, 2): "half", Fraction(1, 3): "a third", Fraction(1, 4): "a quarter"}.get(
        fraction, str(fraction)
    )


def heading(text: str) -> str:
    """``text`` in its visible form, in bold."""
    return click.style(visible(text), bold=True)
