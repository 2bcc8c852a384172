"""Text from an applicant, written into each format nums writes: one helper per format.

A programme's name, an institution, a statement, an evidence title, a URL, a
file or folder name, a reviewer's comment: all of it is typed by someone nums
does not trust, and each format has its own characters that change what a
reader sees or parses. So every writer passes that text through the helper of
its format, here, and never escapes at its call sites:

==========================  ======================  ==========================================
format                      helper                  what its own parser gives back
==========================  ======================  ==========================================
terminal, YAML comments,    ``visible``             the text, each invisible or control
calendar (ICS) text                                 character shown as an escape (``\\x1b``)
YAML values and keys        ``yaml_scalar``,        exactly the text
                            ``yaml_key``
CSV cells                   ``csv_cell``            exactly the text, once a guarded cell's
                                                    leading ``'`` is dropped
JSON                        ``json_text``           exactly the text, lone surrogates included
``Content-Disposition``     ``content_disposition`` exactly the file name (``filename*``)
HTML and PDF                Jinja2's autoescape     the text (nothing marks applicant text safe)
==========================  ======================  ==========================================

This module imports nothing heavy: every command that prints goes through it.
"""

from __future__ import annotations

import json
import re
import unicodedata
from datetime import date
from typing import Any

# --- what a person reads: terminal text, YAML comments, calendar text ------------------------

# Characters that JSON (and so YAML's double quotes, which nums writes as JSON) leave raw but a
# person must never get raw: DEL and the C1 controls (U+009B is a terminal's CSI), bidi marks,
# embeddings, overrides and isolates (they reorder what follows: "Trojan Source"), the line and
# paragraph separators (YAML and str.splitlines() break lines there), the byte-order mark (some
# readers drop it at the start of a value: icalendar does) and the noncharacters YAML refuses;
# and lone surrogates (a folder name that is not UTF-8): no encoding carries them.
_UNSEEN = "\x7f-\x9f\u061c\u200e\u200f\u202a-\u202e\u2066-\u2069\u2028\u2029\ufeff\ufffe\uffff"
_SURROGATES = "\ud800-\udfff"
_RAW_IN_QUOTES = _UNSEEN + _SURROGATES
# ... and the C0 controls (tab, line feed and carriage return too), which JSON escapes itself
_INVISIBLE = re.compile(f"[\x00-\x1f{_RAW_IN_QUOTES}]")
_NOT_FOR_QUOTES = re.compile(f"[{_RAW_IN_QUOTES}]")
_UNSEEN_IN_QUOTES = re.compile(f"[{_UNSEEN}]")


def _escape(match: re.Match[str]) -> str:
    code = ord(match.group())
    return f"\\x{code:02x}" if code < 0x100 else f"\\u{code:04x}"


def visible(text: str) -> str:
    """``text`` with every character that is invisible, moves the cursor, restyles the terminal
    or reorders what follows (escape sequences, BEL, backspace, CR, line breaks of every kind,
    bidi overrides) written as an escape: ``\\x1b``, ``\\x0a``, ``\\u202e``.

    What a person reads is one line of exactly what was typed, made visible: the text can end
    neither a YAML comment nor a terminal line, nor restyle what follows. The result holds no
    character this function would change, so applying it twice changes nothing.
    """
    return _INVISIBLE.sub(_escape, text) if _INVISIBLE.search(text) else text


# --- YAML ------------------------------------------------------------------------------------

_WORD = re.compile(r"[a-z][a-z0-9_-]*")  # ids and levels read best bare (always fullmatch)
_KEY = re.compile(r"[A-Za-z_][A-Za-z0-9_.-]*")
_YAML_WORDS = frozenset({"y", "n", "yes", "no", "on", "off", "true", "false", "null"})
_ISO_DATE = re.compile(r"[0-9]{4}-[0-9]{2}-[0-9]{2}")
_DATE_KEYS = frozenset({"started", "date", "awarded"})

