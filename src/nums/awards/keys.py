"""The scheme's signing key: an Ed25519 pair made once by ``nums keys init DIR``.

``DIR/private-key.pem`` (PKCS#8, readable by its owner only, never printed) signs credentials;
``DIR/jwks.json`` is the public key as a JSON Web Key Set, published with the register. The key
id is the key's RFC 7638 thumbprint as an RFC 9278 URI, so it names this key and no other.
"""

from __future__ import annotations

import json
import os
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from nums.awards.jsonfile import read_json_file
from nums.errors import NumsError, Problem
from nums.writing import write_bytes_atomically

PRIVATE_KEY_FILE = "private-key.pem"
JWKS_FILE = "jwks.json"
PRIVATE_MODE = 0o600  # the owner may read and write it; nobody else may even read it
KEY_DIR_MODE = 0o700
THUMBPRINT_URI = "urn:ietf:params:oauth:jwk-thumbprint:sha-256:"
SIGNING_ALGORITHM = "Ed25519"  # RFC 9864's fully specified name for EdDSA over Ed25519
MAX_JWKS_BYTES = 1_000_000  # a key set is a few hundred bytes; a megabyte is never a key set


@dataclass(frozen=True)
class SigningKey:
    kid: str
    key: Any  # joserfc OKPKey holding the private key


def init_keys(folder: Path) -> str:
    """Make the pair in ``folder`` (created if missing); refuse if either file is there.
    Returns the key id."""
    from cryptography.hazmat.primitives import serialization
    from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

    private_path, public_path = folder / PRIVATE_KEY_FILE, folder / JWKS_FILE
    existing = [p for p in (private_path, public_path) if os.path.lexists(p)]
    if existing:
        raise NumsError(
            Problem(
                "already holds the scheme's keys; nums never overwrites a key",
                file=str(existing[0]),
                suggestion="choose an empty folder, or keep using the keys already there",
            )
        )
    try:
        folder.mkdir(mode=KEY_DIR_MODE, parents=True, exist_ok=True)
    except OSError as exc:
        raise NumsError(Problem(f"cannot be made: {exc.strerror or exc}", file=str(folder))) from None
    private = Ed25519PrivateKey.generate()
    pem = private.private_bytes(
        serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption()
    )
    _create(private_path, pem, PRIVATE_MODE)
    signing = _okp(pem)
    kid = THUMBPRINT_URI + signing.thumbprint()
    jwks = {"keys": [{**signing.as_dict(private=False), "kid": kid, "alg": SIGNING_ALGORITHM, "use": "sig"}]}
    _create(public_path, (json.dumps(jwks, indent=2) + "\n").encode("utf-8"), None)
    return kid


def _create(path: Path, data: bytes, mode: int | None) -> None:
    """A new file, never over one already there, with exactly ``mode`` (the private key: owner
    only, whatever the umask) or the umask's; ``writing`` stages it with its final mode, so there
    is no moment when others could read it."""
    write_bytes_atomically(path, data, exclusive=True, mode=mode)


def _okp(pem: bytes) -> Any:
    from joserfc.jwk import OKPKey

    return OKPKey.import_key(pem)


def load_signing_key(folder: Path) -> SigningKey:
    """The private key in ``folder``, refused when others may read it."""
    path = folder / PRIVATE_KEY_FILE
    try:
        info = os.stat(path)
        pem = path.read_bytes()
    except OSError as exc:
        raise NumsError(
            Problem(
                f"cannot be read: {exc.strerror or exc}",
                file=str(path),
                suggestion="make the scheme's keys with nums keys init DIR",
            )
        ) from None
    if info.st_mode & 0o077:
        raise NumsError(
            Problem(
                "others may read this private key; nums signs only with a key its owner alone can read",
                file=str(path),
                suggestion=f"chmod 600 {path}",
            )
        )
    try:
        key = _okp(pem)
    except Exception:  # joserfc raises several kinds for a file that is not a key
        raise NumsError(Problem("is not an Ed25519 private key in PEM", file=str(path))) from None
    if key.as_dict(private=False).get("crv") != "Ed25519":
        raise NumsError(Problem("is not an Ed25519 private key in PEM", file=str(path)))
    return SigningKey(THUMBPRINT_URI + key.thumbprint(), key)


def read_jwks(path: Path) -> dict[str, Any]:
    """A published key set, checked to hold only public Ed25519 keys."""
    return checked_jwks(read_json_file(path, MAX_JWKS_BYTES, "a key set"), str(path))


def checked_jwks(data: Any, where: str) -> dict[str, Any]:
    keys = data.get("keys") if isinstance(data, dict) else None
    if not isinstance(keys, list) or not all(isinstance(k, dict) for k in keys):
        raise NumsError(Problem("is not a JSON Web Key Set (no list of keys)", file=where))
    for key in keys:
        if "d" in key:
            raise NumsError(Problem("holds a private key; a published key set must not", file=where))
    return {"keys": [k for k in keys if k.get("kty") == "OKP" and k.get("crv") == "Ed25519"]}


def public_jwks(signing: SigningKey) -> dict[str, Any]:
    public = signing.key.as_dict(private=False)
    return {"keys": [{**public, "kid": signing.kid, "alg": SIGNING_ALGORITHM, "use": "sig"}]}
