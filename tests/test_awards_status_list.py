"""Issue 24, "a status-list entry so it can be withdrawn", checked against the W3C Bitstring
Status List v1.0 (Recommendation, 15 May 2025): the entry (2.1), the list credential (2.2), the
validate algorithm (3.2), the bitstring's layout (7.1), and that credentials issued with the
1EdTech list before it keep verifying."""

from __future__ import annotations

import base64
import gzip
import json
from pathlib import Path
from typing import Any

import pytest

from nums.awards import bitstring
from nums.awards.credential import credential, facts_from, sign
from nums.awards.keys import load_signing_key
from nums.awards.status import withdraw as withdraw_in_list
from tests.awardkit import PEER, final_review, issue, keys, run, withdraw

IN_FORCE = "2026-06-01"


def part(segment: str) -> Any:
    return json.loads(base64.urlsafe_b64decode(segment + "=" * (-len(segment) % 4)))


def payload_of(token: str) -> dict[str, Any]:
    return part(token.strip().split(".")[1])


def bits_of(encoded: str) -> bytes:
    """Section 3.4 done by hand: Multibase 'u' (base64url, no padding), then GZIP."""
    assert encoded.startswith("u") and "=" not in encoded
    return gzip.decompress(base64.urlsafe_b64decode(encoded[1:] + "=" * (-len(encoded[1:]) % 4)))


@pytest.fixture()
def issued(tmp_path: Path) -> Path:
    return issue(
        PEER / "submission.yaml", final_review(tmp_path), keys(tmp_path / "keys"), tmp_path / "issuing"
    )


def test_the_entry_is_a_bitstring_status_list_entry(issued: Path) -> None:
    """2.1: type BitstringStatusListEntry; statusPurpose revocation; statusListIndex an integer
    "expressed as a string in base 10"; statusListCredential a URL; the id "MUST NOT be the URL
    for the status list"."""
    status = json.loads((issued / "credential.json").read_text())["credentialStatus"]
    assert status["type"] == "BitstringStatusListEntry" and status["statusPurpose"] == "revocation"
    assert status["statusListIndex"].isdecimal() and 0 <= int(status["statusListIndex"]) < 131_072
    assert (
        status["statusListCredential"].startswith("https://")
        and status["id"] != status["statusListCredential"]
    )


def test_the_list_is_a_signed_bitstring_status_list_credential(issued: Path) -> None:
    """2.2: type includes BitstringStatusListCredential; its id is the entry's statusListCredential;
    credentialSubject.type BitstringStatusList, statusPurpose revocation, encodedList Multibase
    base64url of GZIP, "at least 16KB" uncompressed; signed as the awards are (3.6: "the same
    securing mechanism"), with a key of the register's key set."""
    folder = issued.parents[1]
    token = (folder / "status-list.jwt").read_text().strip()
    header, body = part(token.split(".")[0]), payload_of(token)
    assert header == {"alg": "Ed25519", "kid": header["kid"], "typ": "JWT"}
    assert header["kid"] in {k["kid"] for k in json.loads((folder / "jwks.json").read_text())["keys"]}
    entry = json.loads((issued / "credential.json").read_text())["credentialStatus"]
    assert "BitstringStatusListCredential" in body["type"] and body["id"] == entry["statusListCredential"]
    subject = body["credentialSubject"]
    assert subject["type"] == "BitstringStatusList" and subject["statusPurpose"] == "revocation"
    bits = bits_of(subject["encodedList"])
    assert len(bits) * 8 == 131_072 and not any(bits)  # 16 KB, nothing withdrawn yet
    assert body["iss"] == body["issuer"]["id"] and body["jti"] == body["id"]