LONGEST_SIMPLE_KEY = 1000
"""Bytes of a key written as ``key: value``. YAML reads a key that way only when it is shorter
than 1,024 characters; a longer one is written as an explicit key (``? key``), read the same."""


def yaml_scalar(value: Any, key: Any = None) -> str:
    """One value as YAML text that nums' reader gives back exactly: dates bare, everything else as
    JSON (which YAML reads: double-quoted text, flow lists and mappings).

    An ISO date written as text is left bare only under a key that holds a date, so a statement
    reading "2026-03-02" stays text. Ids and levels (``silver``, ``aims.1`` is quoted) stay bare
    when YAML reads them back as the same text.
    """
    if isinstance(value, date):
        return value.isoformat()
    if isinstance(value, str) and key in _DATE_KEYS and _is_date(value):
        return value
    if isinstance(value, dict):
        return "{" + ", ".join(f"{yaml_key(k)}: {yaml_scalar(v, k)}" for k, v in value.items()) + "}"
    if isinstance(value, list | tuple):
        return "[" + ", ".join(yaml_scalar(v) for v in value) + "]"
    if isinstance(value, str) and _WORD.fullmatch(value) and value.lower() not in _YAML_WORDS:
        return value
    return _quoted(value)


def yaml_key(key: Any, block_indent: str | None = None) -> str:
    """A mapping key as YAML text, to be followed by ``: value``.

    A key too long for YAML's ``key: value`` form becomes an explicit key: ``? "key"`` then, in
    a block mapping, a line break and ``block_indent`` so that the caller's ``:`` starts the
    next line (``block_indent`` is the mapping's indentation; None inside a flow mapping).
    """
    text = str(key)
    if _KEY.fullmatch(text) and len(text) <= LONGEST_SIMPLE_KEY:
        return text
    quoted = _quoted(text)
    if len(quoted.encode("utf-8", "surrogatepass")) <= LONGEST_SIMPLE_KEY:
        return quoted
    return f"? {quoted}" if block_indent is None else f"? {quoted}\n{block_indent}"


def _quoted(value: Any) -> str:
    """JSON text, which YAML reads exactly, with ``_RAW_IN_QUOTES`` as ``\\uXXXX`` escapes:
    YAML refuses some of them raw and reads NEL, U+2028 and U+2029 as line breaks."""
    return _quote_escapes(json.dumps(value, ensure_ascii=False))


def _quote_escapes(text: str) -> str:
    return _NOT_FOR_QUOTES.sub(_u_escape, text) if _NOT_FOR_QUOTES.search(text) else text


def _u_escape(match: re.Match[str]) -> str:
    return f"\\u{ord(match.group()):04x}"


def _is_date(text: str) -> bool:
    """Written bare only when YAML will read it as that date (``2026-13-01`` stays quoted text)."""
    if not _ISO_DATE.fullmatch(text):
        return False
    try:
        date.fromisoformat(text)
    except ValueError:
        return False
    return True


def yaml_comment(text: str) -> str:
    """Text for a ``#`` comment: its visible form, which no line break can end early."""
    return visible(text)


# --- CSV -------------------------------------------------------------------------------------

# OWASP's CSV injection guidance: a cell a spreadsheet may read as a formula starts with = + - @,
# a tab or a carriage return; a line feed and NUL are treated alike, and so are the full-width
# forms of = + - @, which some spreadsheet programs fold to the ASCII ones. A leading apostrophe
# is guarded too, so that dropping one leading apostrophe always gives the text back.
_SURROGATE = re.compile(f"[{_SURROGATES}]")
CSV_GUARDED = frozenset("=+-@\t\r\n\x00\uff1d\uff0b\uff0d\uff20'")


