"""Is this logo or credential genuine, and does the award hold on a day?

What is checked, in order (Open Badges 3.0, "Verify a Credential" for a VC-JWT):

1. the file holds exactly one baked credential (SVG ``openbadges:credential``, PNG ``iTXt``
   ``openbadgecredential``) or is a compact JWS;
2. its header names the scheme's algorithm and a key of the scheme's published key set
   (``jwks.json`` of the register), and the signature is that key's;
3. the payload's ``iss``, ``sub``, ``jti``, ``nbf`` and ``exp`` equal the credential's
   ``issuer.id``, ``credentialSubject.id``, ``id``, ``validFrom`` and ``validUntil``, and it is
   an award as nums writes them;
4. for an SVG, the words the picture shows are those the credential makes (``logo.lines``);
5. the status list does not withdraw it on or before the day asked about: for a credential
   whose ``credentialStatus`` is a ``BitstringStatusListEntry``, the bit at its index in the
   register's signed ``status-list.jwt`` (checked with the same key set, and refused when it
   is not a revocation list of at least 131,072 entries), with the day and any public reason
   from the 1EdTech list; for one issued before that list, the 1EdTech list alone;
6. the day lies between ``validFrom`` and ``validUntil``.

The register is a folder (offline) or an http(s) address; nothing is fetched for a folder.
"""

from __future__ import annotations

import base64
import json
import urllib.error
import urllib.request
from dataclasses import asdict, dataclass, field, replace
from datetime import date, timedelta
from pathlib import Path
from typing import Any

from nums.awards import bitstring, logo
from nums.awards.credential import STATUS_FILE, AwardFacts, facts_from, jwt_claims
from nums.awards.keys import JWKS_FILE, SIGNING_ALGORITHM, checked_jwks, read_jwks
from nums.awards.status import Withdrawal, checked_status, read_status, withdrawal_of
from nums.errors import NumsError, Problem

VALID, EXPIRED, WITHDRAWN, NOT_YET, NOT_GENUINE = (
    "valid",
    "expired",
    "withdrawn",
    "not yet valid",
    "not genuine",
)
EXIT_CODES = {VALID: 0, EXPIRED: 3, WITHDRAWN: 4, NOT_YET: 5, NOT_GENUINE: 6}
"""What ``nums verify`` exits with: 0 valid; 3 expired; 4 withdrawn; 5 not yet valid; 6 not
genuine; 2 (as every nums command) when a file cannot be read or the register is not one."""
MAX_FILE_BYTES = 20_000_000  # a logo is tens of kilobytes; anything past this is not one
FETCH_TIMEOUT_SECONDS = 20


@dataclass(frozen=True)
class Register:
    """The scheme's published key set and status list."""

    jwks: dict[str, Any]
    status: dict[str, Any]
    where: str
    status_bits: bytes | None = None  # the signed Bitstring Status List's bits, when published


@dataclass(frozen=True)
class Verdict:
    status: str
    file: str
    on: date
    why: str = ""  # for not genuine: what did not match
    facts: AwardFacts | None = None
    withdrawal: Withdrawal | None = None
    since: date | None = None  # expired: the first day it no longer held
    details: dict[str, Any] = field(default_factory=dict)

    @property
    def exit_code(self) -> int:
        return EXIT_CODES[self.status]

    def line(self) -> str:
        """One line a person (or grep) reads."""
        if self.status == NOT_GENUINE or self.facts is None:
            return f"not genuine: {self.why}"
        f = self.facts
        what = f"{f.level_name}, {f.title} ({f.institution}), certificate {f.number}"
        if self.status == VALID:
            return f"valid: {what}, until {f.valid_until}"
        if self.status == EXPIRED:
            return f"expired: {what}, since {self.since} (valid until {f.valid_until})"
        if self.status == NOT_YET:
            return f"not yet valid: {what}, from {f.valid_from}"
        assert self.withdrawal is not None
        when = f" on {self.withdrawal.on}" if self.withdrawal.on else ""
        reason = f": {self.withdrawal.reason}" if self.withdrawal.reason else " (the reason is not public)"
        return f"withdrawn{when}: {what}{reason}"

    def as_json(self) -> dict[str, Any]:
        data: dict[str, Any] = {"status": self.status, "file": self.file, "on": self.on.isoformat()}
        if self.why:
            data["why"] = self.why
        if self.facts is not None:
            f = asdict(self.facts)
            data.update(
                level=f["level"],
                level_name=f["level_name"],
                programmes=list(f["programmes"]),
                institution=f["institution"],
                valid_from=self.facts.valid_from.isoformat(),
                valid_until=self.facts.valid_until.isoformat(),
                certificate=self.facts.number,
                edition=self.facts.edition,
                page=self.facts.page,
            )
        if self.since:
            data["since"] = self.since.isoformat()
        if self.withdrawal is not None:
            data["withdrawn"] = self.withdrawal.on.isoformat() if self.withdrawal.on else None
            data["reason"] = self.withdrawal.reason
        return data


