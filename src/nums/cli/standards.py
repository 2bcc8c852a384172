"""``nums standards``: read the edition in a terminal or as JSON."""

from __future__ import annotations

import click

from nums.cli.common import echo_json, echo_text, edition_from_context
from nums.errors import NumsError, Problem
from nums.render.edition import criterion_detail, edition_json, edition_overview, pillar_detail, record_json


@click.group(invoke_without_command=True)
@click.option("--json", "as_json", is_flag=True, help="Print the edition as JSON for other programs.")
@click.pass_context
def standards(ctx: click.Context, as_json: bool) -> None:
    """List the pillars and their criteria by level.

    Each line starts with the criterion id used in submission and review files
    (for example aims.4, administration.13, training.1.c).
    """
    if ctx.invoked_subcommand is not None:
        return
    edition = edition_from_context(ctx)
    if as_json:
        echo_json(edition_json(edition))
    else:
        echo_text(edition_overview(edition))


@standards.command(short_help="Show one pillar or criterion in full.")
@click.argument("ident", metavar="ID")
@click.option("--json", "as_json", is_flag=True, help="Print as JSON.")
@click.pass_context
def show(ctx: click.Context, ident: str, as_json: bool) -> None:
    """Show one pillar (such as `support`) or criterion (such as `aims.7`) in full."""
    edition = edition_from_context(ctx)
    key = ident.strip().lower()
    if key in edition.pillar_ids:
        pillar = edition.pillar(key)
        if as_json:
            echo_json(edition_json(edition, only=pillar.id)["pillars"][0])
        else:
            echo_text(pillar_detail(edition, pillar))
        return
    if key in edition.known_ids:
        if as_json:
            echo_json(record_json(edition, key))
        else:
            echo_text(criterion_detail(edition, key))
        return
    raise NumsError(
        Problem(
            f"no pillar or criterion {ident!r} in {edition.id}", field="ID", suggestion=edition.suggest(key)
        )
    )
