"""The status list: which awards have been withdrawn, when, and (if public) why.

It is a 1EdTech Revocation List, the status method Open Badges 3.0 names for
``credentialStatus`` (``type: 1EdTechRevocationList``): a JSON document listing each withdrawn
credential's ``id`` with ``revoked: true`` and, where the scheme makes it public, a
``revocationReason``. nums adds ``withdrawn`` (the day) and ``number`` (the certificate). The
issuing folder's list also keeps a reason that is not public, marked ``reasonPublic: false``;
the register publishes the list without it (``published``).

Checked against: the 1EdTech Revocation List specification itself was not in the material this
was built from. The shape follows what Open Badges 3.0 issuers and verifiers publish (a list
``id``, ``revokedCredentials`` whose entries carry the credential's ``id`` and ``revoked:
true``); ``revocationReason`` is the name as remembered from the specification, unconfirmed.
Verifiers that skip this older method (several treat it as legacy) still see a withdrawal in
the signed W3C Bitstring Status List (``bitstring.py``), which is the authority.

``withdraw`` is the one function that withdraws an award: ``nums award withdraw`` calls it, and
the site's admin will call it too.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import date
from pathlib import Path
from typing import Any

from nums.awards.credential import STATUS_FILE, STATUS_TYPE
from nums.awards.jsonfile import read_json_file
from nums.errors import NumsError, Problem
from nums.limits import MAX_TEXT_CHARACTERS
from nums.writing import write_text_atomically

MAX_STATUS_BYTES = 50_000_000  # far past a list of every award the scheme could make


@dataclass(frozen=True)
class Withdrawal:
    credential: str
    number: str
    on: date
    reason: str | None  # None when the reason is not public (or there is none)


def empty_list(address: str) -> dict[str, Any]:
    return {"id": address, "type": STATUS_TYPE, "revokedCredentials": []}


def read_status(path: Path) -> dict[str, Any]:
    """A status list file, or an empty list when there is none yet."""
    if not path.exists():
        return empty_list(STATUS_FILE)
    return checked_status(read_json_file(path, MAX_STATUS_BYTES, "a status list"), str(path))


def checked_status(data: Any, where: str) -> dict[str, Any]:
    entries = data.get("revokedCredentials") if isinstance(data, dict) else None
    if not isinstance(entries, list) or not all(
        isinstance(e, dict) and isinstance(e.get("id"), str) for e in entries
    ):
        raise NumsError(Problem("is not a status list (no revokedCredentials with ids)", file=where))
    return data


def withdrawal_of(status: dict[str, Any], credential_id: str) -> Withdrawal | None:
    for entry in status["revokedCredentials"]:
        if entry["id"] == credential_id and entry.get("revoked", True) is True:
            public = entry.get("reasonPublic", True) is not False
            reason = entry.get("revocationReason") if public else None
            try:
                on = date.fromisoformat(str(entry.get("withdrawn", "")))
            except ValueError:
                on = None  # type: ignore[assignment]
            return Withdrawal(
                credential_id, str(entry.get("number", "")), on, reason if isinstance(reason, str) else None
            )
    return None


def withdraw(
    folder: Path, credential_id: str, number: str, reason: str, on: date, public: bool = True
) -> Withdrawal:
    """Add the award to the issuing folder's status list (refused when it is already there)."""
    reason = reason.strip()
    if not reason:
        raise NumsError(Problem("say why the award is withdrawn", field="--reason"))
    if len(reason) > MAX_TEXT_CHARACTERS:
        raise NumsError(Problem(f"is longer than {MAX_TEXT_CHARACTERS} characters", field="--reason"))
    path = folder / STATUS_FILE
    status = read_status(path)
    if withdrawal_of(status, credential_id) is not None:
        raise NumsError(Problem(f"award {number} is already withdrawn", file=str(path)))
    entry = {
        "id": credential_id,
        "revoked": True,
        "revocationReason": reason,
        "reasonPublic": public,
        "withdrawn": on.isoformat(),
        "number": number,
    }
    status["revokedCredentials"].append(entry)
    write_text_atomically(path, json.dumps(status, indent=2, ensure_ascii=False) + "\n")
    return Withdrawal(credential_id, number, on, reason if public else None)


def published(status: dict[str, Any], address: str) -> dict[str, Any]:
    """The list as the register publishes it: reasons that are not public left out."""
    entries = []
    for entry in status["revokedCredentials"]:
        shown = {k: v for k, v in entry.items() if k != "reasonPublic"}
        if entry.get("reasonPublic", True) is False:
            shown.pop("revocationReason", None)
        entries.append(shown)
    return {**empty_list(address), "revokedCredentials": entries}
