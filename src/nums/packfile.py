"""Reading a pack back: the ``submission.json`` that ``nums pack`` embeds,
and the evidence files embedded with ``--attach-evidence``.

This is how ``nums review`` accepts a pack PDF in place of a submission file:
the pack alone carries the whole submission. A PDF is untrusted input like
any other, so reading one is bounded: the PDF's own size, each embedded
file's size *after* decompression (a few kilobytes can inflate to gigabytes),
their number, and their names, which must stay inside the folder they are
unpacked into. Anything else, a truncated file, a PDF that is not a pack, a
damaged ``submission.json``, is one clear message, with pypdf's own
warnings kept quiet.
"""

from __future__ import annotations

import contextlib
import json
import os
import stat
from collections.abc import Iterator
from pathlib import Path, PurePosixPath
from typing import Any

from nums.errors import NumsError, Problem
from nums.escaping import json_text
from nums.writing import write_bytes_atomically

SUBMISSION_JSON = "submission.json"
MAX_PDF_BYTES = 512 * 1024 * 1024
"""The largest pack read: evidence attached makes packs large, but not this large."""
MAX_EMBEDDED_BYTES = 64 * 1024 * 1024
"""The largest embedded file, once decompressed."""
MAX_SUBMISSION_BYTES = 5 * 1024 * 1024
"""The embedded submission is read like a submission file: at most 5 MiB."""
MAX_EMBEDDED_FILES = 2000
MAX_ATTACHED_BYTES = MAX_PDF_BYTES - 32 * 1024 * 1024
"""All evidence a pack attaches, leaving room for its pages: a pack nums writes, nums reads."""


def is_pdf(path: str | Path) -> bool:
    """True when the file starts like a PDF, whatever its name."""
    try:
        if not stat.S_ISREG(os.stat(path).st_mode):
            return False
        with open(path, "rb") as handle:
            return handle.read(5) == b"%PDF-"
    except OSError:
        return False


def pack_attachments(path: str | Path) -> dict[str, bytes]:
    """Every embedded file of a pack, by name, each within the size limits."""
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
        try:
            return dict(_attachments(path, name))
        except NumsError:
            raise
        except Exception:  # pypdf raises many kinds of error on damaged files; all mean the same here
            raise NumsError(
                Problem(
                    "cannot be read as a PDF: it is damaged, truncated or not a PDF",
                    file=name,
                    suggestion="write the pack again with `nums pack`, or give the submission.yaml",
                )
            ) from None


def _attachments(path: str | Path, name: str) -> Iterator[tuple[str, bytes]]:
    from pypdf import PdfReader

    reader = PdfReader(str(path))
    root = reader.trailer["/Root"].get_object()
    names = root.get("/Names")
    tree = names.get_object().get("/EmbeddedFiles") if names is not None else None
    if tree is None:
        return
    for count, (label, spec) in enumerate(_name_tree(tree.get_object()), start=1):
        if count > MAX_EMBEDDED_FILES:
            raise NumsError(
                Problem(f"embeds more than {MAX_EMBEDDED_FILES} files; not a nums pack", file=name)
            )
        files = spec.get_object().get("/EF")
        stream = files.get_object().get("/F") if files is not None else None
        if stream is not None:
            limit = MAX_SUBMISSION_BYTES if label == SUBMISSION_JSON else MAX_EMBEDDED_BYTES
            yield label, _bounded_data(stream.get_object(), limit, label, name)


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
                yield str(pairs[index].get_object()), pairs[index + 1]
        kids = current.get("/Kids")
        if kids is not None:
            pending.extend(kid.get_object() for kid in kids.get_object())


