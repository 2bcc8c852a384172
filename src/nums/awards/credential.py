"""The award as an Open Badges 3.0 ``OpenBadgeCredential``, signed as a VC-JWT.

Open Badges 3.0, "JSON Web Token Proof Format": the JWT payload is the credential itself, with
``iss`` (``issuer.id``), ``jti`` (``id``), ``nbf`` (``validFrom``), ``exp`` (``validUntil``) and
``sub`` (``credentialSubject.id``); the JOSE header holds only ``alg``, ``kid`` and ``typ``.

Every level and date comes from the review's ``Outcome`` (``review_outcome``), never
recomputed: the credential says what the letter says. An award is valid from the first moment
of ``valid_from`` to the last moment of ``valid_until`` (both UTC): the review's dates are
whole days, and the standard's year ends on the last valid day.
"""

from __future__ import annotations

import json
import uuid
from dataclasses import dataclass
from datetime import UTC, date, datetime, time
from typing import Any

from nums.awards import bitstring
from nums.awards.keys import SIGNING_ALGORITHM, SigningKey

OB_CONTEXT = (
    "https://www.w3.org/ns/credentials/v2",
    "https://purl.imsglobal.org/spec/ob/v3p0/context-3.0.3.json",
)
STATUS_TYPE = "1EdTechRevocationList"
STATUS_FILE = "status.json"
PROGRAMME_NAMESPACE = uuid.UUID("5f1d6a2e-7c0b-4f57-9a55-4e8d2f0b6c31")  # nums' own, for subject ids
END_OF_DAY = time(23, 59, 59)


@dataclass(frozen=True)
class AwardFacts:
    """What one award says, as decided: the certificate, the logo and the credential show this."""

    number: str
    edition: str  # the edition's id, e.g. nums-2021
    scheme: str  # the standard's title
    level: str
    level_name: str
    programmes: tuple[str, ...]
    institution: str
    valid_from: date
    valid_until: date
    issued: date  # the review's date: when the award was decided
    issuer_name: str
    issuer_website: str | None
    register: str  # the register's public address
    criteria: str
    status_index: int | None = None  # its place in the Bitstring Status List; None: the 1EdTech list

    @property
    def title(self) -> str:
        return " · ".join(self.programmes)

    @property
    def page(self) -> str:
        """The award's page on the register: its verification address."""
        return f"{self.register}/awards/{self.number}.html"

    @property
    def status_list(self) -> str:
        return f"{self.register}/{STATUS_FILE}"


def subject_id(programmes: tuple[str, ...], institution: str) -> str:
    """A stable URI for the programme(s): the same names give the same id on every renewal."""
    key = json.dumps([institution.casefold(), sorted(p.casefold() for p in programmes)], ensure_ascii=False)
    return f"urn:uuid:{uuid.uuid5(PROGRAMME_NAMESPACE, key)}"


