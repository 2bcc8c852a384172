"""The edition's award data (``awards.yaml`` beside ``prices.yaml``) and the issuer it names.

The issuer is not repeated here: ``prices.yaml``'s ``issuer:`` names who awards the
accreditation, and the certificate and credential use that entry.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from pathlib import Path

from pydantic import Field

from nums.errors import NumsError, Problem
from nums.limits import MAX_URL_CHARACTERS
from nums.models import Frozen, read_document
from nums.prices import Issuer, price_list_on
from nums.standard import Edition

AWARDS_FILE = "awards.yaml"


class AwardsFile(Frozen):
    register_address: str = Field(
        alias="register", min_length=8, max_length=MAX_URL_CHARACTERS, pattern=r"^https?://\S+$"
    )
    criteria: str = Field(min_length=8, max_length=MAX_URL_CHARACTERS, pattern=r"^https?://\S+$")
    certificate_prefix: str = Field(pattern=r"^[A-Z0-9]{2,12}$")


@dataclass(frozen=True)
class AwardSettings:
    """What an award of this edition is issued with."""

    register: str  # the register's public address, without a trailing slash
    criteria: str
    certificate_prefix: str
    issuer: Issuer


def award_settings(edition: Edition, on: date, register: str | None = None) -> AwardSettings:
    """The edition's award data, the issuer of the price list in force ``on``, and the register's
    address (``register`` when given, else the edition's)."""
    path = Path(edition.folder) / AWARDS_FILE
    if not path.is_file():
        raise NumsError(
            Problem(
                f"the edition {edition.id} has no {AWARDS_FILE}, so it says nothing about awards",
                file=str(path),
            )
        )
    problems: list[Problem] = []
    _, data = read_document(path, AwardsFile, problems)
    if problems or data is None:
        raise NumsError(problems)
    issuer = price_list_on(edition.price_lists, on).issuer
    if issuer is None:
        raise NumsError(
            Problem("the price list names no issuer: who awards the accreditation", file=edition.folder)
        )
    address = register if register is not None else data.register_address
    if not address.startswith(("https://", "http://")) or any(c.isspace() for c in address):
        raise NumsError(Problem("must be a web address (https://...)", field="--register-address"))
    return AwardSettings(address.rstrip("/"), data.criteria, data.certificate_prefix, issuer)
