"""Issuing an award from a final review, and the issuing folder that records it.

The issuing folder (``-o FOLDER``) is the scheme's record of what it issued::

    FOLDER/jwks.json                   the public keys awards were signed with
    FOLDER/status.json                 the status list (withdrawals; see ``status``)
    FOLDER/awards/NUMBER/record.json   what was issued: the signed credential, and when
    FOLDER/awards/NUMBER/...           certificate.pdf, logo.svg, logo.png, credential.jwt/.json

The register is built from these records alone (each one's signature checked), never from a
submission the applicant can still edit.

Certificate numbers never repeat in a folder: ``PREFIX-YYYYMMDD-XXXX-NN``, the edition's
prefix, the first valid day, four hex digits of the programme(s) and institution, and a
counter. The counter is taken by creating the award's folder (``mkdir`` either makes a new
folder or fails), so two issues running at once cannot take the same number; issuing the same
award again gives the next counter, a new number.
"""

from __future__ import annotations

import hashlib
import json
import os
import shutil
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from nums.awards import logo
from nums.awards.credential import AwardFacts, credential, sign
from nums.awards.keys import JWKS_FILE, SigningKey, public_jwks, read_jwks
from nums.awards.settings import AwardSettings
from nums.errors import NumsError, Problem
from nums.outcome import FINAL, Outcome
from nums.writing import write_bytes_atomically, write_rendered, write_text_atomically

AWARDS_DIR = "awards"
RECORD_FILE = "record.json"
MAX_COUNTER = 99  # the same award issued again this many times is a mistake, not a need
FILES = {
    "certificate": "certificate.pdf",
    "logo_svg": "logo.svg",
    "logo_png": "logo.png",
    "jwt": "credential.jwt",
    "json": "credential.json",
}


@dataclass(frozen=True)
class Issued:
    facts: AwardFacts
    jws: str
    folder: Path  # the award's own folder

    def path(self, kind: str) -> Path:
        return self.folder / FILES[kind]


def award_facts(outcome: Outcome, settings: AwardSettings, number: str) -> AwardFacts:
    """The award the review decided: level and dates exactly as the outcome (and the letter) has them."""
    refusal = refusal_for(outcome)
    if refusal:
        raise NumsError(Problem(refusal, file=str(outcome.review.path), field="REVIEW"))
    assert outcome.outcome and outcome.valid_from and outcome.valid_until
    sub = outcome.submission
    return AwardFacts(
        number=number,
        edition=outcome.edition.id,
        scheme=outcome.edition.title,
        level=outcome.outcome,
        level_name=outcome.edition.level_name(outcome.outcome),
        programmes=tuple(p.name for p in sub.programmes),
        institution=sub.programme.institution,
        valid_from=outcome.valid_from,
        valid_until=outcome.valid_until,
        issued=outcome.review.date,
        issuer_name=settings.issuer.name,
        issuer_website=settings.issuer.website,
        register=settings.register,
        criteria=settings.criteria,
    )


def refusal_for(outcome: Outcome) -> str | None:
    """Why this review makes no award to issue, in words; None when it makes one."""
    if outcome.status != FINAL:
        return (
            "this review is provisional (criteria undecided or evidence requested): "
            "an award is issued only from a final review"
        )
    if outcome.outcome is None or outcome.valid_from is None or outcome.valid_until is None:
        return "this review's final outcome is no award, so there is no award to issue"
    return None


def number_stem(outcome: Outcome, settings: AwardSettings) -> str:
    sub = outcome.submission
    assert outcome.valid_from is not None
    named = json.dumps([sub.programme.institution, [p.name for p in sub.programmes]], ensure_ascii=False)
    digest = hashlib.sha256(named.encode("utf-8")).hexdigest()[:4].upper()
    return f"{settings.certificate_prefix}-{outcome.valid_from:%Y%m%d}-{digest}"


