"""The programme page's form, both ways: a submission document to named fields,
and posted fields back to a document.

The posted form is laid over the document it was based on, so keys the form
does not show (a ``website``, notes someone added by hand, criterion ids the
edition does not know) survive a save. Validation is not done here: the
document goes through the same loader as ``nums validate``, and its problems
come back to the fields through ``field_key``.
"""

from __future__ import annotations

import copy
import re
from dataclasses import dataclass, field
from pathlib import PurePath
from typing import Any

from nums.errors import Problem
from nums.standard import Edition
from nums.yamlsource import MAX_DIGITS

CONTINUATION = "continuation"
_OPTIONAL_PROGRAMME_KEYS = ("institution", "started", "website")


@dataclass
class Upload:
    """A file chosen in the form for one criterion (or the continuation)."""

    target: str  # item id or "continuation"
    title: str
    filename: str
    stream: Any


@dataclass
class Posted:
    """What a form post asks for: the document, the action, and files to store."""

    document: dict[str, Any]
    action: str
    uploads: list[Upload] = field(default_factory=list)


def programmes_of(document: dict[str, Any]) -> list[dict[str, Any]]:
    """The programme(s) as a list, whichever key the file uses."""
    many = document.get("programmes")
    if isinstance(many, list):
        return [p if isinstance(p, dict) else {} for p in many] or [{}]
    one = document.get("programme")
    return [one if isinstance(one, dict) else {}]


def claim_of(document: dict[str, Any], target: str) -> dict[str, Any]:
    if target == CONTINUATION:
        value = document.get(CONTINUATION)
    else:
        criteria = document.get("criteria")
        value = criteria.get(target) if isinstance(criteria, dict) else None
    return value if isinstance(value, dict) else {}


def evidence_of(claim: dict[str, Any]) -> list[dict[str, Any]]:
    items = claim.get("evidence")
    return [e if isinstance(e, dict) else {"title": str(e)} for e in items] if isinstance(items, list) else []


def evidence_title(title: str, filename: str, stored: str, several: bool = False) -> str:
    """The title a stored file is cited under: the one typed, else the name the file was sent
    with, in words; one title given to several files is told apart by each one's name in words
    ("Celebration: photographs")."""
    words = PurePath(filename).stem.replace("-", " ").replace("_", " ") or stored.rsplit("/", 1)[-1]
    if title:
        return f"{title}: {words}" if several else title
    return words


def text(value: Any) -> str:
    """A value as the text an input shows."""
    if value is None:
        return ""
    if hasattr(value, "isoformat"):
        return value.isoformat()
    return str(value)


def document_from_form(edition: Edition, base: dict[str, Any] | None, form: Any) -> Posted:
    """Lay a posted form over ``base``; ``form`` is a multidict of fields and files."""
    document = copy.deepcopy(base) if isinstance(base, dict) else {}
    action = str(form.get("action") or "save")
    document.setdefault("standard", edition.id)
    _programmes(document, form, action)
    _application(document, form)
    _history(document, form, action)
    document["self_rating"] = {
        **(document.get("self_rating") if isinstance(document.get("self_rating"), dict) else {}),
        **{p: (str(form.get(f"self_rating.{p}") or "") or None) for p in edition.pillar_ids},
    }
    criteria = document.get("criteria") if isinstance(document.get("criteria"), dict) else {}
    uploads: list[Upload] = []
    for item in edition.items:
        criteria[item.id] = _claim(form, item.id, claim_of(document, item.id), action, uploads)
    document["criteria"] = criteria
    if form.get(f"c.{CONTINUATION}.present"):
        claim = _claim(form, CONTINUATION, claim_of(document, CONTINUATION), action, uploads)
        claim.pop("met", None)
        document[CONTINUATION] = claim
    return Posted(document, action, uploads)


def _programmes(document: dict[str, Any], form: Any, action: str) -> None:
    count = _count(form, "programmes-count", 1)
    old = programmes_of(document)
    programmes = [_programme(form, index, old[index] if index < len(old) else {}) for index in range(count)]
    if action.startswith("remove-programme:") and len(programmes) > 1:
        index = _index(action)
        if index is not None and 0 <= index < len(programmes):
            del programmes[index]
    if action == "add-programme":
        programmes.append({"name": "", "purpose": "", "mentors": None})
    if len(programmes) > 1 or form.get("combined"):
        document.pop("programme", None)
        document["programmes"] = programmes
    else:
        document.pop("programmes", None)
        document["programme"] = programmes[0]


