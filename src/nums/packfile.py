"""Reading a pack back: the ``submission.json`` that ``nums pack`` embeds, and the
evidence files embedded with ``--attach-evidence``.

This is how ``nums review`` accepts a pack PDF in place of a submission file, and how
``nums serve`` receives one: the pack alone carries the whole submission. A PDF is
untrusted input like any other, and a pack never decides its own review, rules or
identity. From a pack nums takes exactly three things, and ``unpack`` is the one
function that decides which:

- the submission nums wrote: the one embedded file named ``submission.json`` (nums
  embeds evidence only under names of its own, ``evidence-001-...``, so no evidence
  file can take that name; a PDF holding two files of that name is refused);
- that submission's recorded assessment, for display only (``recorded_levels``), and
  only when it has the shape nums writes;
- the evidence files the submission cites, each found by the embedded name the
  submission's evidence index records and checked against the SHA-256 it records,
  and written where the submission cites it, never over a file nums keeps itself.

Nothing else in the PDF is decompressed or written: a ``review.yaml``, files under
``.nums/``, anything the submission does not cite is ignored, and a warning names
it. The edition is never a folder from the pack: ``edition_name`` gives the id the
pack names, and the caller loads that id from the editions installed with nums.

Reading is bounded: the PDF's own size, the number of embedded files, each file's
size *after* decompression and the total of everything decompressed (a few kilobytes
inflate to gigabytes, once per name when many names share one stream, so a stream
shared by several names is refused), and the embedded JSON is read with the same
limits as YAML (no number Python cannot print, no NaN or Infinity, no duplicate
keys). Anything else, a truncated file, a PDF that is not a pack, a damaged
``submission.json``, is one clear message, with pypdf's own warnings kept quiet.

Packs written before nums chose its own embedded names (evidence embedded under its
path in the submission's folder) still read: their submission is told apart by its
unique name, and each cited file is looked up by the path it is cited by.
"""

from __future__ import annotations

import contextlib
import hashlib
import json
import math
import os
import posixpath
import re
import stat
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field
from pathlib import Path, PurePosixPath, PureWindowsPath
from typing import TYPE_CHECKING, Any

from nums.errors import NumsError, Problem

if TYPE_CHECKING:
    from nums.standard import Edition

from nums.escaping import json_text

SUBMISSION_JSON = "submission.json"
"""The embedded submission's name: the one name nums gives only to the submission."""
EVIDENCE_PREFIX = "evidence-"
"""Every evidence file nums embeds is named ``evidence-NNN-name.ext`` (never ``submission.json``)."""
MAX_PDF_BYTES = 512 * 1024 * 1024
"""The largest pack read: evidence attached makes packs large, but not this large."""
MAX_EMBEDDED_BYTES = 64 * 1024 * 1024
"""The largest embedded file, once decompressed."""
MAX_SUBMISSION_BYTES = 5 * 1024 * 1024
"""The embedded submission is read like a submission file: at most 5 MiB."""
MAX_EMBEDDED_FILES = 2000
"""Embedded files (and name-tree nodes) a pack may hold: a pack lists at most 400 citations."""
MAX_ATTACHED_BYTES = MAX_PDF_BYTES - 32 * 1024 * 1024
"""All evidence a pack attaches, leaving room for its pages: a pack nums writes, nums reads."""
MAX_UNPACKED_BYTES = MAX_SUBMISSION_BYTES + MAX_ATTACHED_BYTES
"""Everything decompressed from one pack, all files together: what a pack nums writes can hold."""
NAME_CHARACTERS = 40
"""How much of an evidence file's own name its embedded name keeps (the description keeps it all)."""
NAME_MAX_BYTES = 255
"""The longest file name (one part of a path) file systems take."""
SHOWN_NAMES = 5
"""Names listed in one warning about ignored files; the rest are counted."""

