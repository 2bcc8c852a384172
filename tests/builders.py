"""Build submissions in code for rule tests: a dict written as YAML beside
one real evidence file, so every claim is genuinely evidenced."""

from __future__ import annotations

import io
from datetime import date
from pathlib import Path
from typing import Any

import yaml
from pypdf import PdfWriter

from nums.standard import Edition
from nums.submission import Submission, load_submission
from tests.conftest import RULES_EDITION


def submission_data(
    met: list[str] | tuple[str, ...] = (),
    *,
    level: str = "bronze",
    kind: str = "initial",
    applied: date = date(2026, 3, 2),
    started: date | None = date(2024, 9, 16),
    history: list[dict[str, Any]] | None = None,
    mentors: int = 24,
    self_rating: dict[str, str | None] | None = None,
) -> dict[str, Any]:
    return {
        "standard": RULES_EDITION,
        "programme": {
            "name": "Test Peer Mentoring",
            "institution": "Test University",
            "coordinator": {"name": "T. Coordinator", "email": "t@example.ac.uk"},
            "purpose": "peer mentoring",
            "mentors": mentors,
            "started": started,
        },
        "application": {"date": applied, "level": level, "type": kind},
        "history": history or [],
        "self_rating": self_rating or {},
        "criteria": {
            item_id: {
                "met": True,
                "statement": f"We do {item_id}.",
                "evidence": [{"title": "Handbook", "file": "evidence/handbook.txt"}],
            }
            for item_id in met
        },
    }


class _PlainDumper(yaml.SafeDumper):
    """Writes shared values out in full: nums refuses anchors and aliases."""

    def ignore_aliases(self, data: Any) -> bool:
        return True


def dump_yaml(data: Any, sort_keys: bool = False) -> str:
    """YAML as a person would write it: no anchors or aliases."""
    return yaml.dump(data, Dumper=_PlainDumper, sort_keys=sort_keys, allow_unicode=True)


def write_submission(folder: Path, data: dict[str, Any]) -> Path:
    (folder / "evidence").mkdir(parents=True, exist_ok=True)
    (folder / "evidence" / "handbook.txt").write_text("Our mentoring handbook.\n", encoding="utf-8")
    path = folder / "submission.yaml"
    path.write_text(dump_yaml(data), encoding="utf-8")
    return path


def build(
    folder: Path, edition: Edition, met: list[str] | tuple[str, ...] = (), **options: Any
) -> Submission:
    return load_submission(write_submission(folder, submission_data(met, **options)), edition)


def items_for(
    edition: Edition, level: str, pillars: list[str] | None = None, per_level: str = "all"
) -> list[str]:
    """Every item (or just the best-fit minimum) of each level up to ``level``."""
    chosen: list[str] = []
    for pillar in edition.pillars:
        if pillars is not None and pillar.id not in pillars:
            continue
        for lvl in edition.levels[: edition.rank(level)]:
            items = [i.id for i in pillar.items_at(lvl)]
            count = len(items) if per_level == "all" else edition.rules.best_fit.needed(len(items))
            chosen += items[:count]
    return chosen


def pdf_with_attachments(attachments: dict[str, bytes]) -> bytes:
    """A one-page PDF holding ``attachments``: a stand-in for a pack, or for a PDF that is not one."""
    writer = PdfWriter()
    writer.add_blank_page(200, 200)
    for name, data in attachments.items():
        writer.add_attachment(name, data)
    buffer = io.BytesIO()
    writer.write(buffer)
    return buffer.getvalue()