def _programme(form: Any, index: int, old: dict[str, Any]) -> dict[str, Any]:
    prefix = f"p{index}."
    programme = dict(old)
    for key in ("name", "purpose"):
        programme[key] = _line(form, prefix + key)
    for key in _OPTIONAL_PROGRAMME_KEYS:
        value = _line(form, prefix + key)
        if value:
            programme[key] = value
        else:
            programme.pop(key, None)
    mentors = _line(form, prefix + "mentors")
    plain = mentors.isascii() and mentors.isdigit() and len(mentors) <= MAX_DIGITS  # as the YAML reader reads
    programme["mentors"] = int(mentors) if plain else (mentors or None)  # else the model says why
    name, email = _line(form, prefix + "coordinator.name"), _line(form, prefix + "coordinator.email")
    if name or email:
        coordinator = dict(old.get("coordinator") or {}) if isinstance(old.get("coordinator"), dict) else {}
        coordinator["name"] = name
        if email:
            coordinator["email"] = email
        else:
            coordinator.pop("email", None)
        programme["coordinator"] = coordinator
    else:
        programme.pop("coordinator", None)
    return programme


def _application(document: dict[str, Any], form: Any) -> None:
    old = document.get("application")
    application = dict(old) if isinstance(old, dict) else {}
    for key in ("date", "level", "type"):
        application[key] = _line(form, f"application.{key}") or None
    document["application"] = application


def _history(document: dict[str, Any], form: Any, action: str) -> None:
    old = document.get("history") if isinstance(document.get("history"), list) else []
    history = []
    for index in range(_count(form, "history-count", 0)):
        award = dict(old[index]) if index < len(old) and isinstance(old[index], dict) else {}
        award["level"] = _line(form, f"history.{index}.level") or None
        award["awarded"] = _line(form, f"history.{index}.awarded") or None
        history.append(award)
    if action.startswith("remove-award:"):
        index = _index(action)
        if index is not None and 0 <= index < len(history):
            del history[index]
    if action == "add-award":
        history.append({"level": None, "awarded": None})
    document["history"] = history


def _claim(form: Any, target: str, old: dict[str, Any], action: str, uploads: list[Upload]) -> dict[str, Any]:
    prefix = f"c.{target}."
    claim = dict(old)
    claim["met"] = bool(form.get(prefix + "met"))
    claim["statement"] = _paragraphs(form, prefix + "statement")
    old_evidence = evidence_of(old)
    evidence = []
    for index in range(_count(form, prefix + "ev-count", 0)):
        item = dict(old_evidence[index]) if index < len(old_evidence) else {}
        item["title"] = _line(form, f"{prefix}ev.{index}.title")
        kind = "file" if form.get(f"{prefix}ev.{index}.kind") == "file" else "url"
        item[kind] = _line(form, f"{prefix}ev.{index}.target")
        evidence.append(item)
    if action.startswith(f"remove-evidence:{target}:"):
        index = _index(action)
        if index is not None and 0 <= index < len(evidence):
            del evidence[index]
    new_title, new_url = _line(form, prefix + "new.title"), _line(form, prefix + "new.url")
    if new_url:
        evidence.append({"title": new_title or new_url, "url": new_url})
    upload = form.get(prefix + "upload")
    if upload is not None and not isinstance(upload, str) and upload.filename:
        uploads.append(Upload(target, new_title if not new_url else "", upload.filename, upload.file))
    claim["evidence"] = evidence
    return claim


def _line(form: Any, name: str) -> str:
    value = form.get(name)
    return value.strip() if isinstance(value, str) else ""


def _paragraphs(form: Any, name: str) -> str:
    value = form.get(name)
    return value.replace("\r\n", "\n").strip() if isinstance(value, str) else ""


def _count(form: Any, name: str, default: int) -> int:
    value = form.get(name)
    return min(int(value), 500) if isinstance(value, str) and value.isdigit() else default


def _index(action: str) -> int | None:
    last = action.rsplit(":", 1)[-1]
    return int(last) if last.isdigit() else None


_INDEXED = re.compile(r"\[(\d+)\]")


def field_key(problem: Problem) -> str:
    """The form field a problem belongs to (``programmes[1].name`` -> ``p1.name``)."""
    name = problem.field or ""
    name = _INDEXED.sub(r".\1", name)
    if name.startswith("programme."):
        name = "p0." + name.removeprefix("programme.")
    elif name.startswith("programmes."):
        name = "p" + name.removeprefix("programmes.")
    elif name.startswith("criteria."):
        name = "c." + name.removeprefix("criteria.")
    elif name.startswith(CONTINUATION):
        name = "c." + name
    return name.replace(".evidence.", ".ev.")


def errors_by_field(problems: tuple[Problem, ...], edition: Edition | None) -> dict[str, list[str]]:
    """Messages keyed by the nearest field the page shows: an evidence error sits on its
    criterion, a coordinator's name on the coordinator."""
    shown: dict[str, list[str]] = {}
    item_ids = {item.id for item in edition.items} if edition else set()
    for problem in problems:
        key = field_key(problem)
        message = problem.message + (f" ({problem.suggestion})" if problem.suggestion else "")
        if key.startswith("c."):
            rest = key[2:]
            target = next((i for i in item_ids if rest == i or rest.startswith(i + ".")), None)
            if rest.startswith(CONTINUATION):
                target = CONTINUATION
            if target is not None:
                key = f"c.{target}"
        shown.setdefault(key, []).append(message)
    return shown
