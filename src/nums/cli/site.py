"""``nums site``: make and look after the scheme's site (accounts, roles, institutions, backups).

Passwords are read from standard input (or ``NUMS_SITE_PASSWORD``), never from the command line,
where every user of the machine could read them in the process list. Nothing here imports the
web stack or WeasyPrint.
"""

from __future__ import annotations

import os
import sys
from pathlib import Path
from typing import TYPE_CHECKING

import click

from nums.cli.common import echo_json
from nums.errors import NumsError, Problem
from nums.params import WholeNumber

if TYPE_CHECKING:
    from nums.site.folder import OpenSite

PASSWORD_VARIABLE = "NUMS_SITE_PASSWORD"
FOLDER = click.Path(path_type=Path, file_okay=False)
SITE = click.Path(path_type=Path, file_okay=False, exists=False)


def read_password() -> str:
    """The password: ``NUMS_SITE_PASSWORD``, else asked for (hidden) on a terminal, else the first
    line of standard input."""
    from_environment = os.environ.get(PASSWORD_VARIABLE)
    if from_environment is not None:
        return from_environment
    if sys.stdin is not None and sys.stdin.isatty():
        return click.prompt("Password", hide_input=True, confirmation_prompt=True, err=True)
    line = sys.stdin.readline() if sys.stdin is not None else ""
    if not line:
        raise NumsError(
            Problem(
                "no password given",
                field="password",
                suggestion=f"give it on standard input (one line) or in {PASSWORD_VARIABLE}; never on the command line",
            )
        )
    return line.rstrip("\r\n")


@click.group("site")
def site() -> None:
    """Make and look after the scheme's site: accounts, roles, institutions, backups."""


@site.command("init")
@click.argument("folder", type=FOLDER)
@click.option("--admin-email", required=True, help="The first administrator's email address.")
@click.option("--admin-name", default="Administrator", show_default=True, help="Their name.")
@click.option("--name", "site_name", default="NUMS accreditation", show_default=True, help="The site's name.")
@click.option(
    "--address", default="http://localhost:8000", show_default=True, help="The public address (https://...)."
)
@click.option("--database-url", default=None, help="A database other than site.db here (PostgreSQL).")
def init(
    folder: Path, admin_email: str, admin_name: str, site_name: str, address: str, database_url: str | None
) -> None:
    """Make a site in FOLDER (empty or new): site.toml, the database, the workspace, the admin.

    The admin's password is read from standard input or NUMS_SITE_PASSWORD."""
    from nums.site.folder import init_site, refuse_unless_empty

    refuse_unless_empty(folder)
    init_site(folder, admin_email, admin_name, read_password(), site_name, address, database_url)
    click.echo(
        f"made the site {folder}: edit {folder / 'site.toml'}, then add institutions and people"
        f" (`nums site institution add {folder} ...`, `nums site user add {folder} ...`)"
    )


@site.group("user")
def user() -> None:
    """Add, list and disable accounts."""


@user.command("add")
@click.argument("folder", type=SITE)
@click.option("--email", required=True)
@click.option("--name", required=True)
@click.option("--role", required=True, help="admin, assessor, finance, lead or coordinator.")
@click.option(
    "--institution", default=None, metavar="SLUG", help="Their institution (a lead's, a coordinator's)."
)
@click.option("--programme", default=None, help="The programme a coordinator coordinates (its folder name).")
@click.option("--invite", is_flag=True, help="Mail an invitation instead of reading a password.")
def user_add(
    folder: Path,
    email: str,
    name: str,
    role: str,
    institution: str | None,
    programme: str | None,
    invite: bool,
) -> None:
    """Add an account (or give an existing one another role)."""
    from nums.site import accounts, audit, mail
    from nums.site.folder import open_site

    site_ = open_site(folder)
    by = audit.command_line()
    with site_.transaction() as db:
        existing = accounts.find_person(db, email)
        if existing is not None:
            accounts.grant(db, existing, role, programme, by=by)
            click.echo(f"{existing.email} is now also {role}")
            return
        if invite:
            token = accounts.invite(db, email, name, role, institution, programme, by=by)
        else:
            person = accounts.add_person(db, email, name, read_password(), institution, by=by)
            accounts.grant(db, person, role, programme, by=by)
    if invite:
        sent = mail.send_link(
            site_.settings, "invitation", email, token, name=name, role=role, institution=institution or ""
        )
        with site_.transaction() as db:  # "every [...] mail sent" is in the trail, as the pages' are
            audit.record(
                db, by, audit.MAIL_SENT if sent else audit.MAIL_NOT_SENT, kind="invitation", to=email,
                **{audit.SUBJECT: audit.person_key(email)},
            )  # fmt: skip
        click.echo(
            f"invited {email}" + ("" if sent else " (mail is not set up: the link is in the log above)")
        )
    else:
        click.echo(f"added {email} as {role}")


@user.command("list")
@click.argument("folder", type=SITE)
@click.option("--json", "as_json", is_flag=True, help="Print JSON (a stable contract).")
def user_list(folder: Path, as_json: bool) -> None:
    """List the accounts."""
    from nums.site import accounts, people
    from nums.site.folder import open_site

    with open_site(folder).transaction() as db:
        rows = [people.person_row(person) for person in accounts.people(db)]
    if as_json:
        echo_json(rows)
        return
    for row in rows:
        state = " (disabled)" if row["disabled"] else " (invited)" if row["invited"] else ""
        where = f" at {row['institution']}" if row["institution"] else ""
        click.echo(f"{row['email']}  {row['name']}  {', '.join(row['roles'])}{where}{state}")


