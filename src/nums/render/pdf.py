"""HTML and PDF writing shared by the pack, the quote and the outcome letter.

Three guarantees hold for every document:

- **safe**: templates autoescape, so statements and titles are text; the URL
  fetcher serves only the package's own assets and one allowed folder and
  refuses everything else (http, https, other files), so an evidence link
  such as ``file:///etc/passwd`` stays a link and is never read;
- **deterministic**: the same input gives the same bytes. Dates come from the
  caller (the submission, or ``SOURCE_DATE_EPOCH``), never the wall clock:
  WeasyPrint's attachments and fontTools' subsetting would otherwise stamp the
  current time;
- **bytes**: every renderer returns the document as bytes (``render_pdf``); the CLI
  writes them atomically (``writing.write_rendered``) and the web app answers them,
  so the app's PDF is the CLI's by construction.

WeasyPrint is imported inside the functions that need it, never at import
time, so commands that render nothing stay fast.
"""

from __future__ import annotations

import atexit
import contextlib
import functools
import mimetypes
import os
import re
import threading
import time
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any
from urllib.parse import unquote, urlsplit
from urllib.request import url2pathname

from jinja2 import Environment, FileSystemLoader, select_autoescape
from markupsafe import Markup

HERE = Path(__file__).resolve().parent
TEMPLATES = HERE / "templates"
STATIC = HERE / "static"


@dataclass(frozen=True)
class Attachment:
    """A file embedded in the PDF (the pack's ``submission.json``, evidence files)."""

    name: str
    data: bytes
    description: str = ""


@dataclass(frozen=True)
class Document:
    """What to render: HTML text, the folder it may read, what to attach, and its date."""

    html: str
    created: datetime
    base_dir: Path | None = None  # files under it may be read (besides the package's assets)
    attachments: Sequence[Attachment] = field(default_factory=tuple)


@functools.cache
def environment() -> Environment:
    """Jinja2 with autoescaping on for every template: data is text, never markup.

    One per process, so each template is compiled once (about half a second for the pack's) and
    every later document of a session (the app's downloads, the tests) only renders."""
    env = Environment(
        loader=FileSystemLoader(str(TEMPLATES)),
        autoescape=select_autoescape(default=True, default_for_string=True),
        trim_blocks=True,
        lstrip_blocks=True,
        keep_trailing_newline=True,
    )
    env.globals["stylesheet"] = stylesheet
    env.filters["headline"] = headline
    return env


RUNNING_HEADER = 48
"""Characters of applicant text (a programme's name, its institution) in a page's running header,
which has one line: a longer name is cut there, with "…" (the page itself shows it whole)."""


def headline(text: object) -> str:
    words = str(text)
    return words if len(words) <= RUNNING_HEADER else words[: RUNNING_HEADER - 1] + "…"


def stylesheet(name: str) -> Markup:
    """A stylesheet from the package, inlined; marked safe so autoescape leaves it alone."""
    return Markup((STATIC / name).read_text(encoding="utf-8"))


def render_template(name: str, **context: Any) -> str:
    return environment().get_template(name).render(**context)


def source_date(fallback: datetime) -> datetime:
    """``SOURCE_DATE_EPOCH`` when set (reproducible builds), else the caller's date."""
    epoch = os.environ.get("SOURCE_DATE_EPOCH")
    if epoch and epoch.strip().isdigit():
        return datetime.fromtimestamp(int(epoch), tz=UTC)
    return fallback


LONG_WORD = 64
"""Characters without a space beyond which a word is laid out in pieces (``in_pieces``); a SHA-256
in hex (64) stays whole."""
WORD_PIECE = 16
"""Characters in each piece: small enough for a narrow table column, large enough that a word of
the most text a file may hold (limits.py) is laid out in seconds."""
_SPACE = " \t\n\r\f"  # what separates words in HTML (a no-break space does not)
_CHARACTER = rf"(?:&#?\w+;|[^{_SPACE}<&])"  # an escaped character such as &amp; counts as one
_TAG = re.compile(r"(<[^>]*>)")
_LONG_RUN = re.compile(rf"{_CHARACTER}{{{LONG_WORD + 1},}}")
_PIECE = re.compile(rf"{_CHARACTER}{{1,{WORD_PIECE}}}")
_NOT_LAID_OUT = ("head", "style", "script", "title", "svg")  # their text never becomes lines
_BREAK_OPPORTUNITY = "\u200b"  # zero width space: where a line may end, and nothing else


