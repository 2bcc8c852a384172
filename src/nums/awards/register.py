"""The public register: a static site of the awards issued, as they stand on a day.

Made only from the issuing folder's records (each credential's signature checked against the
folder's key set) and its status list: never from a submission, which the applicant can still
edit after the decision. Awards that hold on the day are listed; a lapsed award leaves the
listing and its page says lapsed; a withdrawn one says withdrawn (and why, if public).

The listing works without JavaScript: each sort order and each filter (level, institution) is a
page of its own, linked from the column headings and the filter lists, and an A–Z index leads
to names; a small script adds a search box that filters the rows as one types.
"""

from __future__ import annotations

import csv
import hashlib
import io
import json
import os
import re
import unicodedata
from dataclasses import dataclass
from datetime import date
from pathlib import Path
from typing import Any

from nums.awards.bitstring import LIST_FILE
from nums.awards.credential import STATUS_FILE, AwardFacts
from nums.awards.issuing import AWARDS_DIR, FILES, RECORD_FILE, records
from nums.awards.keys import JWKS_FILE
from nums.awards.status import Withdrawal, empty_list, published
from nums.awards.verify import NotGenuine, _award, checked_signature, load_register, withdrawal_for
from nums.errors import NumsError, Problem
from nums.escaping import csv_cell
from nums.writing import write_bytes_atomically

LISTED, LAPSED, WITHDRAWN, NOT_YET = "listed", "lapsed", "withdrawn", "not yet in force"
ASSETS = ("register.css", "register.js")  # the pages' style and search box, files of their own
SORTS = {  # page -> (heading it sorts by, key)
    "index.html": ("Programme", lambda e: (e.facts.title.casefold(), e.facts.institution.casefold())),
    "by-institution.html": (
        "Institution",
        lambda e: (e.facts.institution.casefold(), e.facts.title.casefold()),
    ),
    "by-level.html": ("Level", lambda e: (-e.rank, e.facts.title.casefold())),
    "by-until.html": ("Valid until", lambda e: (e.facts.valid_until, e.facts.title.casefold())),
}


@dataclass(frozen=True)
class Entry:
    facts: AwardFacts
    state: str
    withdrawal: Withdrawal | None
    rank: int  # the level's place among the edition's levels seen (higher is higher)
    folder: Path

    @property
    def page(self) -> str:
        return f"awards/{self.facts.number}.html"


@dataclass(frozen=True)
class Site:
    listed: int
    pages: int


def state_on(facts: AwardFacts, withdrawal: Withdrawal | None, on: date) -> str:
    if withdrawal is not None and (withdrawal.on is None or withdrawal.on <= on):
        return WITHDRAWN
    if on > facts.valid_until:
        return LAPSED
    if on < facts.valid_from:
        return NOT_YET
    return LISTED


def entries(workspace: Path, on: date) -> tuple[list[Entry], dict[str, Any], dict[str, Any]]:
    """Every recorded award, checked, with its state on ``on``; and the key set and status list.
    A folder that has issued nothing yet (a new site's) is an empty register."""
    if not records(workspace) and not (workspace / JWKS_FILE).exists():
        return [], {"keys": []}, empty_list(STATUS_FILE)
    register = load_register(str(workspace))
    found = []
    for own, token in records(workspace):
        try:
            facts = _award(checked_signature(token, register))
        except NotGenuine as why:
            raise NumsError(
                Problem(f"the recorded credential is not genuine: {why}", file=str(own / RECORD_FILE))
            ) from None
        if facts.number != own.name:
            raise NumsError(
                Problem(
                    f"records award {facts.number} in the folder of {own.name}", file=str(own / RECORD_FILE)
                )
            )
        withdrawal = withdrawal_for(register, facts)
        found.append(Entry(facts, state_on(facts, withdrawal, on), withdrawal, _rank(facts.level), own))
    return found, register.jwks, register.status


def _rank(level: str) -> int:
    return {"bronze": 1, "silver": 2, "gold": 3}.get(level, 0)


def slug(text: str) -> str:
    """A file name for an institution: readable ASCII, and a short hash so two names never meet."""
    plain = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode("ascii")
    words = re.sub(r"[^a-z0-9]+", "-", plain.lower()).strip("-")[:40] or "institution"
    return f"{words}-{hashlib.sha256(text.encode('utf-8')).hexdigest()[:6]}"


def write_register(workspace: Path, target: Path, on: date) -> Site:
    """Write the register of the issuing folder ``workspace`` as it stands ``on`` into ``target``."""
    files, site = register_files(workspace, on)
    for name, data in files.items():
        write_bytes_atomically(target / name, data)
    return site


