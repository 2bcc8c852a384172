"""The W3C Bitstring Status List v1.0 (Recommendation, 15 May 2025) of the scheme's awards.

Each credential issued since this module exists carries one ``credentialStatus``::

    {"id": "REGISTER/status-list.jwt#INDEX", "type": "BitstringStatusListEntry",
     "statusPurpose": "revocation", "statusListIndex": "INDEX",
     "statusListCredential": "REGISTER/status-list.jwt"}

and the register publishes ``status-list.jwt``: a ``BitstringStatusListCredential`` signed as
the awards are (a VC-JWT with the scheme's Ed25519 key: the specification's 3.6, "the same
securing mechanism ... for both"), whose ``credentialSubject`` is a ``BitstringStatusList``
with ``statusPurpose: revocation`` and ``encodedList``, the bitstring GZIP-compressed and
Multibase-encoded as base64url without padding (a leading ``u``). Bit 0 is the left-most bit
of the first byte (section 7.1). The list holds 131,072 entries, the specification's minimum
"for herd privacy" (16 KB uncompressed); a verifier refuses a shorter one.

Indexes are the specification's "SHOULD assign indexes randomly": a keyed hash of the
certificate number under the scheme's private key, so nobody without the key can tell the
order of issue from an index, and the same award signed by the same key gets the same index
(issuing stays deterministic). A collision takes the next free index.

Revocation is not reversible here either (the specification's "revocation ... is not
reversible"). The list carries no dates or reasons; the 1EdTech list (``status.py``) keeps
when and why, and says so for credentials issued before this list existed.
"""

from __future__ import annotations

import base64
import gzip
import hashlib
import hmac
import json
import zlib
from collections.abc import Collection, Iterable
from datetime import UTC, date, datetime
from typing import Any

from nums.awards.keys import SIGNING_ALGORITHM, SigningKey

VC_CONTEXT = "https://www.w3.org/ns/credentials/v2"  # it defines every term the list uses
LIST_FILE = "status-list.jwt"
LIST_MEDIA_TYPE = "application/jwt"  # a compact JWS, as the awards' own credential.jwt
ENTRY_TYPE = "BitstringStatusListEntry"
LIST_CREDENTIAL_TYPE = "BitstringStatusListCredential"
LIST_TYPE = "BitstringStatusList"
PURPOSE = "revocation"
ENTRIES = 131_072  # the specification's minimumNumberOfEntries (section 3.2) and default size
MAX_UNCOMPRESSED = 16 * 1024 * 1024  # a list of 128 million entries; a larger one is a zip bomb


class BadList(ValueError):
    """A status list that is not one, in words."""


def list_address(register: str) -> str:
    return f"{register}/{LIST_FILE}"


def entry(register: str, index: int) -> dict[str, Any]:
    """The ``credentialStatus`` of the award at ``index`` (its ``id`` names the entry, never the list)."""
    where = list_address(register)
    return {
        "id": f"{where}#{index}",
        "type": ENTRY_TYPE,
        "statusPurpose": PURPOSE,
        "statusListIndex": str(index),
        "statusListCredential": where,
    }


def index_for(signing: SigningKey, number: str, taken: Collection[int]) -> int:
    """The award's place in the list: HMAC-SHA256 of its number under the private key, modulo
    the list's size; the next free place when that one is taken."""
    secret = signing.key.as_dict(private=True)["d"].encode("ascii")
    digest = hmac.new(secret, b"nums status list index:" + number.encode("utf-8"), hashlib.sha256)
    start = int.from_bytes(digest.digest()[:8], "big") % ENTRIES
    for step in range(ENTRIES):
        index = (start + step) % ENTRIES
        if index not in taken:
            return index
    raise BadList(f"the status list's {ENTRIES} places are all taken")