@user.command("disable")
@click.argument("folder", type=SITE)
@click.option("--email", required=True)
def user_disable(folder: Path, email: str) -> None:
    """Disable an account: it can no longer sign in, and every session it has ends."""
    from nums.site import accounts, audit
    from nums.site.folder import open_site

    with open_site(folder).transaction() as db:
        person = accounts.disable(db, email, by=audit.command_line())
    click.echo(f"disabled {person.email}; every session it had is ended")


@site.group("institution")
def institution() -> None:
    """Add institutions."""


@institution.command("add")
@click.argument("folder", type=SITE)
@click.option("--slug", required=True, help="Its short name, which names its workspace folder.")
@click.option("--name", required=True)
def institution_add(folder: Path, slug: str, name: str) -> None:
    """Add an institution (and its folder in the workspace)."""
    from nums.site import accounts, audit
    from nums.site.folder import open_site

    site_ = open_site(folder)
    with site_.transaction() as db:
        accounts.add_institution(db, slug, name, by=audit.command_line())
    (site_.workspace / slug).mkdir(parents=True, exist_ok=True)
    click.echo(f"added {slug}: {name}")


@site.group("registration")
def registration() -> None:
    """The requests of institutions' leads to register: list, approve, refuse."""


@registration.command("list")
@click.argument("folder", type=SITE)
@click.option("--json", "as_json", is_flag=True, help="Print JSON (a stable contract).")
def registration_list(folder: Path, as_json: bool) -> None:
    """List the requests waiting for a decision, oldest first."""
    from nums import policy
    from nums.site import people
    from nums.site.folder import open_site

    rows = people.registrations(open_site(folder), policy.LOCAL_PERSON)
    if as_json:
        echo_json(rows)
        return
    if not rows:
        click.echo("no registration request is waiting")
    for row in rows:
        click.echo(
            f"{row['id']}  {row['email']}  {row['name']}  {row['institution']}"
            f"  (asked {row['created'][:10]}; short name {row['slug']})"
        )


@registration.command("approve")
@click.argument("folder", type=SITE)
@click.option("--id", "request_id", required=True, type=int, help="The request's number (from list).")
@click.option(
    "--slug", default=None, help="The institution's short name; an existing one, or a new one to make."
)
def registration_approve(folder: Path, request_id: int, slug: str | None) -> None:
    """Approve a request: the institution made if new, its lead invited by mail."""
    from nums import policy
    from nums.site import people
    from nums.site.folder import open_site

    site_ = open_site(folder)
    chosen = slug or _suggested(site_, request_id)
    delivery = people.approve_registration(site_, policy.LOCAL_PERSON, request_id, chosen)
    click.echo(f"approved request {request_id} ({chosen}): " + delivery.words("the invitation"))


def _suggested(site_: OpenSite, request_id: int) -> str:
    from nums import policy
    from nums.site import people

    for row in people.registrations(site_, policy.LOCAL_PERSON):
        if row["id"] == request_id:
            return str(row["slug"])
    raise NumsError(Problem(f"there is no registration request {request_id} waiting", field="--id"))


@registration.command("refuse")
@click.argument("folder", type=SITE)
@click.option("--id", "request_id", required=True, type=int, help="The request's number (from list).")
@click.option("--reason", required=True, help="Why, in words: mailed to the person who asked.")
def registration_refuse(folder: Path, request_id: int, reason: str) -> None:
    """Refuse a request; the reason is mailed to the person who asked, and no account is made."""
    from nums import policy
    from nums.site import people
    from nums.site.folder import open_site

    delivery = people.refuse_registration(open_site(folder), policy.LOCAL_PERSON, request_id, reason)
    click.echo(f"refused request {request_id}: " + delivery.words("the refusal"))


@site.command("run")
@click.argument("folder", type=SITE)
@click.option(
    "--host", default="127.0.0.1", show_default=True, help="Address to listen on (the proxy's side)."
)
@click.option(
    "--port", default=8000, show_default=True, type=WholeNumber(0, 65535), help="0 picks a free port."
)
@click.option(
    "--workers", default=1, show_default=True, type=WholeNumber(1, 64), help="Processes serving the site."
)
def run(folder: Path, host: str, port: int, workers: int) -> None:
    """Serve the site in FOLDER (stop with Ctrl-C).

    Meant to run behind a reverse proxy that terminates TLS and passes the Host header on; the
    proxy's X-Forwarded-For and X-Forwarded-Proto are believed only from the addresses listed
    in site.toml's trusted_proxies. Prints the address, and where mailed links go when mail is
    not set up."""
    from nums.cli.web import run_site

    run_site(folder, host, port, workers)


@site.command("backup")
@click.argument("folder", type=SITE)
@click.argument("out", type=click.Path(path_type=Path, dir_okay=False))
def backup(folder: Path, out: Path) -> None:
    """Write one consistent archive of the site (database and workspace), even while it runs."""
    from nums.site.backup import backup as write_backup

    summary = write_backup(folder, out)
    click.echo(f"wrote {out}: the database and {summary['workspace_files']} workspace files")


@site.command("restore")
@click.argument("archive", type=click.Path(path_type=Path, dir_okay=False, exists=True))
@click.argument("folder", type=FOLDER)
def restore(archive: Path, folder: Path) -> None:
    """Bring a backup back into FOLDER (empty or new)."""
    from nums.site.backup import restore as read_backup

    read_backup(archive, folder)
    click.echo(f"restored {archive} into {folder}")


def _journey_commands() -> None:
    """remind, audit, transition, answer, invoice (issue 23): kept in their own module."""
    from nums.cli.site_journey import COMMANDS

    for command in COMMANDS:
        site.add_command(command)


_journey_commands()