RECEIVED_MARKER = Path(".nums") / "received-pack"
"""Present in a programme folder made from a received pack (its submission is read-only)."""
RECEIVED_EDITION = Path(".nums") / "received-edition"
"""The installed edition's id chosen when the pack was received: a received folder is read by it."""
OWN_FILES = frozenset({"submission.yaml", "review.yaml", "pack.pdf", ".nums"})
"""What nums keeps at the top of a programme folder: evidence is never unpacked over them."""


def is_pdf(path: str | Path) -> bool:
    """True when the file starts like a PDF, whatever its name."""
    try:
        if not stat.S_ISREG(os.stat(path).st_mode):
            return False
        with open(path, "rb") as handle:
            return handle.read(5) == b"%PDF-"
    except OSError:
        return False


# --- the names nums embeds --------------------------------------------------------------


def evidence_attachment_name(number: int, cited: str) -> str:
    """The embedded name of the ``number``-th evidence file: short, plain ASCII, safe on any
    file system and never one nums uses for anything else; it keeps a readable part of the
    file's own name (``evidence-003-mentor-training.md``). The whole name is in the description."""
    base = cited.rsplit("/", 1)[-1]
    stem, dot, extension = base.rpartition(".")
    if not dot or not stem.strip("."):
        stem, extension = base, ""
    extension = _ascii(extension)[:10]
    slug = _ascii(stem)[:NAME_CHARACTERS].strip("-.") or "file"
    return f"{EVIDENCE_PREFIX}{number:03d}-{slug}" + (f".{extension}" if extension else "")


def _ascii(text: str) -> str:
    """Letters, digits, ``-``, ``_`` and ``.`` kept; every other run becomes one ``-``."""
    return re.sub(r"[^A-Za-z0-9_.-]+", "-", text).strip("-")


# --- what reading a pack gives ----------------------------------------------------------


@dataclass(frozen=True)
class Unpacked:
    """A pack unpacked into a folder: its submission file, the whole embedded document (for the
    recorded assessment), the evidence written, and warnings about what was not taken."""

    submission: Path
    document: dict[str, Any]
    evidence: tuple[str, ...] = ()
    warnings: tuple[Problem, ...] = field(default=())

    @property
    def edition(self) -> str | None:
        """The edition id the pack names (``edition_name``), to load from those installed."""
        return edition_name(self.document)


@dataclass(frozen=True)
class _Entry:
    """One embedded file: its name in the PDF and its (still compressed) stream."""

    name: str
    stream: Any


class _Budget:
    """The bytes still allowed out of one pack, all embedded files together."""

    def __init__(self, total: int) -> None:
        self.left = total

    def spend(self, used: int) -> None:
        self.left -= used


def read_pack(path: str | Path) -> dict[str, Any]:
    """The embedded ``submission.json`` as data (its ``submission`` checked to be a mapping)."""
    with _opened(path) as entries:
        return _document(path, entries, _Budget(MAX_UNPACKED_BYTES))


def pack_attachments(path: str | Path) -> dict[str, bytes]:
    """Every embedded file of a pack, by name, within the size limits: for looking inside a
    pack (tests, tools). Reviewing never uses it: ``unpack`` reads only what the rule allows."""
    budget = _Budget(MAX_UNPACKED_BYTES)
    with _opened(path) as entries:
        return {entry.name: _inflate(entry, _limit_for(entry.name), budget, str(path)) for entry in entries}