def register_files(workspace: Path, on: date) -> tuple[dict[str, bytes], Site]:
    """Every file of the register, by its path inside the site: the one function both
    ``nums register`` (which writes them) and the site's ``/register`` (which serves them) use."""
    from nums.render.pdf import STATIC, render_template

    found, jwks, status = entries(workspace, on)
    listed = [e for e in found if e.state == LISTED]
    base = found[0].facts.register if found else ""
    levels = sorted({(e.rank, e.facts.level, e.facts.level_name) for e in listed}, reverse=True)
    institutions = sorted({e.facts.institution for e in listed}, key=str.casefold)
    common = {
        "on": on,
        "levels": levels,
        "institutions": [(name, slug(name)) for name in institutions],
        "sorts": [(page, heading) for page, (heading, _) in SORTS.items()],
        "signed_list": (workspace / LIST_FILE).is_file(),
    }
    files: dict[str, bytes] = {}
    for page, (heading, key) in SORTS.items():
        rows = sorted(listed, key=key)
        html = render_template(
            "register_index.html",
            rows=rows,
            sorted_by=heading,
            here=page,
            root="",
            filter=None,
            letters=_letters(rows) if page == "index.html" else {},
            **common,
        )
        files[page] = html.encode("utf-8")
    for _place, level, name in levels:
        chosen = [e for e in listed if e.facts.level == level]
        _filtered_page(files, f"level/{level}.html", f"Level: {name}", chosen, common)
    for name in institutions:
        chosen = [e for e in listed if e.facts.institution == name]
        _filtered_page(files, f"institution/{slug(name)}.html", f"Institution: {name}", chosen, common)
    for entry in found:
        number = entry.facts.number
        html = render_template(
            "register_award.html", e=entry, on=on, root="../", signed_list=common["signed_list"]
        )
        files[f"awards/{number}.html"] = html.encode("utf-8")
        files[f"awards/{number}.svg"] = (entry.folder / FILES["logo_svg"]).read_bytes()
        files[f"awards/{number}.png"] = (entry.folder / FILES["logo_png"]).read_bytes()
    files["awards.json"] = (json.dumps(_json(found, on), indent=2, ensure_ascii=False) + "\n").encode("utf-8")
    files["awards.csv"] = _csv(found).encode("utf-8")
    shown = published(status, f"{base}/{STATUS_FILE}")
    files[STATUS_FILE] = (json.dumps(shown, indent=2, ensure_ascii=False) + "\n").encode("utf-8")
    files[JWKS_FILE] = (json.dumps(jwks, indent=2) + "\n").encode("utf-8")
    if (workspace / LIST_FILE).is_file():
        files[LIST_FILE] = (workspace / LIST_FILE).read_bytes()
    for asset in ASSETS:
        files[asset] = (STATIC / asset).read_bytes()
    return files, Site(len(listed), len(found))


def fingerprint(workspace: Path, on: date) -> str:
    """What the register of ``workspace`` on ``on`` is made from, in one digest: each record's and
    each published list's name, size, inode and change time. nums writes every file by renaming a
    new one into place, so any decision, issue or withdrawal changes it; the site rebuilds its
    register only then (and once a day, for what lapses)."""
    parts = [on.isoformat()]
    names = [JWKS_FILE, STATUS_FILE, LIST_FILE]
    awards = workspace / AWARDS_DIR
    if awards.is_dir():
        names += sorted(f"{AWARDS_DIR}/{e.name}/{RECORD_FILE}" for e in os.scandir(awards) if e.is_dir())
    for name in names:
        try:
            info = os.stat(workspace / name)
        except OSError:
            parts.append(f"{name}:-")
            continue
        parts.append(f"{name}:{info.st_size}:{info.st_ino}:{info.st_mtime_ns}")
    return hashlib.sha256("\n".join(parts).encode("utf-8")).hexdigest()


def _letters(rows: list[Entry]) -> dict[str, str]:
    """The first row of each initial letter, for the A–Z index: letter -> row anchor."""
    firsts: dict[str, str] = {}
    for entry in rows:
        initial = (entry.facts.title[:1] or "#").upper()
        letter = initial if initial.isalpha() else "#"
        firsts.setdefault(letter, f"row-{entry.facts.number}")
    return firsts


def _record(entry: Entry) -> dict[str, Any]:
    f = entry.facts
    return {
        "certificate": f.number,
        "state": entry.state,
        "level": f.level,
        "level_name": f.level_name,
        "programmes": list(f.programmes),
        "institution": f.institution,
        "valid_from": f.valid_from.isoformat(),
        "valid_until": f.valid_until.isoformat(),
        "decided": f.issued.isoformat(),
        "edition": f.edition,
        "page": f.page,
        "withdrawn": entry.withdrawal.on.isoformat()
        if entry.withdrawal and entry.withdrawal.on and entry.state == WITHDRAWN
        else None,
        "withdrawn_reason": entry.withdrawal.reason
        if entry.withdrawal and entry.state == WITHDRAWN
        else None,
    }


def _json(found: list[Entry], on: date) -> dict[str, Any]:
    return {"on": on.isoformat(), "awards": [_record(e) for e in sorted(found, key=lambda e: e.facts.number)]}


CSV_COLUMNS = (
    "certificate",
    "state",
    "level",
    "programmes",
    "institution",
    "valid_from",
    "valid_until",
    "decided",
    "page",
    "withdrawn",
    "withdrawn_reason",
)


def _csv(found: list[Entry]) -> str:
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\r\n")
    writer.writerow(CSV_COLUMNS)
    for entry in sorted(found, key=lambda e: e.facts.number):
        row = _record(entry)
        row["programmes"] = " · ".join(row["programmes"])
        writer.writerow([csv_cell(row[c]) for c in CSV_COLUMNS])
    return out.getvalue()


def _filtered_page(
    files: dict[str, bytes], here: str, filter_words: str, chosen: list[Any], common: dict[str, Any]
) -> None:
    """One page of the listing narrowed to a level or an institution, sorted by programme."""
    from nums.render.pdf import render_template

    html = render_template(
        "register_index.html",
        rows=sorted(chosen, key=SORTS["index.html"][1]),
        sorted_by="Programme",
        here=here,
        root="../",
        filter=filter_words,
        letters={},
        **common,
    )
    files[here] = html.encode("utf-8")
