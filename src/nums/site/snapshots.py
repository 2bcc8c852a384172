"""Snapshots: a submission frozen as it was submitted, and what changed between two of them.

"It is frozen as a snapshot: the submission, its assessment and the evidence files' SHA-256, as
the pack records them (the pack PDF is the snapshot's document). The assessor reviews the
snapshot, never a file that can still change." (issue 23)

A snapshot keeps the submission's text and each evidence file's bytes, by SHA-256, in the site
folder (``DIR/snapshots/evidence/SHA256``): from these the pack PDF is made (``pack_pdf``) and is the
same document whenever it is made, whatever the coordinator has changed since in the workspace.

"What changed since the last snapshot is shown to the assessor, criterion by criterion (statement
changed, evidence added or removed, with hashes), and the assessor's earlier decisions carry over
to what did not change": ``changes`` and ``carried_decisions``, pure functions over two snapshots'
items.
"""

from __future__ import annotations

import hashlib
import json
import os
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from nums.fingerprint import fingerprints
from nums.workspace import LoadedProgramme

SNAPSHOTS_FOLDER = "snapshots"
EVIDENCE_FOLDER = "evidence"
CONTINUATION = "continuation"


@dataclass(frozen=True)
class Frozen:
    """A snapshot's content before it is stored."""

    sha256: str  # the document's fingerprint, as a review records it
    source_sha256: str
    source: str
    items: dict[str, dict[str, Any]]
    assessment: dict[str, Any]
    files: dict[str, Path] = field(default_factory=dict)  # evidence sha256 -> file to keep


def freeze(loaded: LoadedProgramme) -> Frozen:
    """The snapshot of a programme that validates: its text, fingerprint, assessment, and each
    criterion's claim with its evidence and their SHA-256 as the pack's evidence index has them."""
    from nums.pack import evidence_rows
    from nums.render.assessment import assessment_json

    assert loaded.submission is not None and loaded.assessment is not None and loaded.text is not None
    submission = loaded.submission
    source = loaded.text.encode("utf-8")
    items: dict[str, dict[str, Any]] = {
        ident: {"met": claim.met, "statement": claim.statement, "evidence": []}
        for ident, claim in submission.claims.items()
    }
    if submission.continuation is not None:
        items[CONTINUATION] = {
            "met": submission.continuation.met,
            "statement": submission.continuation.statement,
            "evidence": [],
        }
    files: dict[str, Path] = {}
    for row in evidence_rows(loaded.assessment):
        entry = {"title": row.title, "kind": row.kind, "target": row.target, "sha256": row.sha256}
        items.setdefault(row.criterion, {"met": False, "statement": "", "evidence": []})["evidence"].append(
            entry
        )
        if row.sha256 and row.path is not None:
            files[row.sha256] = row.path
    return Frozen(
        sha256=fingerprints(submission.raw)[0],
        source_sha256=hashlib.sha256(source).hexdigest(),
        source=loaded.text,
        items=items,
        assessment=json.loads(json.dumps(assessment_json(loaded.assessment), default=str)),
        files=files,
    )


def keep_files(frozen: Frozen, site_folder: Path) -> None:
    """Copy each evidence file into the site folder by its SHA-256 (once: a file already kept is
    the same bytes), so the snapshot does not depend on the workspace."""
    from nums.writing import write_bytes_atomically

    store = site_folder / SNAPSHOTS_FOLDER / EVIDENCE_FOLDER
    store.mkdir(parents=True, exist_ok=True)
    for sha, path in frozen.files.items():
        target = store / sha
        if target.exists():
            continue
        data = path.read_bytes()
        if hashlib.sha256(data).hexdigest() != sha:  # changed since it was read: keep what was hashed only
            raise ValueError(f"{path} changed while the snapshot was taken")
        write_bytes_atomically(target, data)


def kept_file(site_folder: Path, sha256: str) -> Path | None:
    """An evidence file a snapshot keeps, by its hash; None for anything that is not one."""
    if len(sha256) != 64 or any(c not in "0123456789abcdef" for c in sha256):
        return None
    path = site_folder / SNAPSHOTS_FOLDER / EVIDENCE_FOLDER / sha256
    return path if path.is_file() and not os.path.islink(path) else None


# --- what changed ------------------------------------------------------------------------------


@dataclass(frozen=True)
class EvidenceEntry:
    title: str
    kind: str
    target: str
    sha256: str | None


@dataclass(frozen=True)
class CriterionChange:
    """One criterion between two snapshots. ``unchanged`` when nothing about it moved: the claim,
    the statement and every piece of evidence (by hash) are as they were."""

    criterion: str
    claimed_before: bool
    claimed_now: bool
    statement_changed: bool
    added: tuple[EvidenceEntry, ...]
    removed: tuple[EvidenceEntry, ...]

    @property
    def unchanged(self) -> bool:
        return (
            self.claimed_before == self.claimed_now
            and not self.statement_changed
            and not self.added
            and not self.removed
        )


def _entries(item: Mapping[str, Any] | None) -> list[EvidenceEntry]:
    if not item:
        return []
    return [
        EvidenceEntry(e["title"], e["kind"], e["target"], e.get("sha256")) for e in item.get("evidence", [])
    ]


def _key(entry: EvidenceEntry) -> tuple[str, str, str | None]:
    """Evidence is the same when it points at the same thing with the same bytes: a renamed title
    alone is not new evidence, a file whose bytes changed is."""
    return (entry.kind, entry.target, entry.sha256)


def changes(
    before: Mapping[str, Mapping[str, Any]], after: Mapping[str, Mapping[str, Any]]
) -> list[CriterionChange]:
    """Criterion by criterion, what changed from the ``before`` snapshot's items to ``after``'s, in
    the order the later snapshot lists them (then any the later one dropped)."""
    order = list(after) + [c for c in before if c not in after]
    found = []
    for criterion in order:
        old, new = before.get(criterion), after.get(criterion)
        old_entries, new_entries = _entries(old), _entries(new)
        old_keys, new_keys = {_key(e) for e in old_entries}, {_key(e) for e in new_entries}
        found.append(
            CriterionChange(
                criterion=criterion,
                claimed_before=bool(old and old.get("met")),
                claimed_now=bool(new and new.get("met")),
                statement_changed=(old or {}).get("statement", "") != (new or {}).get("statement", ""),
                added=tuple(e for e in new_entries if _key(e) not in old_keys),
                removed=tuple(e for e in old_entries if _key(e) not in new_keys),
            )
        )
    return found


def carried_decisions(
    decisions: Mapping[str, Mapping[str, Any]], found: list[CriterionChange]
) -> dict[str, dict[str, Any]]:
    """The assessor's earlier decisions that stand: every one but those on criteria that changed.
    A criterion that changed is left undecided, to be looked at again; a decision on something
    neither snapshot lists (nothing says it changed) stands."""
    changed = {c.criterion for c in found if not c.unchanged}
    return {
        criterion: dict(decision) for criterion, decision in decisions.items() if criterion not in changed
    }


def change_json(change: CriterionChange) -> dict[str, Any]:
    def entry(e: EvidenceEntry) -> dict[str, Any]:
        return {"title": e.title, "kind": e.kind, "target": e.target, "sha256": e.sha256}

    return {
        "criterion": change.criterion,
        "unchanged": change.unchanged,
        "claimed_before": change.claimed_before,
        "claimed_now": change.claimed_now,
        "statement_changed": change.statement_changed,
        "evidence_added": [entry(e) for e in change.added],
        "evidence_removed": [entry(e) for e in change.removed],
    }