def unpack(path: str | Path, folder: Path) -> Unpacked:
    """Write the pack's submission (as JSON, which is YAML) and the evidence it cites into
    ``folder``, a new empty folder; nothing else in the pack is read."""
    shown = str(path)
    budget = _Budget(MAX_UNPACKED_BYTES)
    with _opened(path) as entries:
        document = _document(path, entries, budget)
        by_name = {entry.name: entry for entry in entries if entry.name != SUBMISSION_JSON}
        chosen, found, warnings = _chosen_evidence(document, by_name, shown)
        written: list[str] = []
        last: tuple[str, bytes] | None = None  # a file cited by two spellings is inflated once
        for place, (entry, sha256) in sorted(chosen.items(), key=lambda item: item[1][0].name):
            if last is None or last[0] != entry.name:
                last = (entry.name, _inflate(entry, MAX_EMBEDDED_BYTES, budget, shown))
            else:
                _spend_again(budget, len(last[1]), shown)
            problem = _unpack_one(folder, place, last[1], sha256, shown)
            if problem is None:
                written.append(place)
            else:
                warnings.append(problem)
    ignored = [name for name in by_name if name not in found]
    if ignored:
        warnings.append(_ignored(ignored, shown))
    target = folder / "submission.yaml"
    try:
        # JSON is YAML, but YAML reads a raw NEL or U+2028 in quotes as a line break: json_text
        # escapes them (a lone surrogate is left to fail the encoding, and is refused in words)
        text = json_text(document["submission"], escape_surrogates=False).encode("utf-8")
    except UnicodeEncodeError:
        raise NumsError(
            Problem(f"the embedded {SUBMISSION_JSON} holds text that is not valid Unicode", file=shown)
        ) from None
    _write_new(target, text, shown)
    return Unpacked(target, document, tuple(written), tuple(warnings))


# --- opening the PDF and walking its embedded files ---------------------------------------


@contextlib.contextmanager
def _opened(path: str | Path) -> Iterator[list[_Entry]]:
    """The pack's embedded files (nothing decompressed yet); every failure of the PDF is one message."""
    name = str(path)
    try:
        size = os.stat(path).st_size
    except OSError as exc:
        raise NumsError(Problem(f"cannot be read: {exc.strerror or exc}", file=name)) from None
    if size > MAX_PDF_BYTES:
        raise NumsError(
            Problem(
                f"is {size // 1024 // 1024} MiB; nums reads packs of at most {_mib(MAX_PDF_BYTES)}", file=name
            )
        )
    with _quiet_pypdf():
        with _damaged(name):
            entries = _entries(path, name)
        yield entries


@contextlib.contextmanager
def _damaged(pack: str) -> Iterator[None]:
    """Around pypdf's work: pypdf raises many kinds of error on damaged files (and zlib on a
    damaged stream); all mean the same here. Only its work: nums' own stays visible to tests."""
    try:
        yield
    except NumsError:
        raise
    except Exception:
        raise NumsError(
            Problem(
                "cannot be read as a PDF: it is damaged, truncated or not a PDF",
                file=pack,
                suggestion="write the pack again with `nums pack`, or give the submission.yaml",
            )
        ) from None


def _entries(path: str | Path, name: str) -> list[_Entry]:
    """Each embedded file with a stream; refused when one stream is shared by several names
    (nums never writes that, and it would be inflated once per name)."""
    from pypdf import PdfReader

    reader = PdfReader(str(path))
    root = reader.trailer["/Root"].get_object()
    names = root.get("/Names")
    tree = names.get_object().get("/EmbeddedFiles") if names is not None else None
    if tree is None:
        return []
    entries: list[_Entry] = []
    owners: dict[Any, str] = {}
    for count, (label, spec) in enumerate(_name_tree(tree.get_object()), start=1):
        if count > MAX_EMBEDDED_FILES:
            raise NumsError(
                Problem(f"embeds more than {MAX_EMBEDDED_FILES} files; not a nums pack", file=name)
            )
        files = spec.get_object().get("/EF")
        reference = (
            files.get_object().raw_get("/F") if files is not None and "/F" in files.get_object() else None
        )
        if reference is None:
            continue
        identity = (reference.idnum, reference.generation) if hasattr(reference, "idnum") else id(reference)
        if identity in owners:
            raise NumsError(
                Problem(
                    f"the embedded files {_shown(owners[identity])} and {_shown(label)} are one stored file "
                    "under two names; nums never writes a pack like that, so it is not read",
                    file=name,
                    suggestion="ask for the pack again, written by `nums pack`",
                )
            )
        owners[identity] = label
        entries.append(_Entry(label, reference.get_object()))
    return entries


