"""Commands for the scheme: keys, award issue/withdraw, verify, register.

``keys init``, ``award withdraw`` and ``verify`` render nothing and import neither WeasyPrint
nor the web stack; ``award issue`` and ``register`` import what they render with.
"""

from __future__ import annotations

import tempfile
from datetime import date
from pathlib import Path

import click

from nums.cli.common import echo_json, echo_text
from nums.params import DATE


@click.group()
def keys() -> None:
    """The scheme's signing keys."""


@keys.command("init")
@click.argument("folder", type=click.Path(file_okay=False, path_type=Path))
def keys_init(folder: Path) -> None:
    """Make the scheme's Ed25519 key pair in FOLDER: private-key.pem (owner only) and jwks.json.

    The private key is never printed. Publish jwks.json with the register; keep FOLDER safe.
    """
    from nums.awards.keys import JWKS_FILE, PRIVATE_KEY_FILE, init_keys

    kid = init_keys(folder)
    echo_text(f"Wrote {folder / PRIVATE_KEY_FILE} (readable by you only) and {folder / JWKS_FILE}")
    echo_text(f"Key id: {kid}")


@click.group()
def award() -> None:
    """Issue an award from a final review, or withdraw one."""


@award.command("issue")
@click.argument("submission", type=click.Path(exists=True, path_type=Path))
@click.argument("review_file", metavar="REVIEW", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@click.option(
    "--key",
    "key_dir",
    required=True,
    type=click.Path(file_okay=False, path_type=Path),
    help="The folder nums keys init made.",
)
@click.option(
    "-o",
    "--output",
    "folder",
    required=True,
    type=click.Path(file_okay=False, path_type=Path),
    help="The issuing folder: awards are recorded and written here.",
)
@click.option(
    "--register-address",
    envvar="NUMS_REGISTER_ADDRESS",
    help="The register's public address (default: the edition's).",
)
@click.option("--json", "as_json", is_flag=True, help="Print what was issued as JSON.")
@click.pass_context
def award_issue(
    ctx: click.Context,
    submission: Path,
    review_file: Path,
    key_dir: Path,
    folder: Path,
    register_address: str | None,
    as_json: bool,
) -> None:
    """Issue the award a final REVIEW of SUBMISSION makes: certificate, logo, signed credential."""
    from nums.awards.issuing import FILES, file_sha256, issue, refusal_for
    from nums.awards.keys import load_signing_key
    from nums.awards.settings import award_settings
    from nums.cli.assessor import _load
    from nums.errors import NumsError, Problem
    from nums.outcome import review_outcome
    from nums.review import load_review

    with tempfile.TemporaryDirectory(prefix="nums-award-") as scratch:
        edition, sub, evidence_levels = _load(ctx, submission, Path(scratch))
        decisions = load_review(review_file, edition, sub)
        outcome = review_outcome(edition, sub, decisions, evidence_levels)
        refusal = refusal_for(outcome)
        if refusal:
            raise NumsError(Problem(refusal, file=str(review_file)))
        settings = award_settings(edition, decisions.date, register_address)
        signing = load_signing_key(key_dir)
        issued = issue(outcome, settings, signing, folder, file_sha256(review_file))
    f = issued.facts
    if as_json:
        echo_json(
            {
                "certificate": f.number,
                "level": f.level,
                "programmes": list(f.programmes),
                "institution": f.institution,
                "valid_from": f.valid_from.isoformat(),
                "valid_until": f.valid_until.isoformat(),
                "page": f.page,
                "files": {kind: str(issued.path(kind)) for kind in FILES},
            }
        )
        return
    echo_text(
        f"Issued certificate {f.number}: {f.level_name}, {f.title} ({f.institution}), valid from {f.valid_from} until {f.valid_until}"
    )
    for kind in FILES:
        echo_text(f"Wrote {issued.path(kind)}")


@award.command("withdraw")
@click.argument("folder", type=click.Path(exists=True, file_okay=False, path_type=Path))
@click.argument("number")
@click.option("--reason", required=True, help="Why the award is withdrawn.")
@click.option("--private", "private", is_flag=True, help="Keep the reason out of the published status list.")
@click.option("--on", "on", type=DATE, help="The day it is withdrawn (default: today).")
@click.option(
    "--key",
    "key_dir",
    type=click.Path(file_okay=False, path_type=Path),
    help="The folder nums keys init made: the signed status list is signed again with it.",
)
def award_withdraw(
    folder: Path, number: str, reason: str, private: bool, on: date | None, key_dir: Path | None
) -> None:
    """Withdraw award NUMBER issued into FOLDER: the status lists say so from then on."""
    from nums.awards.issuing import withdraw_award
    from nums.awards.keys import load_signing_key

    signing = load_signing_key(key_dir) if key_dir is not None else None
    done = withdraw_award(folder, number, reason, on or date.today(), public=not private, signing=signing)
    echo_text(f"Withdrew {number} on {done.on}" + ("" if private else f": {reason.strip()}"))


@click.command()
@click.argument("file", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@click.option(
    "--register",
    "register",
    metavar="FOLDER_OR_ADDRESS",
    required=True,
    help="The register: its folder (offline) or its http(s) address.",
)
@click.option("--on", "on", type=DATE, help="The day to ask about (default: today).")
@click.option("--json", "as_json", is_flag=True, help="Print the verdict as JSON.")
@click.pass_context
def verify(ctx: click.Context, file: Path, register: str, on: date | None, as_json: bool) -> None:
    """Say whether a logo (SVG, PNG) or a credential (JWT) is genuine and holds on the day.

    Exit status: 0 valid, 3 expired, 4 withdrawn, 5 not yet valid, 6 not genuine,
    2 when a file cannot be read.
    """
    from nums.awards.verify import load_register
    from nums.awards.verify import verify as check

    verdict = check(file, load_register(register), on or date.today())
    if as_json:
        echo_json(verdict.as_json())
    else:
        echo_text(verdict.line())
    ctx.exit(verdict.exit_code)


@click.command()
@click.argument("workspace", type=click.Path(exists=True, file_okay=False, path_type=Path))
@click.option(
    "-o",
    "--output",
    "target",
    required=True,
    type=click.Path(file_okay=False, path_type=Path),
    help="The folder to write the site into.",
)
@click.option("--on", "on", type=DATE, help="The day the listing is for (default: today).")
def register(workspace: Path, target: Path, on: date | None) -> None:
    """Write the public register of the awards issued into WORKSPACE as a static site."""
    from nums.awards.register import write_register

    site = write_register(workspace, target, on or date.today())
    echo_text(f"Wrote the register to {target}: {site.listed} awards listed, {site.pages} award pages")