def in_pieces(html: str) -> str:
    """The HTML with every word longer than ``LONG_WORD`` characters cut into pieces of
    ``WORD_PIECE``, each its own ``<span class="long-word">`` ending in a break opportunity.

    Why: WeasyPrint finds where a line ends by laying out the whole rest of its text again,
    and when it sizes a table column it does so for every possible line: a word with no space (a
    programme name of 10,000 characters) took time quadratic in its length (167 s in the
    portfolio) and made the table wider than the page. In pieces, each a box of its own, the time
    is linear, and the word wraps at a piece's end (print.css keeps each piece whole, so sizing a
    column never lays out one character at a time). A zero width space is neither seen nor
    copied (pypdf reads the word back whole); the HTML nums writes for browsers is not changed."""
    parts = _TAG.split(html)
    skipped = linked = 0
    for index, part in enumerate(parts):
        if index % 2:  # a tag
            name = part[1:].lstrip("/").split(None, 1)[0].rstrip(">").lower() if len(part) > 2 else ""
            step = 0 if part.endswith("/>") else -1 if part.startswith("</") else 1
            skipped += step if name in _NOT_LAID_OUT else 0
            linked += step if name == "a" else 0
        elif skipped <= 0 and len(part) > LONG_WORD:
            parts[index] = _LONG_RUN.sub(_in_link if linked > 0 else _pieces, part)
    return "".join(parts)


def _pieces(run: re.Match[str]) -> str:
    pieces = _PIECE.findall(run.group())
    spans = [f'<span class="long-word">{piece}{_BREAK_OPPORTUNITY}</span>' for piece in pieces[:-1]]
    return "".join(spans) + f'<span class="long-word">{pieces[-1]}</span>'


def _in_link(run: re.Match[str]) -> str:
    """In a link, break opportunities only: WeasyPrint gives every box of a link an annotation
    holding the whole address, so a box per piece made the PDF grow with the address's square
    (a web address is at most ``limits.MAX_URL_CHARACTERS``, and a link is never a table's
    column to size)."""
    return _BREAK_OPPORTUNITY.join(_PIECE.findall(run.group()))


def render_pdf(document: Document) -> bytes:
    """A tagged PDF (PDF/UA-1) with fixed dates and only allowed resources: laid out here, or in
    this process's helper once ``lay_out_in_a_helper`` is on (the same bytes either way)."""
    helper = _HELPER
    if helper is not None:
        return helper.render(document)
    return render_here(document)


def render_here(document: Document) -> bytes:
    """``render_pdf`` in this process."""
    import weasyprint  # the one place WeasyPrint is imported

    created = document.created if document.created.tzinfo else document.created.replace(tzinfo=UTC)
    fetcher = safe_fetcher([STATIC, *([document.base_dir] if document.base_dir else [])])
    attachments = [
        weasyprint.Attachment(
            string=item.data,
            name=item.name,
            description=item.description or None,
            created=created,
            modified=created,
            url_fetcher=fetcher,
        )
        for item in document.attachments
    ]
    base_url = (document.base_dir or STATIC).resolve().as_uri() + "/"
    html = weasyprint.HTML(string=in_pieces(document.html), base_url=base_url, url_fetcher=fetcher)
    with _ONE_AT_A_TIME, _fixed_epoch(created):
        data = html.write_pdf(pdf_variant="pdf/ua-1", attachments=attachments, uncompressed_pdf=False)
    assert data is not None
    return data


class _Helper:
    """One process that lays out this process's PDFs, one at a time, started on first use and
    again if it dies (a document that kills it is then laid out here, so it is never lost)."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._pool: Any = None

    def _executor(self) -> Any:
        from concurrent.futures import ProcessPoolExecutor
        from multiprocessing import get_context

        with self._lock:
            if self._pool is None:  # spawn: a clean interpreter, nothing of the server's state
                self._pool = ProcessPoolExecutor(
                    max_workers=1,
                    mp_context=get_context("spawn"),
                    initializer=_yield_to_pages,
                    initargs=(os.getpid(),),
                )
            return self._pool

    def render(self, document: Document) -> bytes:
        from concurrent.futures.process import BrokenProcessPool

        pool = self._executor()
        try:
            return pool.submit(render_here, document).result()
        except BrokenProcessPool:
            with self._lock:
                if self._pool is pool:
                    self._pool = None
            return render_here(document)

    def warm(self) -> None:
        """Start the helper and let it import WeasyPrint now, not at the first person's download."""
        self._executor().submit(_import_weasyprint)

    def stop(self) -> None:
        with self._lock:
            pool, self._pool = self._pool, None
        if pool is not None:
            pool.shutdown(wait=True, cancel_futures=True)