def _name_tree(node: Any) -> Iterator[tuple[str, Any]]:
    """(name, file spec) pairs of a PDF name tree, walked without recursion."""
    pending, seen = [node], 0
    while pending:
        current = pending.pop()
        seen += 1
        if seen > MAX_EMBEDDED_FILES:
            return
        pairs = current.get("/Names")
        if pairs is not None:
            pairs = pairs.get_object()
            for index in range(0, len(pairs) - 1, 2):
                yield _text(pairs[index].get_object()), pairs[index + 1]
        kids = current.get("/Kids")
        if kids is not None:
            pending.extend(kid.get_object() for kid in kids.get_object())


def _text(name: Any) -> str:
    """A name-tree key as text: WeasyPrint writes the UTF-8 bytes, which pypdf reads as PDFDocEncoding."""
    raw = name.get_original_bytes() if hasattr(name, "get_original_bytes") else None
    if isinstance(raw, bytes):
        with contextlib.suppress(UnicodeDecodeError):
            return raw.decode("utf-8")
    return str(name)


def _limit_for(name: str) -> int:
    return MAX_SUBMISSION_BYTES if name == SUBMISSION_JSON else MAX_EMBEDDED_BYTES


def _inflate(entry: _Entry, limit: int, budget: _Budget, pack: str) -> bytes:
    """An embedded file's bytes, decompressed no further than its own limit or what is left of
    the pack's whole budget."""
    import zlib

    cap = min(limit, budget.left) + 1  # one byte more than allowed tells "too large" from "just fits"
    with _damaged(pack):
        stream = entry.stream
        raw: bytes = stream._data  # the stored, still-compressed bytes
        filters = stream.get("/Filter")
        filters = (
            [str(f) for f in filters] if isinstance(filters, list) else [str(filters)] if filters else []
        )
        data = zlib.decompressobj().decompress(raw, cap) if filters == ["/FlateDecode"] else raw[:cap]
    if filters and filters != ["/FlateDecode"]:
        raise NumsError(
            Problem(
                f"the embedded file {_shown(entry.name)} uses a compression nums packs never use", file=pack
            )
        )
    if len(data) > limit:
        raise NumsError(
            Problem(
                f"the embedded file {_shown(entry.name)} is larger than {_mib(limit)}; nums does not unpack it",
                file=pack,
            )
        )
    if len(data) > budget.left:
        raise NumsError(_over_budget(pack))
    budget.spend(len(data))
    return data


def _spend_again(budget: _Budget, size: int, pack: str) -> None:
    """One file written at a second place counts again: the budget bounds what is written too."""
    if size > budget.left:
        raise NumsError(_over_budget(pack))
    budget.spend(size)


def _over_budget(pack: str) -> Problem:
    return Problem(
        f"its embedded files come to more than {_mib(MAX_UNPACKED_BYTES)} once decompressed; nums does not unpack it",
        file=pack,
    )


def _mib(size: int) -> str:
    return f"{size // 1024 // 1024} MiB"


def _shown(name: str) -> str:
    """An embedded name as a message quotes it: in quotes, and cut short when long."""
    return repr(name if len(name) <= 80 else name[:77] + "...")


@contextlib.contextmanager
def _quiet_pypdf() -> Iterator[None]:
    """pypdf logs and warns about damaged files; our one message says it for people.
    (Imported here: commands that only ask "is this a PDF?" need neither module.)"""
    import logging
    import warnings

    logger = logging.getLogger("pypdf")
    level = logger.level
    logger.setLevel(logging.CRITICAL + 1)
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            yield
    finally:
        logger.setLevel(level)


# --- the submission nums wrote ---------------------------------------------------------


