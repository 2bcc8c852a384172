"""Where editions of the standard live, and their ``edition.yaml``.

An edition is a folder holding ``edition.yaml``; the shipped ones sit in the
package's ``standards`` folder (the checkout's ``standards/`` in development).
``--standard`` and a submission's ``standard:`` name one by id or by folder.
"""

from __future__ import annotations

import re
from pathlib import Path

from nums.errors import NumsError, Problem, did_you_mean
from nums.models import Frozen, WholeNumber, read_document
from nums.yamlsource import YamlDocument

EDITION_FILE = "edition.yaml"


class EditionMeta(Frozen):
    """What an edition says about itself."""

    id: str
    title: str
    year: WholeNumber
    publisher: str | None = None
    copyright: str | None = None
    source: str | None = None
    website: str | None = None


class EditionFile(EditionMeta):
    """``edition.yaml``: the edition's facts and which files hold its parts."""

    pillars: tuple[str, ...]
    rules: str
    prices: str


def shipped_standards_root() -> Path:
    """The ``standards`` folder: inside the installed package, or the checkout's."""
    packaged = Path(__file__).resolve().parent / "standards"
    if packaged.is_dir():
        return packaged
    return Path(__file__).resolve().parents[2] / "standards"


def shipped_editions() -> dict[str, Path]:
    """Edition id (folder name) to folder, for every shipped edition."""
    root = shipped_standards_root()
    if not root.is_dir():
        return {}
    return {folder.name: folder for folder in sorted(root.iterdir()) if (folder / EDITION_FILE).is_file()}


def default_edition_folder() -> Path:
    """The newest shipped edition: the highest year, then the highest id."""
    editions = shipped_editions()
    if not editions:
        raise NumsError(
            Problem("no edition of the standard is installed", file=str(shipped_standards_root()))
        )
    return editions[max(editions, key=_edition_sort_key)]


def _edition_sort_key(name: str) -> tuple[int, str]:
    years = re.findall(r"\d{4}", name)
    return (int(years[-1]) if years else 0, name)


def edition_folder(name_or_path: str | Path | None) -> Path:
    """Resolve ``--standard`` or a submission's ``standard:``: a shipped id or a folder."""
    if name_or_path is None:
        return default_edition_folder()
    text = str(name_or_path)
    editions = shipped_editions()
    if text in editions:
        return editions[text]
    folder = Path(text)
    try:
        if (folder / EDITION_FILE).is_file():
            return folder
    except (OSError, ValueError):  # a name too long, or with a NUL: no such edition
        pass
    suggestion = did_you_mean(text, editions)
    if suggestion is None and editions:
        suggestion = "shipped editions: " + ", ".join(editions)
    raise NumsError(
        Problem(f"no edition of the standard at {text!r} (no {EDITION_FILE} there)", suggestion=suggestion)
    )


def installed_edition_folder(name: str | None) -> Path:
    """An edition installed with nums, chosen by its id, never a folder: what a pack (or a
    folder made from one) may name, so that no pack brings its own rules. None: the newest."""
    if name is None:
        return default_edition_folder()
    editions = shipped_editions()
    if name in editions:
        return editions[name]
    shown = repr(name if len(name) <= 80 else name[:77] + "...")
    raise NumsError(
        Problem(
            f"names the edition {shown}, which is not installed here; nums reads a pack only by an "
            "edition installed with it, chosen by id, never by rules from elsewhere",
            suggestion="installed editions: " + (", ".join(editions) or "none"),
        )
    )


def read_edition_file(root: Path) -> tuple[YamlDocument, EditionFile]:
    problems: list[Problem] = []
    doc, meta = read_document(root / EDITION_FILE, EditionFile, problems)
    if doc is None or meta is None:
        raise NumsError(problems)
    return doc, meta