def _take_number(awards: Path, stem: str) -> tuple[str, Path]:
    try:
        awards.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        raise NumsError(Problem(f"cannot be made: {exc.strerror or exc}", file=str(awards))) from None
    for counter in range(1, MAX_COUNTER + 1):
        number = f"{stem}-{counter:02d}"
        try:
            (awards / number).mkdir()
        except FileExistsError:
            continue
        except OSError as exc:
            raise NumsError(
                Problem(f"cannot be made: {exc.strerror or exc}", file=str(awards / number))
            ) from None
        return number, awards / number
    raise NumsError(Problem(f"already holds {MAX_COUNTER} awards numbered {stem}-NN", file=str(awards)))


def issue(outcome: Outcome, settings: AwardSettings, signing: SigningKey, folder: Path) -> Issued:
    """Sign, record and render the award the final review ``outcome`` makes."""
    refusal = refusal_for(outcome)
    if refusal:
        raise NumsError(Problem(refusal, file=str(outcome.review.path), field="REVIEW"))
    _publish_key(folder, signing)
    number, own = _take_number(folder / AWARDS_DIR, number_stem(outcome, settings))
    try:
        facts = award_facts(outcome, settings, number)
        payload = credential(facts)
        token = sign(payload, signing)
        issued = Issued(facts, token, own)
        _write(issued, payload, settings)
    except BaseException:
        shutil.rmtree(own, ignore_errors=True)  # nothing was issued: the number is free again
        raise
    return issued


def _write(issued: Issued, payload: dict[str, Any], settings: AwardSettings) -> None:
    from nums.awards.certificate import certificate_pdf  # WeasyPrint: only when issuing

    write_text_atomically(issued.path("jwt"), issued.jws + "\n")
    write_text_atomically(issued.path("json"), json.dumps(payload, indent=2, ensure_ascii=False) + "\n")
    logo_svg = logo.svg(issued.facts, issued.jws)
    write_text_atomically(issued.path("logo_svg"), logo_svg)
    write_bytes_atomically(issued.path("logo_png"), logo.png(issued.facts, issued.jws))
    write_rendered(
        issued.path("certificate"), lambda: certificate_pdf(issued.facts, settings.issuer.note, logo_svg)
    )
    record = {"number": issued.facts.number, "credential": issued.jws, "files": dict(FILES)}
    write_text_atomically(issued.folder / RECORD_FILE, json.dumps(record, indent=2) + "\n")


def _publish_key(folder: Path, signing: SigningKey) -> None:
    """The issuing folder's key set gains the signing key's public half (keys are never dropped,
    so awards signed before a new key was made still verify)."""
    path = folder / JWKS_FILE
    known = read_jwks(path) if path.exists() else {"keys": []}
    if any(k.get("kid") == signing.kid for k in known["keys"]):
        return
    known["keys"].extend(public_jwks(signing)["keys"])
    write_text_atomically(path, json.dumps(known, indent=2) + "\n")


def records(folder: Path) -> list[tuple[Path, str]]:
    """Every recorded award in the issuing folder: (its folder, its signed credential)."""
    found = []
    awards = folder / AWARDS_DIR
    if not awards.is_dir():
        return []
    for entry in sorted(os.scandir(awards), key=lambda e: e.name):
        path = Path(entry.path) / RECORD_FILE
        if not entry.is_dir(follow_symlinks=False) or not path.is_file():
            continue
        try:
            data = json.loads(path.read_text(encoding="utf-8"))
            token = data["credential"]
        except (OSError, UnicodeDecodeError, ValueError, KeyError, TypeError):
            raise NumsError(Problem("is not an award record nums wrote", file=str(path))) from None
        if not isinstance(token, str):
            raise NumsError(Problem("is not an award record nums wrote", file=str(path)))
        found.append((Path(entry.path), token))
    return found


def find_record(folder: Path, number: str) -> tuple[Path, str]:
    for own, token in records(folder):
        if own.name == number:
            return own, token
    raise NumsError(
        Problem(
            f"no award numbered {number!r} was issued here", file=str(folder / AWARDS_DIR), field="NUMBER"
        )
    )