def _document(path: str | Path, entries: Sequence[_Entry], budget: _Budget) -> dict[str, Any]:
    """The one embedded ``submission.json``, parsed with the YAML reader's limits."""
    found = [entry for entry in entries if entry.name == SUBMISSION_JSON]
    if not found:
        raise NumsError(
            Problem(
                f"this PDF has no embedded {SUBMISSION_JSON}, so it is not a nums pack",
                file=str(path),
                suggestion="use a pack written by `nums pack`, or the submission.yaml itself",
            )
        )
    if len(found) > 1:
        raise NumsError(
            Problem(
                f"this PDF embeds {len(found)} files named {SUBMISSION_JSON}, so nums cannot tell which "
                "is the submission it wrote",
                file=str(path),
                suggestion="ask for the pack again, written by this version of `nums pack`, or for the submission.yaml",
            )
        )
    data = parse_json(_inflate(found[0], MAX_SUBMISSION_BYTES, budget, str(path)), str(path))
    if not isinstance(data, dict) or not isinstance(data.get("submission"), dict):
        raise NumsError(Problem(f"the embedded {SUBMISSION_JSON} is not a nums pack", file=str(path)))
    return data


class _Unreadable(ValueError):
    """A JSON value nums does not read (the message says which)."""


def parse_json(data: bytes, pack: str) -> Any:
    """The embedded ``submission.json`` read with the limits the YAML reader keeps: no number
    Python could not print again, no NaN or Infinity, no key twice; nesting is bounded when
    the submission is read back as YAML (and here, by Python's own recursion limit)."""
    where = f"the embedded {SUBMISSION_JSON}"
    try:
        return json.loads(
            data.decode("utf-8"),
            parse_int=_whole_number,
            parse_float=_number,
            parse_constant=_constant,
            object_pairs_hook=_mapping,
        )
    except _Unreadable as exc:
        raise NumsError(Problem(f"{where} holds {exc}", file=pack)) from None
    except json.JSONDecodeError as exc:
        raise NumsError(
            Problem(
                f"{where} is not valid JSON (line {exc.lineno}, column {exc.colno}: {exc.msg.lower()})",
                file=pack,
            )
        ) from None
    except RecursionError:
        from nums.yamlsource import MAX_DEPTH

        raise NumsError(
            Problem(
                f"{where} is nested more than {MAX_DEPTH} levels deep; a submission needs only a few",
                file=pack,
            )
        ) from None
    except (UnicodeDecodeError, ValueError):
        raise NumsError(Problem(f"{where} is not valid JSON text", file=pack)) from None


def _whole_number(text: str) -> int:
    try:
        return int(text)
    except ValueError:  # more digits than Python converts (and could print again)
        raise _Unreadable(
            f"a number of {len(text):,} digits, which cannot be read as a whole number"
        ) from None


def _number(text: str) -> float:
    value = float(text)
    if not math.isfinite(value):
        shown = text if len(text) <= 40 else f"of {len(text):,} characters"
        raise _Unreadable(f"the number {shown}, which is too large to be read")
    return value


def _constant(text: str) -> Any:
    raise _Unreadable(f"{text}, which is not a number a submission can hold")


def _mapping(pairs: list[tuple[str, Any]]) -> dict[str, Any]:
    result: dict[str, Any] = {}
    for key, value in pairs:
        if key in result:
            raise _Unreadable(f"the key {_shown(key)} twice in one mapping")
        result[key] = value
    return result


def edition_name(document: dict[str, Any]) -> str | None:
    """The id of the edition a pack is read by: its submission's ``standard:`` when that is an id;
    when it names a folder (which is never followed from a pack), the id of the edition the pack
    records it was assessed by; without ``standard:``, that recorded id (None: the newest)."""
    declared = document["submission"].get("standard")
    recorded = document.get("edition")
    recorded = recorded if isinstance(recorded, str) and recorded else None
    if declared is None:
        return recorded
    declared = str(declared)
    if _names_a_folder(declared) and recorded is not None:
        return recorded
    return declared