def _bounded_data(stream: Any, limit: int, label: str, name: str) -> bytes:
    """An embedded file's bytes, decompressed no further than ``limit``."""
    import zlib

    raw: bytes = stream._data  # the stored, still-compressed bytes
    filters = stream.get("/Filter")
    filters = [str(f) for f in filters] if isinstance(filters, list) else [str(filters)] if filters else []
    if filters == ["/FlateDecode"]:
        inflater = zlib.decompressobj()
        data = inflater.decompress(raw, limit + 1)
    elif not filters:
        data = raw
    else:
        raise NumsError(
            Problem(f"the embedded file {label!r} uses a compression nums packs never use", file=name)
        )
    if len(data) > limit:
        raise NumsError(
            Problem(
                f"the embedded file {label!r} is larger than {_mib(limit)}; nums does not unpack it",
                file=name,
            )
        )
    return data


def _mib(size: int) -> str:
    return f"{size // 1024 // 1024} MiB"


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


def read_pack(path: str | Path) -> dict[str, Any]:
    """The embedded ``submission.json`` as data."""
    return _submission(path, pack_attachments(path))


def _submission(path: str | Path, attachments: dict[str, bytes]) -> dict[str, Any]:
    if SUBMISSION_JSON not in attachments:
        raise NumsError(
            Problem(
                f"this PDF has no embedded {SUBMISSION_JSON}, so it is not a nums pack",
                file=str(path),
                suggestion="use a pack written by `nums pack`, or the submission.yaml itself",
            )
        )
    try:
        data = json.loads(attachments[SUBMISSION_JSON].decode("utf-8"))
    except json.JSONDecodeError as exc:
        raise NumsError(
            Problem(
                f"the embedded {SUBMISSION_JSON} is not valid JSON (line {exc.lineno}, column {exc.colno}: "
                f"{exc.msg.lower()})",
                file=str(path),
            )
        ) from None
    except (UnicodeDecodeError, RecursionError):
        raise NumsError(
            Problem(f"the embedded {SUBMISSION_JSON} is not valid JSON text", file=str(path))
        ) from None
    if not isinstance(data, dict) or not isinstance(data.get("submission"), dict):
        raise NumsError(Problem(f"the embedded {SUBMISSION_JSON} is not a nums pack", file=str(path)))
    return data


def unpack(path: str | Path, folder: Path) -> Path:
    """Write the pack's submission (as JSON, which is YAML) and its embedded evidence
    into ``folder``; return the submission file's path. Names that would leave the
    folder are refused, whatever the PDF says."""
    attachments = pack_attachments(path)
    data = _submission(path, attachments)
    targets = {name: _inside(folder, name, str(path)) for name in attachments if name != SUBMISSION_JSON}
    try:
        for name, target in targets.items():
            write_bytes_atomically(target, attachments[name])
        target = folder / "submission.yaml"
        # JSON is YAML, but YAML reads a raw NEL or U+2028 in quotes as a line break: json_text escapes
        # them (a lone surrogate is left to fail the encoding, and is refused below in words)
        text = json_text(data["submission"], escape_surrogates=False)
        write_bytes_atomically(target, text.encode("utf-8"))
    except UnicodeEncodeError:
        raise NumsError(
            Problem(f"the embedded {SUBMISSION_JSON} holds text that is not valid Unicode", file=str(path))
        ) from None
    except (OSError, ValueError, RecursionError):
        raise NumsError(
            Problem("the pack's embedded files cannot be unpacked: their names clash", file=str(path))
        ) from None
    return target


def _inside(folder: Path, name: str, pack: str) -> Path:
    relative = PurePosixPath(name)
    bad = (
        not name
        or relative.is_absolute()
        or ".." in relative.parts
        or any(c in name for c in "\\:\0")
        or (relative.parts[:1] == (".",) and len(relative.parts) == 1)
    )
    if bad:
        raise NumsError(
            Problem(
                f"the embedded file {name[:80]!r} names a place outside the pack's folder; it is not unpacked",
                file=pack,
                suggestion="this pack was not written by `nums pack`; ask for the submission.yaml",
            )
        )
    return folder / relative
