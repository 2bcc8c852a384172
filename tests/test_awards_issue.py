"""Issue 24: what an award brings. Keys, issuing from a final review only, the certificate, the
logo and the credential (checked against the Open Badges 3.0 JSON Schema)."""

from __future__ import annotations

import json
import stat
from pathlib import Path

import pytest
from pypdf import PdfReader

from nums.awards.logo import png_credential, svg_parts
from tests.awardkit import COMBINED, PEER, combined_review, final_review, issue, keys, refusing_review, run

SCHEMA = Path(__file__).parent / "data" / "ob_v3p0_achievementcredential.schema.json"


@pytest.fixture(scope="module")
def issued(tmp_path_factory: pytest.TempPathFactory) -> Path:
    base = tmp_path_factory.mktemp("issued")
    return issue(PEER / "submission.yaml", final_review(base), keys(base / "keys"), base / "issuing")


def test_keys_init_makes_a_pair_whose_private_half_only_its_owner_reads(tmp_path: Path) -> None:
    """ "the private key readable by its owner only, never printed; the public key ... a JWKS file"."""
    code, out, err = run("keys", "init", tmp_path / "keys")
    assert code == 0, err
    private = tmp_path / "keys" / "private-key.pem"
    assert stat.S_IMODE(private.stat().st_mode) == 0o600
    assert "PRIVATE KEY" in private.read_text() and "PRIVATE KEY" not in out + err
    jwks = json.loads((tmp_path / "keys" / "jwks.json").read_text())
    (key,) = jwks["keys"]
    assert key["kty"] == "OKP" and key["crv"] == "Ed25519" and "d" not in key
    assert key["kid"].startswith("urn:ietf:params:oauth:jwk-thumbprint:sha-256:") and key["kid"] in out


def test_keys_init_never_overwrites_a_key(tmp_path: Path) -> None:
    keys(tmp_path / "keys")
    before = (tmp_path / "keys" / "private-key.pem").read_bytes()
    code, _, err = run("keys", "init", tmp_path / "keys")
    assert code == 2 and "already holds the scheme's keys; nums never overwrites a key" in err
    assert (tmp_path / "keys" / "private-key.pem").read_bytes() == before


def test_a_key_others_can_read_is_refused(tmp_path: Path) -> None:
    keys(tmp_path / "keys")
    (tmp_path / "keys" / "private-key.pem").chmod(0o644)
    code, _, err = run(
        "award",
        "issue",
        PEER / "submission.yaml",
        final_review(tmp_path),
        "--key",
        tmp_path / "keys",
        "-o",
        tmp_path / "out",
    )
    assert code == 2 and "others may read this private key" in err


@pytest.mark.parametrize(
    ("review", "message"),
    [
        (
            lambda folder: PEER / "review.yaml",
            "this review is provisional (criteria undecided or evidence requested): an award is issued only from a final review",
        ),
        (refusing_review, "this review's final outcome is no award, so there is no award to issue"),
    ],
)
def test_only_a_final_review_that_makes_an_award_is_issued(tmp_path: Path, review, message: str) -> None:  # type: ignore[no-untyped-def]
    keys(tmp_path / "keys")
    code, _, err = run(
        "award",
        "issue",
        PEER / "submission.yaml",
        review(tmp_path),
        "--key",
        tmp_path / "keys",
        "-o",
        tmp_path / "out",
    )
    assert code == 2 and message in err
    assert not (tmp_path / "out" / "awards").exists() or not any((tmp_path / "out" / "awards").iterdir())


def test_a_review_of_another_submission_is_refused(tmp_path: Path) -> None:
    keys(tmp_path / "keys")
    code, _, err = run(
        "award",
        "issue",
        COMBINED / "submission.yaml",
        final_review(tmp_path),
        "--key",
        tmp_path / "keys",
        "-o",
        tmp_path / "out",
    )
    assert code == 2 and "this review was written for First-Year Peer Mentoring" in err