def _names_a_folder(text: str) -> bool:
    return any(mark in text for mark in "/\\") or text.startswith((".", "~"))


def recorded_levels(
    document: dict[str, Any], edition: Edition, pack: str
) -> tuple[dict[str, str | None] | None, list[Problem]]:
    """The evidence level of each pillar as the pack records them (for display only); None, and
    a warning when the record is there but not of the shape nums writes."""
    assessment = document.get("assessment")
    if assessment is None:
        return None, []
    pillars = assessment.get("pillars") if isinstance(assessment, dict) else None
    levels: dict[str, str | None] = {}
    for pillar_id in edition.pillar_ids:
        entry = pillars.get(pillar_id) if isinstance(pillars, dict) else None
        level = entry.get("level", _MISSING) if isinstance(entry, dict) else _MISSING
        if level is not None and level not in edition.levels:
            return None, [
                Problem(
                    "the assessment recorded in the pack is not of the form nums writes, so it is not shown; "
                    "the evidence levels are worked out again from the submission",
                    file=pack,
                )
            ]
        levels[pillar_id] = level
    return levels, []


_MISSING = object()


# --- the evidence the submission cites -------------------------------------------------


def cited_files(submission: dict[str, Any]) -> list[str]:
    """Every ``file:`` the submission cites as evidence (claims, then continuation), as written."""
    lists: list[Any] = []
    criteria = submission.get("criteria")
    if isinstance(criteria, dict):
        lists += [claim.get("evidence") for claim in criteria.values() if isinstance(claim, dict)]
    continuation = submission.get("continuation")
    if isinstance(continuation, dict):
        lists.append(continuation.get("evidence"))
    return [
        item["file"]
        for evidence in lists
        if isinstance(evidence, list)
        for item in evidence
        if isinstance(item, dict) and isinstance(item.get("file"), str)
    ]


def _chosen_evidence(
    document: dict[str, Any], by_name: dict[str, _Entry], pack: str
) -> tuple[dict[str, tuple[_Entry, str]], set[str], list[Problem]]:
    """Where each cited, attached evidence file goes in the folder, its embedded file and the
    SHA-256 it must have; the embedded names the citations found (taken or refused), and a
    warning for each one not unpacked, saying why."""
    from nums.limits import MAX_EVIDENCE_CITATIONS

    cited = cited_files(document["submission"])
    if len(cited) > MAX_EVIDENCE_CITATIONS:  # the submission is refused for it when read
        return {}, set(), []
    index = _evidence_index(document.get("evidence"))
    new_layout = any(row.get("attachment") is not None for row in _rows(document.get("evidence")))
    chosen: dict[str, tuple[_Entry, str]] = {}
    found: set[str] = set()
    places: set[str] = set()
    warnings: list[Problem] = []
    for written in dict.fromkeys(cited):
        place = _place(written)
        if place is None or place in places:
            continue  # outside the folder (never attached), or cited already under another spelling
        places.add(place)
        recorded = index.get(place)
        attachment = (recorded[1] if recorded is not None else None) if new_layout else place
        entry = by_name.get(attachment) if isinstance(attachment, str) else None
        if entry is None:
            continue  # not attached (a pack made without --attach-evidence)
        found.add(entry.name)
        refusal = _refusal(place) or (None if recorded is not None else "the pack records no SHA-256 for it")
        if refusal is not None or recorded is None:
            warnings.append(_not_unpacked(written, refusal or "", pack))
        else:
            chosen[place] = (entry, recorded[0])
    return chosen, found, warnings


def _rows(rows: Any) -> list[dict[str, Any]]:
    return [row for row in rows if isinstance(row, dict)] if isinstance(rows, list) else []


