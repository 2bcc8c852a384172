"""Errors for people: every problem names its file, line and field.

Bad input is the normal case for a tool that reads hand-written YAML, so a
problem is data (``Problem``) and many of them travel together in one
``NumsError``. The CLI prints them and exits with status 2; nothing else in
the package prints or exits.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass

EXIT_BAD_INPUT = 2


@dataclass(frozen=True)
class Problem:
    """One thing wrong with one input, located as precisely as we can."""

    message: str
    file: str | None = None
    line: int | None = None
    field: str | None = None
    suggestion: str | None = None

    def __str__(self) -> str:
        where = self.file or ""
        if self.line is not None:
            where += f":{self.line}"
        text = f"{where}: " if where else ""
        if self.field:
            text += f"{self.field}: "
        text += self.message
        if self.suggestion:
            text += f" ({self.suggestion})"
        return text.translate(_VISIBLE)


# Control characters and text-direction overrides from a hostile file are shown as
# escapes, so a message can never restyle or rewrite the terminal it is printed on.
_VISIBLE = {code: f"\\x{code:02x}" for code in [*range(0x20), *range(0x7F, 0xA0)]}
_VISIBLE |= {code: f"\\u{code:04x}" for code in [*range(0x202A, 0x202F), *range(0x2066, 0x206A)]}


class NumsError(Exception):
    """Raised with every problem found, so the user can fix them in one pass."""

    def __init__(self, problems: Sequence[Problem] | Problem) -> None:
        self.problems: tuple[Problem, ...] = (problems,) if isinstance(problems, Problem) else tuple(problems)
        super().__init__("\n".join(str(p) for p in self.problems))


def closest(word: str, choices: Iterable[str], count: int = 3) -> list[str]:
    """The known names nearest to a misspelt one, best first."""
    import difflib  # only on the error path

    return difflib.get_close_matches(word, list(choices), n=count, cutoff=0.5)


def did_you_mean(word: str, choices: Iterable[str]) -> str | None:
    """A ready-made suggestion, or None when nothing is close."""
    near = closest(word, choices)
    if not near:
        return None
    return "did you mean " + " or ".join(repr(n) for n in near) + "?"