def test_the_certificate_says_what_the_review_decided(issued: Path) -> None:
    """One A4 landscape page, tagged: programme, institution, level, the review's dates, the
    number, the issuer as prices.yaml names it, and the verification address."""
    reader = PdfReader(str(issued / "certificate.pdf"))
    assert len(reader.pages) == 1
    box = reader.pages[0].mediabox
    assert (round(float(box.width)), round(float(box.height))) == (842, 595)  # A4 landscape, in points
    assert bool(reader.trailer["/Root"]["/MarkInfo"]["/Marked"])  # tagged (PDF/UA-1)
    text = " ".join(reader.pages[0].extract_text().split())
    for words in (
        "Certificate of Silver accreditation",
        "First-Year Peer Mentoring",
        "of Harbourside University",
        "valid from 2026-03-20 until 2027-03-19",
        f"Certificate {issued.name}",
        "Awarded by National Mentoring Day and the Mentoring School",
        f"https://nationalmentoringstandards.com/register/awards/{issued.name}.html",
    ):
        assert words in text, words


def test_the_same_award_gives_the_same_bytes(tmp_path: Path) -> None:
    """Deterministic like the pack: issued into two fresh folders, the files are identical."""
    key_dir = keys(tmp_path / "keys")
    review = final_review(tmp_path)
    first = issue(PEER / "submission.yaml", review, key_dir, tmp_path / "a")
    second = issue(PEER / "submission.yaml", review, key_dir, tmp_path / "b")
    for name in ("certificate.pdf", "logo.svg", "logo.png", "credential.jwt"):
        assert (first / name).read_bytes() == (second / name).read_bytes(), name


def test_the_same_award_is_issued_once(tmp_path: Path) -> None:
    """Brief: "Refuse issuing the same award twice (same review, same programme(s), same dates):
    words, exit 2, nothing written". The same review again, and another review deciding the same
    programme for the same dates, are both refused; the folder is as it was."""
    key_dir = keys(tmp_path / "keys")
    review = final_review(tmp_path)
    first = issue(PEER / "submission.yaml", review, key_dir, tmp_path / "out")
    before = sorted(str(p.relative_to(tmp_path)) for p in (tmp_path / "out").rglob("*"))
    same_dates = tmp_path / "same-dates.yaml"
    same_dates.write_text(review.read_text().replace("comment: Covered on day one", "comment: Day one"))
    for again in (review, same_dates):
        code, out, err = run(
            "award", "issue", PEER / "submission.yaml", again, "--key", key_dir, "-o", tmp_path / "out"
        )
        assert code == 2 and out == ""
        assert (
            f"this award is already issued: First-Year Peer Mentoring (Harbourside University) holds "
            f"certificate {first.name}, valid from 2026-03-20 until 2027-03-19" in err
        )
        assert sorted(str(p.relative_to(tmp_path)) for p in (tmp_path / "out").rglob("*")) == before


def test_certificate_numbers_never_repeat(tmp_path: Path) -> None:
    """A later review (new dates) is a new award with a new number; numbers are never reused."""
    key_dir = keys(tmp_path / "keys")
    numbers = [
        issue(PEER / "submission.yaml", final_review(tmp_path, on), key_dir, tmp_path / "out").name
        for on in (None, "2026-03-25")
    ]
    numbers.append(
        issue(COMBINED / "submission.yaml", combined_review(tmp_path), key_dir, tmp_path / "out").name
    )
    assert len(set(numbers)) == 3 and numbers[0].startswith("NUMS21-20260320-")
    assert numbers[1].startswith("NUMS21-20260325-")


def test_a_combined_award_names_every_programme(tmp_path: Path) -> None:
    award = issue(
        COMBINED / "submission.yaml", combined_review(tmp_path), keys(tmp_path / "keys"), tmp_path / "out"
    )
    text = " ".join(PdfReader(str(award / "certificate.pdf")).pages[0].extract_text().split())
    credential = json.loads((award / "credential.json").read_text())
    names = [
        i["identityHash"]
        for i in credential["credentialSubject"]["identifier"]
        if i["identityType"] == "name"
    ]
    assert len(names) == 3
    for name in names:
        assert name in text
    assert "This certifies that the programmes" in text and "valid from 2026-06-02 until 2027-06-01" in text