class NotGenuine(Exception):
    """What did not match, in words."""


def load_register(where: str) -> Register:
    """A register folder (or the issuing folder), or an http(s) address to fetch it from."""
    if where.startswith(("https://", "http://")):
        base = where.rstrip("/")
        jwks = checked_jwks(_fetch_json(f"{base}/{JWKS_FILE}"), f"{base}/{JWKS_FILE}")
        status = checked_status(_fetch_json(f"{base}/{STATUS_FILE}"), f"{base}/{STATUS_FILE}")
        listed = _fetch_text(f"{base}/{bitstring.LIST_FILE}")
        return _with_list(Register(jwks, status, base), listed, f"{base}/{bitstring.LIST_FILE}")
    folder = Path(where)
    if not folder.is_dir():
        raise NumsError(
            Problem("is not a register folder or an http(s) address", field="--register", file=where)
        )
    if not (folder / JWKS_FILE).is_file():
        raise NumsError(
            Problem(f"holds no {JWKS_FILE}: the scheme's published key", file=str(folder / JWKS_FILE))
        )
    register = Register(read_jwks(folder / JWKS_FILE), read_status(folder / STATUS_FILE), str(folder))
    path = folder / bitstring.LIST_FILE
    if not path.exists():
        return register
    try:
        if path.stat().st_size > MAX_FILE_BYTES:
            raise NumsError(Problem("is too large to be a status list", file=str(path)))
        listed = path.read_text(encoding="ascii")
    except (OSError, UnicodeDecodeError) as exc:
        raise NumsError(Problem(f"cannot be read as a status list: {exc}", file=str(path))) from None
    return _with_list(register, listed, str(path))


def _with_list(register: Register, token: str | None, where: str) -> Register:
    """The register with its signed Bitstring Status List, checked: signed by a key of the
    register's key set, and a revocation list as the specification defines one."""
    if token is None:
        return register
    try:
        bits = bitstring.checked_list(checked_signature(token.strip(), register))
    except (NotGenuine, bitstring.BadList) as why:
        raise NumsError(Problem(f"is not the scheme's status list: {why}", file=where)) from None
    return replace(register, status_bits=bits)


def withdrawal_for(register: Register, facts: AwardFacts) -> Withdrawal | None:
    """Whether the register withdraws this award, and when and why if it says. A credential
    with a place in the Bitstring Status List is withdrawn exactly when its bit is set (the
    signed list is the authority; the 1EdTech list adds the day and the reason)."""
    recorded = withdrawal_of(register.status, facts.page)
    if facts.status_index is None:
        return recorded
    if register.status_bits is None:
        raise NumsError(
            Problem(
                f"holds no {bitstring.LIST_FILE}, the signed status list this award's status is in",
                file=register.where,
            )
        )
    try:
        withdrawn = bitstring.is_set(register.status_bits, facts.status_index)
    except bitstring.BadList as why:
        raise NumsError(Problem(f"the status list cannot say: {why}", file=register.where)) from None
    if not withdrawn:
        return None
    return recorded or Withdrawal(facts.page, facts.number, None, None)  # type: ignore[arg-type]


def _fetch_text(url: str) -> str | None:
    try:
        with urllib.request.urlopen(url, timeout=FETCH_TIMEOUT_SECONDS) as response:
            return response.read(MAX_FILE_BYTES).decode("ascii")
    except urllib.error.HTTPError as exc:
        if exc.code == 404:
            return None
        raise NumsError(Problem(f"cannot be fetched: {exc}", file=url)) from None
    except (OSError, ValueError) as exc:
        raise NumsError(Problem(f"cannot be fetched: {exc}", file=url)) from None


def _fetch_json(url: str) -> Any:
    try:
        with urllib.request.urlopen(url, timeout=FETCH_TIMEOUT_SECONDS) as response:
            return json.loads(response.read(MAX_FILE_BYTES))
    except (OSError, ValueError) as exc:
        raise NumsError(Problem(f"cannot be fetched: {exc}", file=url)) from None