HELPER_NICENESS = 5
"""How much lower than its worker a helper runs (``nice``): pages, a few milliseconds each, go
first, so a second of layout does not put a second on everyone's next page; not so low that a
document waits without end on a busy machine (at 5 the helper still has about a quarter of a
core that the workers want; at 10 a pack of two seconds took twenty-five under load)."""


ORPHAN_CHECK_SECONDS = 1.0
"""How often a helper looks whether the worker that started it is still there."""


def _yield_to_pages(parent: int) -> None:
    """A helper's start: a lower priority, and a watch on its worker, so that a helper never
    outlives it (a worker stopped or killed leaves none behind: seen, before this, two helpers
    left running after every stop of ``nums site run``)."""
    with contextlib.suppress(OSError, AttributeError):  # no nice where the system has none
        os.nice(HELPER_NICENESS)

    # ``parent`` is the worker's id as the worker saw it: one killed before this line ran is
    # already not the helper's parent, and the watch ends the helper at once
    def watch() -> None:
        while os.getppid() == parent:
            time.sleep(ORPHAN_CHECK_SECONDS)
        os._exit(0)  # the worker is gone: nobody is left to ask for a document

    threading.Thread(target=watch, name="nums-helper-watch", daemon=True).start()


def _import_weasyprint() -> None:
    import weasyprint  # noqa: F401  (the helper's first task: ready before the first document)


_HELPER: _Helper | None = None


def lay_out_in_a_helper(on: bool = True) -> None:
    """From now on, lay out this process's PDFs in a helper process (``on``), or here again.

    For the site's workers (``nums site run``): WeasyPrint holds the GIL for the second or more a
    pack, a letter or a certificate takes, and the worker's event loop, which serves every other
    request of that worker, would wait behind it; in a helper, the thread that asked only waits
    for the bytes. One helper per worker, so documents are laid out one at a time in each (which
    also keeps ``_fixed_epoch``'s change of the environment to one document at a time). The CLI
    and ``nums serve`` lay out in their own process."""
    global _HELPER
    if on and _HELPER is None:
        _HELPER = _Helper()
        _HELPER.warm()
        atexit.register(_HELPER.stop)
    elif not on and _HELPER is not None:
        _HELPER.stop()
        _HELPER = None


_ONE_AT_A_TIME = threading.Lock()
"""``_fixed_epoch`` sets the process's environment, which every thread shares: two documents laid
out at once by two threads (``nums serve``'s downloads) could be stamped with whichever date was
set last, and the same input would no longer give the same bytes (not seen in a test, where
fontTools reads it at a moment that rarely overlaps; shut out by this lock, not left to chance).
WeasyPrint holds the GIL for most of a layout anyway, so one at a time costs little."""


@contextlib.contextmanager
def _fixed_epoch(moment: datetime) -> Iterator[None]:
    """fontTools stamps subset fonts with ``SOURCE_DATE_EPOCH`` or the current time."""
    previous = os.environ.get("SOURCE_DATE_EPOCH")
    os.environ["SOURCE_DATE_EPOCH"] = str(int(moment.timestamp()))
    try:
        yield
    finally:
        if previous is None:
            os.environ.pop("SOURCE_DATE_EPOCH", None)
        else:
            os.environ["SOURCE_DATE_EPOCH"] = previous


def is_allowed(url: str, roots: Sequence[Path]) -> Path | None:
    """The local file a ``file:`` URL names, when it lies inside one of ``roots``."""
    parts = urlsplit(url)
    if parts.scheme != "file" or parts.netloc not in ("", "localhost"):
        return None
    path = Path(os.path.realpath(url2pathname(unquote(parts.path))))
    for root in roots:
        real_root = Path(os.path.realpath(root))
        if path.is_relative_to(real_root) and path.is_file():
            return path
    return None


def safe_fetcher(roots: Sequence[Path]) -> Any:
    """A WeasyPrint URL fetcher that reads only files under ``roots`` and ``data:`` URLs."""
    from weasyprint.urls import URLFetcher, URLFetcherResponse

    class SafeFetcher(URLFetcher):  # type: ignore[misc]
        def fetch(self, url: str, headers: Any = None) -> Any:
            if url.startswith("data:"):
                return super().fetch(url, headers)
            path = is_allowed(url, roots)
            if path is None:
                raise ValueError(
                    f"nums does not fetch {url!r}: only its own assets and the submission's folder"
                )
            kind = mimetypes.guess_type(path.name)[0] or "application/octet-stream"
            return URLFetcherResponse(url, path.read_bytes(), {"Content-Type": kind}, 200)

    return SafeFetcher(allowed_protocols={"file", "data"}, fail_on_errors=False)