def moment(day: date, at: time = time(0, 0)) -> str:
    return datetime.combine(day, at, tzinfo=UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


def credential(facts: AwardFacts) -> dict[str, Any]:
    """The ``OpenBadgeCredential`` for the award (without its proof: the JWT is the proof)."""
    level = facts.level_name
    achievement = {
        "id": f"{facts.register}/levels/{facts.edition}/{facts.level}",
        "type": ["Achievement"],
        "achievementType": "QualityAssuranceCredential",
        "name": f"{facts.scheme}: {level}",
        "description": f"Accreditation at {level} against the {facts.scheme} ({facts.edition}).",
        "criteria": {
            "id": facts.criteria,
            "narrative": f"The criteria of {level} and the levels below it in the {facts.scheme}, "
            "decided by an assessor criterion by criterion.",
        },
        "humanCode": f"{facts.edition}:{facts.level}",
        "tag": [facts.edition, facts.level],
    }
    identifiers = [
        {"type": "IdentityObject", "hashed": False, "identityHash": name, "identityType": "name"}
        for name in facts.programmes
    ]
    identifiers.append(
        {
            "type": "IdentityObject",
            "hashed": False,
            "identityHash": facts.institution,
            "identityType": "ext:institution",
        }
    )
    issuer: dict[str, Any] = {
        "id": facts.issuer_website or facts.register,
        "type": ["Profile"],
        "name": facts.issuer_name,
    }
    if facts.issuer_website:
        issuer["url"] = facts.issuer_website
    return {
        "@context": list(OB_CONTEXT),
        "id": facts.page,
        "type": ["VerifiableCredential", "OpenBadgeCredential"],
        "name": f"{level}: {facts.title}, {facts.institution}",
        "description": f"Certificate {facts.number}: {facts.title} ({facts.institution}) holds {level} "
        f"of the {facts.scheme} from {facts.valid_from} until {facts.valid_until}.",
        "issuer": issuer,
        "validFrom": moment(facts.valid_from),
        "validUntil": moment(facts.valid_until, END_OF_DAY),
        "awardedDate": moment(facts.issued),
        "credentialSubject": {
            "id": subject_id(facts.programmes, facts.institution),
            "type": ["AchievementSubject"],
            "identifier": identifiers,
            "licenseNumber": facts.number,
            "achievement": achievement,
        },
        "credentialStatus": _status(facts),
    }


def _status(facts: AwardFacts) -> dict[str, Any]:
    """The award's entry in the W3C Bitstring Status List; awards issued before it existed
    point at the 1EdTech list instead (and keep verifying: the register publishes both)."""
    if facts.status_index is None:
        return {"id": facts.status_list, "type": STATUS_TYPE}
    return bitstring.entry(facts.register, facts.status_index)


def _numeric(stamp: str) -> int:
    return int(datetime.strptime(stamp, "%Y-%m-%dT%H:%M:%SZ").replace(tzinfo=UTC).timestamp())


def jwt_claims(payload: dict[str, Any]) -> dict[str, Any]:
    """The credential with the registered claims Open Badges 3.0 requires of a VC-JWT."""
    return {
        **payload,
        "iss": payload["issuer"]["id"],
        "jti": payload["id"],
        "sub": payload["credentialSubject"]["id"],
        "nbf": _numeric(payload["validFrom"]),
        "exp": _numeric(payload["validUntil"]),
    }


def sign(payload: dict[str, Any], signing: SigningKey) -> str:
    """The compact JWS of the credential (deterministic: Ed25519 signatures are)."""
    from joserfc import jws

    header = {"alg": SIGNING_ALGORITHM, "kid": signing.kid, "typ": "JWT"}
    body = json.dumps(jwt_claims(payload), ensure_ascii=False, sort_keys=True, separators=(",", ":"))
    return jws.serialize_compact(header, body.encode("utf-8"), signing.key, algorithms=[SIGNING_ALGORITHM])


def facts_from(payload: dict[str, Any]) -> AwardFacts:
    """The award a (verified) credential states: the inverse of ``credential``. Raises
    ``KeyError``/``ValueError``/``TypeError`` for a credential nums did not make."""
    subject = payload["credentialSubject"]
    achievement = subject["achievement"]
    edition, level = achievement["humanCode"].split(":", 1)
    names = [i["identityHash"] for i in subject["identifier"] if i["identityType"] == "name"]
    institution = [i["identityHash"] for i in subject["identifier"] if i["identityType"] == "ext:institution"]
    scheme, _, level_name = achievement["name"].rpartition(": ")
    page = payload["id"]
    register = page.rsplit("/awards/", 1)[0]
    issuer = payload["issuer"]
    return AwardFacts(
        number=subject["licenseNumber"],
        edition=edition,
        scheme=scheme,
        level=level,
        level_name=level_name,
        programmes=tuple(names),
        institution=institution[0],
        valid_from=date.fromisoformat(payload["validFrom"][:10]),
        valid_until=date.fromisoformat(payload["validUntil"][:10]),
        issued=date.fromisoformat(payload["awardedDate"][:10]),
        issuer_name=issuer["name"],
        issuer_website=issuer.get("url"),
        register=register,
        criteria=achievement["criteria"]["id"],
        status_index=bitstring.entry_index(payload.get("credentialStatus")),
    )
