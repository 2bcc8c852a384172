"""Errors for people: every problem names its file, line and field.

Bad input is the normal case for a tool that reads hand-written YAML, so a
problem is data (``Problem``) and many of them travel together in one
``NumsError``. The CLI prints them and exits with status 2; nothing else in
the package prints or exits.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass

from nums.escaping import visible

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
        # control characters and text-direction overrides from a hostile file are shown as
        # escapes, so a message can never restyle or rewrite the terminal it is printed on
        return visible(text)


MAX_PROBLEMS = 100
"""Problems reported from one file: a file with 300,000 mistakes is reported in a second."""


def limited(problems: Iterable[Problem], file: str | None) -> list[Problem]:
    """At most ``MAX_PROBLEMS`` problems, taken lazily, and a note when there were more."""
    import itertools

    kept = list(itertools.islice(problems, MAX_PROBLEMS + 1))
    if len(kept) > MAX_PROBLEMS:
        kept[MAX_PROBLEMS:] = [
            Problem(f"more problems than the first {MAX_PROBLEMS} shown", file, suggestion="fix these first")
        ]
    return kept


class NumsError(Exception):
    """Raised with every problem found, so the user can fix them in one pass."""

    def __init__(self, problems: Sequence[Problem] | Problem, warnings: Sequence[Problem] = ()) -> None:
        self.problems: tuple[Problem, ...] = (problems,) if isinstance(problems, Problem) else tuple(problems)
        # What else the file holds that will need fixing (a misspelt key, a missing evidence
        # file), reported in the same run so the file is fixed in one pass.
        self.warnings: tuple[Problem, ...] = tuple(warnings)
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
