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
folder or fails), so two issues running at once cannot take the same number.

An award is issued once. Its identity is the institution, the programme(s) and the dates it is
valid (``award_key``): the same review issued again, or another review deciding the same
programmes for the same dates, is refused in words and writes nothing. The refusal is made
atomic by a claim, ``FOLDER/awards/.claims/KEY`` created with ``mkdir``, so two issues at once
cannot both pass it. A renewal is a new award (new dates, a new number); a withdrawn award
stays issued, so its dates cannot be issued again.
"""

from __future__ import annotations

import base64
import hashlib
import json
import os
import shutil
from dataclasses import dataclass
from datetime import date
from pathlib import Path
from typing import Any

from nums.awards import bitstring, logo
from nums.awards.credential import STATUS_FILE, AwardFacts, credential, sign
from nums.awards.keys import JWKS_FILE, SigningKey, public_jwks, read_jwks
from nums.awards.settings import AwardSettings
from nums.awards.status import Withdrawal, read_status, withdraw, withdrawal_of
from nums.awards.verify import NotGenuine, checked_signature, load_register
from nums.errors import NumsError, Problem
from nums.outcome import FINAL, Outcome
from nums.writing import write_bytes_atomically, write_rendered, write_text_atomically

AWARDS_DIR = "awards"
CLAIMS_DIR = ".claims"
INDEX_CLAIM = "index-"  # .claims/index-N: place N of the status list is drawn
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

    @property
    def number(self) -> str:
        return self.facts.number

    @property
    def level(self) -> str:
        return self.facts.level

    @property
    def valid_from(self) -> date:
        return self.facts.valid_from

    @property
    def valid_until(self) -> date:
        return self.facts.valid_until

    @property
    def page(self) -> str:
        """The award's public address: its register page, which its QR code points to."""
        return self.facts.page


def award_facts(
    outcome: Outcome, settings: AwardSettings, number: str, status_index: int | None = None
) -> AwardFacts:
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
        status_index=status_index,
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


def award_key(institution: str, programmes: tuple[str, ...] | list[str], first: date, last: date) -> str:
    """What makes two awards the same award: who holds it and for which days (names compared
    as the subject id compares them, whatever their case or order)."""
    named = json.dumps(
        [
            institution.casefold(),
            sorted(p.casefold() for p in programmes),
            first.isoformat(),
            last.isoformat(),
        ],
        ensure_ascii=False,
    )
    return hashlib.sha256(named.encode("utf-8")).hexdigest()


def _key_of(outcome: Outcome) -> str:
    sub = outcome.submission
    assert outcome.valid_from is not None and outcome.valid_until is not None
    programmes = tuple(p.name for p in sub.programmes)
    return award_key(sub.programme.institution, programmes, outcome.valid_from, outcome.valid_until)


def issued_already(folder: Path, key: str) -> str | None:
    """The number of the award with this identity already issued here, or None."""
    for own, token in records(folder):
        facts = _unverified_facts(token)
        if facts is not None and key == award_key(
            facts.institution, facts.programmes, facts.valid_from, facts.valid_until
        ):
            return own.name
    claim = folder / AWARDS_DIR / CLAIMS_DIR / key
    if claim.is_dir():
        return "(being issued now)"
    return None


def issue(
    outcome: Outcome, settings: AwardSettings, signing: SigningKey, folder: Path, review_sha256: str = ""
) -> Issued:
    """Sign, record and render the award the final review ``outcome`` makes, once."""
    refusal = refusal_for(outcome)
    if refusal:
        raise NumsError(Problem(refusal, file=str(outcome.review.path), field="REVIEW"))
    key = _key_of(outcome)
    already = issued_already(folder, key)
    if already is not None:
        raise NumsError(_duplicate(outcome, already))
    claim = _claim(folder, key, outcome)
    try:
        _publish_key(folder, signing)
        number, own = _take_number(folder / AWARDS_DIR, number_stem(outcome, settings))
    except BaseException:
        claim.rmdir()
        raise
    try:
        index = _take_index(folder, signing, number)
        facts = award_facts(outcome, settings, number, index)
        payload = credential(facts)
        token = sign(payload, signing)
        issued = Issued(facts, token, own)
        _write(issued, payload, settings, {"award_key": key, "review_sha256": review_sha256})
        if not (folder / bitstring.LIST_FILE).exists():
            publish_status_list(folder, signing, payload["issuer"], facts.issued)
    except BaseException:
        shutil.rmtree(own, ignore_errors=True)  # nothing was issued: the number is free again
        claim.rmdir()
        raise
    return issued


def file_sha256(path: Path) -> str:
    """The review's fingerprint, kept in the award's record: which review made it."""
    try:
        return hashlib.sha256(path.read_bytes()).hexdigest()
    except OSError:
        return ""


def _duplicate(outcome: Outcome, number: str) -> Problem:
    sub = outcome.submission
    names = " · ".join(p.name for p in sub.programmes)
    return Problem(
        f"this award is already issued: {names} ({sub.programme.institution}) holds certificate "
        f"{number}, valid from {outcome.valid_from} until {outcome.valid_until}; an award is issued "
        "once (a renewal is a new review, with new dates)",
        file=str(outcome.review.path),
        field="REVIEW",
    )