def csv_cell(value: object) -> str:
    """A value as a CSV cell: a cell that would start with a formula character gets a leading
    ``'``, so a spreadsheet shows it as text. The csv module then quotes what needs quoting.
    Lone surrogates (a folder name that is not UTF-8), which no UTF-8 file can hold, are
    written as escapes."""
    text = "" if value is None else str(value)
    if text[:1] in CSV_GUARDED:
        text = "'" + text
    return _SURROGATE.sub(_escape, text) if _SURROGATE.search(text) else text


def csv_value(cell: str) -> str:
    """A cell read back: the text ``csv_cell`` was given (its guard dropped)."""
    return cell[1:] if cell[:1] == "'" else cell


# --- JSON ------------------------------------------------------------------------------------


def json_text(data: Any, indent: int | None = 2, default: Any = None, escape_surrogates: bool = True) -> str:
    """``data`` as JSON text, readable (not ASCII-escaped), always valid JSON and always
    encodable as UTF-8. ``indent=None`` writes it compact, as the API answers.

    The characters of ``_RAW_IN_QUOTES`` can only stand inside a string, so each is written as
    its ``\\uXXXX`` escape, which ``json.loads`` reads back as the same character: a lone
    surrogate (from a folder name that is not UTF-8, or JSON's own ``"\\ud800"``) can then be
    encoded, and a C1 control or a bidi override never reaches a terminal raw. (Python cannot
    tell a high and a low surrogate written next to each other from the pair JSON reads as one
    character; no such text reaches here.)
    A number JSON cannot hold (YAML's ``.nan`` or ``.inf`` in a key nums does not define) is
    written as the YAML text that gave it, rather than as the ``NaN`` JSON parsers refuse.

    ``escape_surrogates=False`` leaves lone surrogates raw, so that encoding the text fails: for
    JSON that nums' YAML reader reads next, which could only refuse their escapes less clearly.
    """
    separators = (",", ":") if indent is None else None
    options: dict[str, Any] = {"indent": indent, "separators": separators, "default": default}
    try:
        text = json.dumps(data, ensure_ascii=False, allow_nan=False, **options)
    except ValueError:  # only NaN and infinities raise it
        text = json.dumps(_finite(data), ensure_ascii=False, allow_nan=False, **options)
    if not escape_surrogates:
        found = _UNSEEN_IN_QUOTES.search(text)
        return _UNSEEN_IN_QUOTES.sub(_u_escape, text) if found else text
    return _quote_escapes(text)


def _finite(data: Any) -> Any:
    if isinstance(data, float) and data != data:
        return ".nan"
    if isinstance(data, float) and data in (float("inf"), float("-inf")):
        return ".inf" if data > 0 else "-.inf"
    if isinstance(data, dict):
        return {key: _finite(value) for key, value in data.items()}
    if isinstance(data, list | tuple):
        return [_finite(value) for value in data]
    return data


# --- HTTP headers ----------------------------------------------------------------------------

_FALLBACK_UNSAFE = re.compile(r"[^A-Za-z0-9 ._()\[\]+!#$&@^~'-]")


def content_disposition(filename: str, disposition: str = "attachment") -> str:
    """A ``Content-Disposition`` header (RFC 6266) that no file name can break.

    ``filename*`` carries the name exactly, percent-encoded UTF-8 (RFC 5987); ``filename`` is
    an ASCII fallback for old clients, accents dropped and anything else that could end the
    quoted string or the header (quotes, backslashes, percent signs, CR, LF, controls)
    replaced by ``_``.
    """
    from urllib.parse import quote

    try:
        raw = filename.encode("utf-8", "surrogateescape")  # a name on disk that is not UTF-8
    except UnicodeEncodeError:
        raw = filename.encode("utf-8", "replace")
    return f"{disposition}; filename=\"{_ascii_fallback(filename)}\"; filename*=UTF-8''{quote(raw, safe='')}"


def _ascii_fallback(filename: str) -> str:
    plain = "".join(ch for ch in unicodedata.normalize("NFKD", filename) if not unicodedata.combining(ch))
    text = _FALLBACK_UNSAFE.sub("_", plain).strip(" .")
    return text or "download"