def encode(revoked: Iterable[int], size: int = ENTRIES) -> str:
    """The ``encodedList`` with the bits of ``revoked`` set (section 3.3)."""
    bits = bytearray(size // 8)
    for index in revoked:
        bits[index // 8] |= 0x80 >> (index % 8)
    packed = gzip.compress(bytes(bits), compresslevel=9, mtime=0)  # mtime 0: the same list, the same bytes
    return "u" + base64.urlsafe_b64encode(packed).decode("ascii").rstrip("=")


def decode(encoded: Any) -> bytes:
    """The bitstring of an ``encodedList`` (section 3.4), refused in words when it is not one."""
    if not isinstance(encoded, str) or not encoded.startswith("u"):
        raise BadList("its encodedList is not Multibase base64url (it must start with 'u')")
    body = encoded[1:]
    try:
        packed = base64.urlsafe_b64decode(body + "=" * (-len(body) % 4))
        inflater = zlib.decompressobj(wbits=31)  # 31: a GZIP member, as RFC 1952 frames it
        bits = inflater.decompress(packed, MAX_UNCOMPRESSED)
    except (ValueError, zlib.error):
        raise BadList("its encodedList is not a GZIP-compressed bitstring") from None
    if inflater.unconsumed_tail:
        raise BadList(f"its bitstring is larger than {MAX_UNCOMPRESSED} bytes")
    if len(bits) * 8 < ENTRIES:
        raise BadList(
            f"its bitstring holds {len(bits) * 8} entries; the specification asks at least {ENTRIES}"
        )
    return bits


def is_set(bits: bytes, index: int) -> bool:
    if not 0 <= index < len(bits) * 8:
        raise BadList(f"index {index} is outside the status list")
    return bool(bits[index // 8] & (0x80 >> (index % 8)))


def list_credential(
    register: str, issuer: dict[str, Any], revoked: Iterable[int], valid_from: date
) -> dict[str, Any]:
    """The unsigned ``BitstringStatusListCredential`` (section 2.2) with ``revoked`` set."""
    where = list_address(register)
    return {
        "@context": [VC_CONTEXT],
        "id": where,
        "type": ["VerifiableCredential", LIST_CREDENTIAL_TYPE],
        "issuer": issuer,
        "validFrom": f"{valid_from.isoformat()}T00:00:00Z",
        "credentialSubject": {
            "id": f"{where}#list",
            "type": LIST_TYPE,
            "statusPurpose": PURPOSE,
            "encodedList": encode(sorted(set(revoked))),
        },
    }


def sign_list(payload: dict[str, Any], signing: SigningKey) -> str:
    from joserfc import jws

    start = datetime.strptime(payload["validFrom"], "%Y-%m-%dT%H:%M:%SZ").replace(tzinfo=UTC)
    claims = {
        **payload,
        "iss": payload["issuer"]["id"],
        "jti": payload["id"],
        "sub": payload["credentialSubject"]["id"],
        "nbf": int(start.timestamp()),
    }
    header = {"alg": SIGNING_ALGORITHM, "kid": signing.kid, "typ": "JWT"}
    body = json.dumps(claims, ensure_ascii=False, sort_keys=True, separators=(",", ":"))
    return jws.serialize_compact(header, body.encode("utf-8"), signing.key, algorithms=[SIGNING_ALGORITHM])


def checked_list(payload: Any) -> bytes:
    """The bitstring of a (signature-checked) status list credential, refused when it is not a
    revocation list as section 2.2 defines one."""
    if not isinstance(payload, dict):
        raise BadList("it is not a credential")
    types = payload.get("type")
    if not isinstance(types, list) or LIST_CREDENTIAL_TYPE not in types:
        raise BadList(f"its type does not include {LIST_CREDENTIAL_TYPE}")
    subject = payload.get("credentialSubject")
    if not isinstance(subject, dict) or subject.get("type") != LIST_TYPE:
        raise BadList(f"its credentialSubject is not a {LIST_TYPE}")
    purposes = subject.get("statusPurpose")
    purposes = [purposes] if isinstance(purposes, str) else purposes
    if not isinstance(purposes, list) or PURPOSE not in purposes:
        raise BadList("it is not a revocation list (statusPurpose)")
    return decode(subject.get("encodedList"))


def entry_index(status: Any, register_list: str | None = None) -> int | None:
    """The index of a credential's ``BitstringStatusListEntry``; None when its status is another
    kind (the 1EdTech list). Raises ``BadList`` for an entry that breaks section 2.1."""
    if not isinstance(status, dict) or status.get("type") != ENTRY_TYPE:
        return None
    if status.get("statusPurpose") != PURPOSE:
        raise BadList("its status entry's statusPurpose is not revocation")
    raw = status.get("statusListIndex")
    if not isinstance(raw, str) or not raw.isdecimal() or not raw.isascii():
        raise BadList("its statusListIndex is not a whole number written in base 10")
    if register_list is not None and status.get("statusListCredential") != register_list:
        raise BadList("its status list is not the register's")
    return int(raw)
