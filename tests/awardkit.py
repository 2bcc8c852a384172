"""Awards for the award tests: the scheme's keys, final reviews, and issuing through the CLI."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import yaml
from click.testing import CliRunner

from nums.cli import cli
from tests.builders import dump_yaml
from tests.conftest import EXAMPLES

PEER = EXAMPLES / "peer-mentoring"
COMBINED = EXAMPLES / "department-combined"


def run(*args: Any) -> tuple[int, str, str]:
    result = CliRunner().invoke(cli, [str(a) for a in args])
    return result.exit_code, result.stdout, result.stderr


def final_review(folder: Path, on: str | None = None) -> Path:
    """The peer example's review with its evidence requests answered: a final Silver award
    (valid 2026-03-20 to 2027-03-19, as `nums review` says). Dated ``on`` instead, it is another
    award: a move up starts on its review date."""
    data = yaml.safe_load((PEER / "review.yaml").read_text())
    for decision in data["decisions"].values():
        if decision and decision.get("decision") == "more-evidence":
            decision["decision"] = "accepted"
    if on is not None:
        data["date"] = on
    path = folder / ("final-review.yaml" if on is None else f"final-review-{on}.yaml")
    path.write_text(dump_yaml(data))
    return path


def refusing_review(folder: Path) -> Path:
    """Every criterion rejected: final, and no award."""
    data = yaml.safe_load((PEER / "review.yaml").read_text())
    for decision in data["decisions"].values():
        if decision:
            decision["decision"] = "rejected"
    path = folder / "refusing-review.yaml"
    path.write_text(dump_yaml(data))
    return path


def combined_review(folder: Path) -> Path:
    """The combined example's renewal, continuation accepted: a final Silver for three programmes."""
    data: dict[str, Any] = {"reviewer": {"name": "A. Assessor"}, "date": "2026-05-01", "decisions": {}}
    data["decisions"]["continuation"] = {"decision": "accepted", "comment": "All three ran in 2025-26."}
    path = folder / "combined-review.yaml"
    path.write_text(dump_yaml(data))
    return path


def keys(folder: Path) -> Path:
    code, _, err = run("keys", "init", folder)
    assert code == 0, err
    return folder


def withdraw(issuing: Path, number: str, key_dir: Path, *more: str) -> tuple[int, str, str]:
    return run("award", "withdraw", issuing, number, "--key", key_dir, *more)


def issue(submission: Path, review: Path, key_dir: Path, issuing: Path) -> Path:
    """Issue through the CLI; the award's own folder."""
    code, out, err = run("award", "issue", submission, review, "--key", key_dir, "-o", issuing)
    assert code == 0, err
    number = out.split("Issued certificate ", 1)[1].split(":", 1)[0]
    return issuing / "awards" / number
