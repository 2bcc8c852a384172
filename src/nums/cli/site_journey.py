"""``nums site remind``, ``audit``, ``transition``, ``answer`` and ``invoice``: an application's
journey from the command line (issue 23).

These run on the machine that holds the site folder, so whoever runs them can read every file of
it already; ``--as EMAIL`` says on whose behalf a step is made, and the step is then allowed or
refused exactly as the site would for that person (``nums.policy``), and recorded under their name.
Nothing here imports the web stack; only a decision renders (its letter, with WeasyPrint).
"""

from __future__ import annotations

from datetime import date
from pathlib import Path

import click

from nums.cli.common import echo_json
from nums.errors import NumsError, Problem
from nums.params import DATE

SITE = click.Path(path_type=Path, file_okay=False, exists=False)


def _person(db, email: str):  # type: ignore[no-untyped-def]
    from nums.site import accounts

    found = accounts.find_person(db, email)
    if found is None or found.disabled:
        raise NumsError(Problem(f"there is no account {email!r} that may act on this site", field="--as"))
    return accounts.as_policy_person(found)


def _as(site, email: str):  # type: ignore[no-untyped-def]
    with site.transaction() as db:
        return _person(db, email)


@click.command("remind")
@click.argument("folder", type=SITE)
@click.option("--on", "on", type=DATE, help="The day to send for (YYYY-MM-DD). Default: today.")
def remind(folder: Path, on: date | None) -> None:
    """Send the reminders due before awards lapse (90 and 60 days before, as rules.yaml says).

    Run it daily (cron, a systemd timer): a reminder is sent once, and a day missed is caught up
    the next time it runs."""
    from nums.site.folder import open_site
    from nums.site.reminders import remind as send_due

    day = on or date.today()
    sent = send_due(open_site(folder), day)
    for due in sent:
        click.echo(
            f"sent the {due.days_before}-day reminder of {due.programme}: {due.level} lapses after "
            f"{due.lapses.isoformat()}"
        )
    if not sent:
        click.echo(f"no reminder due on {day.isoformat()}")


@click.command("audit")
@click.argument("folder", type=SITE)
@click.option("--programme", default=None, help="Only this programme's events (INSTITUTION/PROGRAMME).")
@click.option("--since", type=DATE, default=None, help="Only events from this day on (YYYY-MM-DD).")
@click.option("--until", type=DATE, default=None, help="Only events up to this day, included (YYYY-MM-DD).")
@click.option(
    "--person", default=None, help="Only this person's events: what they did, what was done to their account."
)
@click.option("-o", "--output", type=click.Path(dir_okay=False, path_type=Path), help="Write the CSV here.")
def audit_command(
    folder: Path,
    programme: str | None,
    since: date | None,
    until: date | None,
    person: str | None,
    output: Path | None,
) -> None:
    """Export the audit trail as CSV: who, when, what, programme, fingerprints before and after."""
    from nums.site import audit
    from nums.site.folder import open_site
    from nums.writing import write_text_atomically

    with open_site(folder).transaction() as db:
        text = audit.export(db, programme, since, until, person)
    if output is None:
        click.echo(text, nl=False)
    else:
        write_text_atomically(output, text)
        click.echo(f"Wrote {output}", err=True)


@click.command("transition")
@click.argument("folder", type=SITE)
@click.option("--programme", required=True, help="INSTITUTION/PROGRAMME.")
@click.option("--to", "to", required=True, help="The state to move it to: submitted, in review, ...")
@click.option("--as", "as_email", required=True, help="The email of the person making the step.")
@click.option("--assessor", default=None, help="For an assignment: the assessor's email.")
@click.option("--json", "as_json", is_flag=True, help="Print {state, since, snapshot_sha256}.")
def transition(
    folder: Path, programme: str, to: str, as_email: str, assessor: str | None, as_json: bool
) -> None:
    """Move a programme's application to another state, as a person of the site may."""
    from nums.site import journey
    from nums.site.folder import open_site

    site = open_site(folder)
    moved = journey.move(site, _as(site, as_email), programme, to, assessor=assessor)
    if as_json:
        echo_json(moved.as_json())
    else:
        click.echo(f"{programme} is {moved.state.value}")


@click.command("answer")
@click.argument("folder", type=SITE)
@click.option("--programme", required=True, help="INSTITUTION/PROGRAMME.")
@click.option("--criterion", required=True, help="The criterion whose request this answers.")
@click.option("--note", required=True, help="What the new evidence shows.")
@click.option("--as", "as_email", required=True, help="The coordinator's email.")
def answer(folder: Path, programme: str, criterion: str, note: str, as_email: str) -> None:
    """Answer a request for evidence with a note (add the evidence to the submission, then resubmit)."""
    from nums.site import journey
    from nums.site.folder import open_site

    site = open_site(folder)
    journey.answer_request(site, _as(site, as_email), programme, criterion, note)
    click.echo(f"answered the request on {criterion}")


@click.command("invoice")
@click.argument("folder", type=SITE)
@click.option("--programme", required=True, help="INSTITUTION/PROGRAMME.")
@click.option("--as", "as_email", required=True, help="The finance person's email.")
@click.option("--net", default=None, help="The net amount, for a tailored quote (otherwise the quote's).")
@click.option("--vat-rate", default=None, help="VAT in percent (otherwise the quote's).")
@click.option("--issued", type=DATE, default=None, help="The invoice's date (default: today).")
@click.option("--paid", type=DATE, default=None, help="Record instead that the invoice was paid on this day.")
def invoice(
    folder: Path,
    programme: str,
    as_email: str,
    net: str | None,
    vat_rate: str | None,
    issued: date | None,
    paid: date | None,
) -> None:
    """Record the invoice of a programme's application (or, with --paid, its payment)."""
    from nums.site import invoices
    from nums.site.folder import open_site

    site = open_site(folder)
    person = _as(site, as_email)
    if paid is not None:
        done = invoices.record_payment(site, person, programme, paid)
        click.echo(f"invoice {done.number} paid on {paid.isoformat()}")
        return
    done = invoices.record_invoice(site, person, programme, issued, net, vat_rate)
    click.echo(
        f"invoice {done.number}: {done.currency} {done.net} + VAT {done.vat} ({done.vat_rate}%) = "
        f"{done.total}, due by {done.due.isoformat()}"
    )


COMMANDS = (remind, audit_command, transition, answer, invoice)