def _evidence_index(rows: Any) -> dict[str, tuple[str, Any]]:
    """Each evidence file the pack's index lists: its place, its SHA-256 and its embedded name."""
    index: dict[str, tuple[str, Any]] = {}
    for row in _rows(rows):
        written, sha256 = row.get("file"), row.get("sha256")
        if isinstance(written, str) and isinstance(sha256, str) and re.fullmatch(r"[0-9a-f]{64}", sha256):
            place = _place(written)
            if place is not None:
                index.setdefault(place, (sha256, row.get("attachment")))
    return index


def _place(written: str) -> str | None:
    """A cited file's place in the folder, as the submission's evidence check finds it
    (``evidence/../a.md`` is ``a.md``); None for a place outside the folder."""
    if (
        not written
        or "\0" in written
        or PurePosixPath(written).is_absolute()
        or PureWindowsPath(written).is_absolute()
    ):
        return None
    place = posixpath.normpath(written)
    if place == "." or place == ".." or place.startswith("../"):
        return None
    return place


def unpack_refusal(written: str) -> str | None:
    """Why evidence cited as ``written`` could not be unpacked from a pack, or None: ``nums pack``
    refuses to attach such a file, so every pack nums writes reads back whole."""
    place = _place(written)
    return "it is cited by a path that leaves the submission's folder" if place is None else _refusal(place)


def _refusal(place: str) -> str | None:
    """Why a cited file is not unpacked at its place, or None: nums keeps its own files at the
    top of the folder, anything under ``.nums/`` and any ``submission.yaml`` (a folder holding
    one would become a programme of its own)."""
    parts = [part.casefold() for part in place.split("/")]
    if parts[0] in OWN_FILES or ".nums" in parts or parts[-1] == "submission.yaml":
        return "nums keeps its own files under that name"
    if any(len(part.encode("utf-8", "surrogatepass")) > NAME_MAX_BYTES for part in parts):
        return f"its name is longer than the {NAME_MAX_BYTES} bytes file systems take"
    return None


def _not_unpacked(written: str, why: str, pack: str) -> Problem:
    return Problem(f"the evidence file {_shown(written)} is not unpacked: {why}", file=pack)


def _ignored(names: Sequence[str], pack: str) -> Problem:
    listed = ", ".join(_shown(name) for name in names[:SHOWN_NAMES])
    more = f" and {len(names) - SHOWN_NAMES} more" if len(names) > SHOWN_NAMES else ""
    files = "file" if len(names) == 1 else "files"
    return Problem(
        f"ignored {len(names)} embedded {files} the submission does not cite: {listed}{more}",
        file=pack,
        suggestion="nums reads only the submission it wrote and the evidence that submission cites",
    )


def _unpack_one(folder: Path, place: str, data: bytes, sha256: str, pack: str) -> Problem | None:
    if hashlib.sha256(data).hexdigest() != sha256:
        return _not_unpacked(place, "its bytes do not match the SHA-256 the pack records", pack)
    target = folder.joinpath(*place.split("/"))
    try:
        target.parent.mkdir(parents=True, exist_ok=True)
        _write_new(target, data, pack)
    except (OSError, NumsError):
        return _not_unpacked(place, "it cannot be written beside the pack's other files", pack)
    return None


def _write_new(target: Path, data: bytes, pack: str) -> None:
    """A new file in the fresh folder being unpacked into (so no temporary name beside it,
    which a long name could not take), never following a link."""
    from nums.writing import create_new_file

    try:
        create_new_file(target, data)
    except OSError as exc:
        raise NumsError(Problem(f"cannot be unpacked: {exc.strerror}", file=pack)) from None


# --- folders made from received packs --------------------------------------------------


def is_received(folder: Path) -> bool:
    """A programme made from a received pack: its submission is read-only, its edition chosen by id."""
    return (folder / RECEIVED_MARKER).is_file()


def received_edition(folder: Path) -> str | None:
    """The installed edition's id chosen when the pack in ``folder`` was received, if recorded."""
    try:
        text = (folder / RECEIVED_EDITION).read_text(encoding="utf-8").strip()
    except (OSError, UnicodeDecodeError):
        return None
    return text or None