def _claim(folder: Path, key: str, outcome: Outcome) -> Path:
    """Take the award's identity for this issue: ``mkdir`` makes the claim or finds it taken."""
    claims = folder / AWARDS_DIR / CLAIMS_DIR
    try:
        claims.mkdir(parents=True, exist_ok=True)
        (claims / key).mkdir()
    except FileExistsError:
        raise NumsError(_duplicate(outcome, "(being issued now)")) from None
    except OSError as exc:
        raise NumsError(Problem(f"cannot be made: {exc.strerror or exc}", file=str(claims))) from None
    return claims / key


def _unverified_facts(token: str) -> AwardFacts | None:
    """What a recorded credential says, read without its signature: for finding duplicates and
    places in the status list among the folder's own records, never for trusting them."""
    from nums.awards.credential import facts_from

    try:
        body = token.split(".")[1]
        payload = json.loads(base64.urlsafe_b64decode(body + "=" * (-len(body) % 4)))
        return facts_from(payload)
    except (IndexError, ValueError, KeyError, TypeError, AttributeError):
        return None


def _taken_indexes(folder: Path) -> set[int]:
    taken = set()
    for _, token in records(folder):
        facts = _unverified_facts(token)
        if facts is not None and facts.status_index is not None:
            taken.add(facts.status_index)
    return taken


def _take_index(folder: Path, signing: SigningKey, number: str) -> int:
    """The award's place in the status list, claimed so that no other issue running at the same
    time takes it: the places of recorded awards are taken, and ``mkdir`` of
    ``.claims/index-N`` either makes the claim or finds that an award being issued now holds N
    (its record is not written yet). A claim is kept, as the identity's claim is: a place once
    drawn is never drawn again, even when that issue failed (a lost place costs nothing)."""
    claims = folder / AWARDS_DIR / CLAIMS_DIR
    taken = _taken_indexes(folder)
    while True:
        index = bitstring.index_for(signing, number, taken)
        try:
            (claims / f"{INDEX_CLAIM}{index}").mkdir()
        except FileExistsError:
            taken.add(index)
            continue
        except OSError as exc:
            raise NumsError(Problem(f"cannot be made: {exc.strerror or exc}", file=str(claims))) from None
        return index


def publish_status_list(folder: Path, signing: SigningKey, issuer: dict[str, Any], on: date) -> None:
    """Sign and write the folder's Bitstring Status List: a bit set for every withdrawn award
    that has a place in it. Its ``validFrom`` is the day of the change, never earlier than the
    list it replaces."""
    status = read_status(folder / STATUS_FILE)
    revoked = []
    register = None
    for _, token in records(folder):
        facts = _unverified_facts(token)
        if facts is None or facts.status_index is None:
            continue
        register = facts.register
        if withdrawal_of(status, facts.page) is not None:
            revoked.append(facts.status_index)
    if register is None:
        return
    path = folder / bitstring.LIST_FILE
    start = max(on, _list_start(path) or on)
    payload = bitstring.list_credential(register, issuer, revoked, start)
    write_text_atomically(path, bitstring.sign_list(payload, signing) + "\n")


def _list_start(path: Path) -> date | None:
    try:
        body = path.read_text(encoding="ascii").strip().split(".")[1]
        payload = json.loads(base64.urlsafe_b64decode(body + "=" * (-len(body) % 4)))
        return date.fromisoformat(payload["validFrom"][:10])
    except (OSError, IndexError, ValueError, KeyError, TypeError):
        return None


def withdraw_award(
    folder: Path,
    number: str,
    reason: str,
    on: date,
    public: bool = True,
    signing: SigningKey | None = None,
) -> Withdrawal:
    """Withdraw award ``number`` of the issuing folder: the 1EdTech list records when and why, and
    the signed Bitstring Status List sets its bit (which needs the scheme's key). The one
    function that withdraws: ``nums award withdraw`` and the site's admin page call it."""
    own, token = find_record(folder, number)
    try:
        payload = checked_signature(token, load_register(str(folder)))
    except NotGenuine as why:
        raise NumsError(Problem(f"the recorded credential is not genuine: {why}", file=str(own))) from None
    facts = _unverified_facts(token)
    if facts is not None and facts.status_index is not None and signing is None:
        raise NumsError(
            Problem(
                "this award's status is in the signed status list, so withdrawing it needs the scheme's key",
                field="--key",
                suggestion="give --key DIR, the folder nums keys init made",
            )
        )
    done = withdraw(folder, payload["id"], number, reason, on, public=public)
    if signing is not None and facts is not None and facts.status_index is not None:
        publish_status_list(folder, signing, payload["issuer"], on)
    return done


def _write(issued: Issued, payload: dict[str, Any], settings: AwardSettings, more: dict[str, str]) -> None:
    from nums.awards.certificate import certificate_pdf  # WeasyPrint: only when issuing

    write_text_atomically(issued.path("jwt"), issued.jws + "\n")
    write_text_atomically(issued.path("json"), json.dumps(payload, indent=2, ensure_ascii=False) + "\n")
    logo_svg = logo.svg(issued.facts, issued.jws)
    write_text_atomically(issued.path("logo_svg"), logo_svg)
    write_bytes_atomically(issued.path("logo_png"), logo.png(issued.facts, issued.jws))
    write_rendered(
        issued.path("certificate"), lambda: certificate_pdf(issued.facts, settings.issuer.note, logo_svg)
    )
    record = {"number": issued.facts.number, "credential": issued.jws, "files": dict(FILES), **more}
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