def test_the_logo_is_accessible_and_carries_its_credential(issued: Path) -> None:
    """SVG: <title>, <desc>, and one openbadges:credential whose verify attribute is the JWT;
    PNG: one iTXt chunk keyword openbadgecredential holding the same JWT."""
    svg = (issued / "logo.svg").read_text()
    jwt = (issued / "credential.jwt").read_text().strip()
    assert 'xmlns:openbadges="https://purl.imsglobal.org/ob/v3p0"' in svg
    assert "<title" in svg and "<desc" in svg
    baked, texts = svg_parts(svg.encode())
    assert baked == jwt
    assert (
        texts["level"] == "SILVER"
        and texts["until"] == "2027-03-19"
        and texts["until-label"] == "valid until"
    )
    assert (
        " ".join(v for k, v in sorted(texts.items()) if k.startswith("programme"))
        == "First-Year Peer Mentoring"
    )
    assert png_credential((issued / "logo.png").read_bytes()) == jwt


def test_the_credential_meets_the_open_badges_3_schema(issued: Path) -> None:
    """tests/data/ob_v3p0_achievementcredential.schema.json is 1EdTech's AchievementCredential
    JSON Schema (openbadges-specification, docs/schema/achievementcredential.json, commit c73e966)."""
    jsonschema = pytest.importorskip("jsonschema")
    schema = json.loads(SCHEMA.read_text())
    credential = json.loads((issued / "credential.json").read_text())
    jsonschema.Draft201909Validator(schema, format_checker=jsonschema.FormatChecker()).validate(credential)
    assert credential["type"] == ["VerifiableCredential", "OpenBadgeCredential"]
    assert (
        credential["validFrom"] == "2026-03-20T00:00:00Z"
        and credential["validUntil"] == "2027-03-19T23:59:59Z"
    )
    status = credential["credentialStatus"]
    assert status["type"] == "BitstringStatusListEntry" and status["statusPurpose"] == "revocation"
    assert status["statusListCredential"] == "https://nationalmentoringstandards.com/register/status-list.jwt"
    assert status["id"] == f"{status['statusListCredential']}#{status['statusListIndex']}"


def test_the_jwt_payload_is_the_credential_with_its_claims(issued: Path) -> None:
    """Open Badges 3.0 VC-JWT: iss = issuer.id, jti = id, sub = credentialSubject.id, nbf =
    validFrom, exp = validUntil; the header holds alg, kid and typ only."""
    import base64

    def part(segment: str) -> dict:  # type: ignore[type-arg]
        return json.loads(base64.urlsafe_b64decode(segment + "=" * (-len(segment) % 4)))

    header, payload, _ = (issued / "credential.jwt").read_text().strip().split(".")
    head, body = part(header), part(payload)
    assert set(head) == {"alg", "kid", "typ"} and head["alg"] == "Ed25519" and head["typ"] == "JWT"
    assert body["iss"] == body["issuer"]["id"] and body["jti"] == body["id"]
    assert body["sub"] == body["credentialSubject"]["id"]
    assert (
        body["nbf"] == 1773964800 and body["exp"] == 1805500799
    )  # 2026-03-20T00:00:00Z, 2027-03-19T23:59:59Z
    assert body["issuer"]["name"] == "National Mentoring Day and the Mentoring School"


def _status_index(award: Path) -> int:
    from nums.awards.issuing import _unverified_facts

    facts = _unverified_facts((award / "credential.jwt").read_text().strip())
    assert facts is not None and facts.status_index is not None
    return facts.status_index


def test_a_place_in_the_status_list_being_drawn_by_another_issue_is_not_drawn_again(
    tmp_path: Path,
) -> None:
    """Bitstring Status List: each credential has its own place, or withdrawing one withdraws
    another. Two awards issued at the same moment cannot see each other's records, so a place is
    claimed as it is drawn: with place I already claimed (an issue running now holds it), the
    same award takes another place, and its logo still verifies."""
    key_dir = keys(tmp_path / "keys")
    review = final_review(tmp_path)
    alone = issue(PEER / "submission.yaml", review, key_dir, tmp_path / "alone")
    drawn = _status_index(alone)
    busy = tmp_path / "busy"
    (busy / "awards" / ".claims" / f"index-{drawn}").mkdir(parents=True)
    beside = issue(PEER / "submission.yaml", review, key_dir, busy)
    assert beside.name == alone.name  # the same number: only the place differs
    assert _status_index(beside) != drawn
    assert (busy / "awards" / ".claims" / f"index-{_status_index(beside)}").is_dir()
    code, out, err = run("verify", beside / "logo.svg", "--register", busy, "--on", "2026-06-01")
    assert code == 0 and out.startswith("valid: Silver"), err
