"""Recording an award in a submission's ``history:``, keeping the rest of the file as written.

"The award is recorded in the programme's history exactly as the review dates it (a timely renewal
continues the cycle), so the portfolio, the next application and the register follow without anyone
editing a file." (issue 23). A programme's history is the ``history:`` list of its
``submission.yaml`` (``submission.Award``: level and the first valid day); the portfolio, the next
application's standing and the calendar all read it there.

The file is the coordinator's: its comments and layout stay. The new item is added as one line in
flow style (``- {level: silver, awarded: 2026-04-01}``), and the result is read back and compared:
an edit that would change anything but the history is refused rather than written.
"""

from __future__ import annotations

import re
from datetime import date
from typing import Any

from nums.errors import NumsError, Problem
from nums.yamlsource import parse_yaml

TOP_LEVEL_KEY = re.compile(r"^[^\s#\-]")


def with_award(text: str, path: str, level: str, awarded: date) -> str:
    """``text`` with the award added at the end of its history; ``text`` itself when the history
    records that award already (deciding twice records it once)."""
    doc = parse_yaml(text, path, kind="submission file")
    data = doc.data if isinstance(doc.data, dict) else {}
    history = data.get("history")
    old = list(history) if isinstance(history, list) else []
    if any(_same(item, level, awarded) for item in old):
        return text
    item = f"{{level: {level}, awarded: {awarded.isoformat()}}}"
    lines = text.splitlines(keepends=True)
    if lines and not lines[-1].endswith("\n"):
        lines[-1] += "\n"
    key_line = doc.lines.get(("history",)) if "history" in data else None
    if key_line is None:
        new = [*lines, "history:\n", f"  - {item}\n"]
    elif not old:
        new = [*lines[: key_line - 1], "history:\n", f"  - {item}\n", *lines[key_line:]]
    else:
        new = _appended(lines, key_line, doc.lines.get(("history", 0)), item)
    result = "".join(new)
    _check(result, path, data, level, awarded)
    return result


def _same(item: Any, level: str, awarded: date) -> bool:
    return (
        isinstance(item, dict)
        and item.get("level") == level
        and str(item.get("awarded")) == awarded.isoformat()
    )


def _appended(lines: list[str], key_line: int, first_item: int | None, item: str) -> list[str]:
    """A block list's new last item, indented as its first one, before the next top-level key."""
    if first_item is None or first_item == key_line:  # a flow list on the key's line
        raise _cannot(f"the history is written as a flow list ({lines[key_line - 1].strip()})")
    first = lines[first_item - 1]
    indent = first[: len(first) - len(first.lstrip())]
    end = len(lines)
    for number in range(key_line, len(lines)):
        if TOP_LEVEL_KEY.match(lines[number]):
            end = number
            break
    while end > key_line and (not lines[end - 1].strip() or lines[end - 1].startswith("#")):
        end -= 1  # blank lines and comments before the next key stay with it
    return [*lines[:end], f"{indent}- {item}\n", *lines[end:]]


def _check(result: str, path: str, data: dict[str, Any], level: str, awarded: date) -> None:
    reread = parse_yaml(result, path, kind="submission file").data
    old = data.get("history") or []
    expected = {**data, "history": [*old, {"level": level, "awarded": awarded}]}
    if not isinstance(reread, dict) or _plain(reread) != _plain(expected):
        raise _cannot("adding the award would change more than the history")


def _plain(value: Any) -> Any:
    if isinstance(value, dict):
        return {str(k): _plain(v) for k, v in value.items()}
    if isinstance(value, list):
        return [_plain(v) for v in value]
    return str(value) if isinstance(value, date) else value


def _cannot(why: str) -> NumsError:
    return NumsError(
        Problem(
            f"the award could not be added to the history: {why}",
            field="history",
            suggestion="write the history as a list, one award a line ('- {level: ..., awarded: YYYY-MM-DD}')",
        )
    )