def test_withdrawing_sets_exactly_its_bit_left_most_first(issued: Path) -> None:
    """7.1: "the first (zeroth) index refers to the left-most bit"; revocation sets the award's bit
    and no other."""
    folder = issued.parents[1]
    code, _, err = withdraw(
        folder, issued.name, folder.parent / "keys", "--reason", "Closed.", "--on", "2026-09-01"
    )
    assert code == 0, err
    index = int(json.loads((issued / "credential.json").read_text())["credentialStatus"]["statusListIndex"])
    bits = bits_of(payload_of((folder / "status-list.jwt").read_text())["credentialSubject"]["encodedList"])
    expected = bytearray(len(bits))
    expected[index // 8] = 0x80 >> (index % 8)
    assert bits == bytes(expected)
    code, out, _ = run("verify", issued / "logo.svg", "--register", folder, "--on", "2026-09-02")
    assert code == 4 and out.startswith("withdrawn on 2026-09-01:")


def test_the_signed_list_is_the_authority(issued: Path) -> None:
    """A bit set withdraws the award even when the unsigned 1EdTech list has lost its entry (then
    the day is unknown: withdrawn on any day asked about)."""
    folder = issued.parents[1]
    assert (
        withdraw(folder, issued.name, folder.parent / "keys", "--reason", "Closed.", "--on", "2026-09-01")[0]
        == 0
    )
    (folder / "status.json").write_text(
        json.dumps({"type": "1EdTechRevocationList", "revokedCredentials": []})
    )
    code, out, _ = run("verify", issued / "logo.png", "--register", folder, "--on", IN_FORCE)
    assert code == 4 and out.startswith("withdrawn: Silver") and "(the reason is not public)" in out


def test_a_list_shorter_than_131072_entries_is_refused(issued: Path) -> None:
    """3.2: "If the length of the revocation bitstring divided by statusSize is less than
    minimumNumberOfEntries, raise a STATUS_LIST_LENGTH_ERROR" (131,072, for herd privacy)."""
    folder = issued.parents[1]
    signing = load_signing_key(folder.parent / "keys")
    token = (folder / "status-list.jwt").read_text()
    short = payload_of(token)
    for claim in ("iss", "jti", "sub", "nbf"):
        short.pop(claim)
    short["credentialSubject"]["encodedList"] = bitstring.encode([], size=8 * 1024 * 8)
    (folder / "status-list.jwt").write_text(bitstring.sign_list(short, signing))
    code, _, err = run("verify", issued / "logo.svg", "--register", folder, "--on", IN_FORCE)
    assert code == 2 and "holds 65536 entries; the specification asks at least 131072" in err


def test_a_list_signed_by_another_key_is_refused(issued: Path, tmp_path: Path) -> None:
    """3.2: "ensure that all proofs verify successfully ... raise a STATUS_VERIFICATION_ERROR"."""
    folder = issued.parents[1]
    other = load_signing_key(keys(tmp_path / "other"))
    forged = payload_of((folder / "status-list.jwt").read_text())
    for claim in ("iss", "jti", "sub", "nbf"):
        forged.pop(claim)
    (folder / "status-list.jwt").write_text(bitstring.sign_list(forged, other))
    code, _, err = run("verify", issued / "logo.svg", "--register", folder, "--on", IN_FORCE)
    assert code == 2 and "is not the scheme's status list" in err and "not the scheme's" in err


def test_a_list_for_another_purpose_is_refused(issued: Path) -> None:
    """3.2: "Verify that the status purpose is equal to a statusPurpose value in the
    statusListCredential"."""
    folder = issued.parents[1]
    signing = load_signing_key(folder.parent / "keys")
    suspended = payload_of((folder / "status-list.jwt").read_text())
    for claim in ("iss", "jti", "sub", "nbf"):
        suspended.pop(claim)
    suspended["credentialSubject"]["statusPurpose"] = "suspension"
    (folder / "status-list.jwt").write_text(bitstring.sign_list(suspended, signing))
    code, _, err = run("verify", issued / "logo.svg", "--register", folder, "--on", IN_FORCE)
    assert code == 2 and "it is not a revocation list (statusPurpose)" in err


def test_a_zip_bomb_is_refused_in_words() -> None:
    bomb = "u" + base64.urlsafe_b64encode(gzip.compress(bytes(64 * 1024 * 1024))).decode().rstrip("=")
    with pytest.raises(bitstring.BadList, match="larger than"):
        bitstring.decode(bomb)


def test_withdrawing_without_the_key_is_refused_in_words(issued: Path) -> None:
    folder = issued.parents[1]
    before = (folder / "status-list.jwt").read_bytes()
    code, _, err = run("award", "withdraw", folder, issued.name, "--reason", "Closed.")
    assert code == 2 and "withdrawing it needs the scheme's key" in err and "--key" in err
    assert (folder / "status-list.jwt").read_bytes() == before and not (folder / "status.json").exists()


def test_indexes_are_keyed_random_and_stable(tmp_path: Path) -> None:
    """2.1: "Implementations SHOULD assign indexes randomly, such that inferences — such as the
    recency of the assignment or the size of the group — cannot be easily drawn"; the same key and
    number give the same index, so issuing stays deterministic; a taken index is skipped."""
    signing = load_signing_key(keys(tmp_path / "keys"))
    other = load_signing_key(keys(tmp_path / "other"))
    numbers = [f"NUMS21-20260320-B2C7-{n:02d}" for n in range(1, 41)]
    indexes = [bitstring.index_for(signing, n, set()) for n in numbers]
    assert len(set(indexes)) == len(indexes)
    assert sorted(indexes) != indexes and max(indexes) > 65_536  # spread over the list, not in issue order
    assert indexes == [bitstring.index_for(signing, n, set()) for n in numbers]
    assert indexes != [bitstring.index_for(other, n, set()) for n in numbers]
    assert bitstring.index_for(signing, numbers[0], {indexes[0]}) == (indexes[0] + 1) % 131_072


def test_a_credential_issued_with_the_1edtech_list_keeps_verifying(issued: Path) -> None:
    """Contracts are stable: a credential of phase 1 (credentialStatus 1EdTechRevocationList, no
    place in the bitstring) is valid, then withdrawn by the 1EdTech list alone."""
    folder = issued.parents[1]
    signing = load_signing_key(folder.parent / "keys")
    facts = facts_from(json.loads((issued / "credential.json").read_text()))
    old = credential(facts.__class__(**{**facts.__dict__, "status_index": None, "number": "NUMS21-OLD-01"}))
    assert old["credentialStatus"] == {
        "id": "https://nationalmentoringstandards.com/register/status.json",
        "type": "1EdTechRevocationList",
    }
    token = folder / "old.jwt"
    token.write_text(sign(old, signing))
    code, out, _ = run("verify", token, "--register", folder, "--on", IN_FORCE)
    assert code == 0 and out.startswith("valid: Silver")
    withdraw_in_list(folder, old["id"], "NUMS21-OLD-01", "Closed.", facts.valid_from)
    code, out, _ = run("verify", token, "--register", folder, "--on", IN_FORCE)
    assert code == 4 and out.strip().endswith(": Closed.")