def read_file(path: Path) -> bytes:
    try:
        if path.stat().st_size > MAX_FILE_BYTES:
            raise NumsError(Problem("is too large to be a logo or a credential", file=str(path)))
        return path.read_bytes()
    except OSError as exc:
        raise NumsError(Problem(f"cannot be read: {exc.strerror or exc}", file=str(path))) from None


def verify(path: Path, register: Register, on: date) -> Verdict:
    data = read_file(path)
    try:
        facts = _genuine(data, register)
    except NotGenuine as why:
        return Verdict(NOT_GENUINE, str(path), on, why=str(why))
    withdrawal = withdrawal_for(register, facts)
    if withdrawal is not None and (withdrawal.on is None or withdrawal.on <= on):
        return Verdict(WITHDRAWN, str(path), on, facts=facts, withdrawal=withdrawal)
    if on < facts.valid_from:
        return Verdict(NOT_YET, str(path), on, facts=facts)
    if on > facts.valid_until:
        return Verdict(EXPIRED, str(path), on, facts=facts, since=facts.valid_until + timedelta(days=1))
    return Verdict(VALID, str(path), on, facts=facts)


def _genuine(data: bytes, register: Register) -> AwardFacts:
    shown: dict[str, str] | None = None
    try:
        if data.startswith(logo.PNG_SIGNATURE):
            token = logo.png_credential(data)
        elif data.lstrip(b"\xef\xbb\xbf \t\r\n").startswith(b"<"):
            token, shown = logo.svg_parts(data)
        elif data.lstrip().startswith(b"{"):
            raise NotGenuine(
                "this is a credential's JSON without its signature: verify its credential.jwt or the logo, "
                "which carry the signature"
            )
        else:
            token = data.decode("utf-8").strip()
    except (ValueError, UnicodeDecodeError) as exc:
        raise NotGenuine(str(exc)) from None
    payload = checked_signature(token, register)
    facts = _award(payload)
    if shown is not None and shown != logo.expected_texts(facts):
        raise NotGenuine("the logo's picture does not say what its credential says")
    return facts


def _part(segment: str) -> Any:
    return json.loads(base64.urlsafe_b64decode(segment + "=" * (-len(segment) % 4)))


def checked_signature(token: str, register: Register) -> dict[str, Any]:
    """The payload of a compact JWS signed by a key of the register's key set."""
    from joserfc import jws
    from joserfc.errors import JoseError
    from joserfc.jwk import KeySet

    segments = token.split(".")
    if len(segments) != 3:
        raise NotGenuine("the credential is not a signed JWT (a compact JWS of three parts)")
    try:
        header = _part(segments[0])
    except (ValueError, TypeError):
        raise NotGenuine("the credential's JWT header cannot be read") from None
    if not isinstance(header, dict) or header.get("alg") != SIGNING_ALGORITHM:
        raise NotGenuine(f"the credential is not signed with the scheme's algorithm ({SIGNING_ALGORITHM})")
    kid = header.get("kid")
    keys = [k for k in register.jwks["keys"] if k.get("kid") == kid]
    if not keys:
        raise NotGenuine(
            f"it is signed with a key that is not the scheme's (key {kid!r} is not in {register.where})"
        )
    try:
        result = jws.deserialize_compact(
            token, KeySet.import_key_set({"keys": keys}), algorithms=[SIGNING_ALGORITHM]
        )
        payload = json.loads(result.payload)
    except (JoseError, ValueError, TypeError):
        raise NotGenuine(
            "the signature does not match the credential: it was changed after signing"
        ) from None
    if not isinstance(payload, dict):
        raise NotGenuine("the signed payload is not a credential")
    return payload


def _award(payload: dict[str, Any]) -> AwardFacts:
    try:
        if "OpenBadgeCredential" not in payload["type"]:
            raise NotGenuine("the signed payload is not an OpenBadgeCredential")
        claims = jwt_claims(payload)
        for claim, source in (
            ("iss", "issuer.id"),
            ("sub", "credentialSubject.id"),
            ("jti", "id"),
            ("nbf", "validFrom"),
            ("exp", "validUntil"),
        ):
            if payload.get(claim) != claims[claim]:
                raise NotGenuine(f"the JWT's {claim} does not match the credential's {source}")
        facts = facts_from(payload)
    except (KeyError, ValueError, TypeError, IndexError, AttributeError):
        raise NotGenuine("the signed payload is not an award as the scheme issues them") from None
    if facts.valid_until < facts.valid_from:
        raise NotGenuine("the credential ends before it starts")
    return facts
