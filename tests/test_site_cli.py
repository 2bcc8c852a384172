"""`nums site` (issue 22, "Commands (a public contract, like --json)"): init, user add / list /
disable, institution add, backup and restore. Passwords come from standard input or
NUMS_SITE_PASSWORD, never from the command line; every error is a message and exit status 2."""

from __future__ import annotations

import io
import json
import os
import tarfile
from pathlib import Path

import pytest
from click.testing import CliRunner, Result
from sqlalchemy import text

from nums.cli import cli
from nums.site import accounts, sessions
from nums.site.folder import open_site
from tests import site_support
from tests.site_support import LONG_ENOUGH, POSTGRES_URL
from tests.test_cli import _after_command

quick_hashes = site_support.quick_hashes
ADMIN = "admin@scheme.org"


def nums(*args: str, password: str | None = None, env: dict[str, str] | None = None) -> Result:
    runner = CliRunner()
    return runner.invoke(cli, list(args), input=None if password is None else password + "\n", env=env)


@pytest.fixture()
def site(tmp_path: Path) -> Path:
    folder = tmp_path / "site"
    result = nums("site", "init", str(folder), "--admin-email", ADMIN, password=LONG_ENOUGH)
    assert result.exit_code == 0, result.output
    return folder


def signs_in(folder: Path, email: str, password: str) -> bool:
    with open_site(folder).transaction() as db:
        try:
            accounts.sign_in(db, email, password, "127.0.0.1")
        except accounts.SignInRefused:
            return False
    return True


# --- init ----------------------------------------------------------------------------------


def test_init_makes_the_settings_the_database_the_workspace_and_the_admin(site: Path) -> None:
    assert sorted(p.name for p in site.iterdir()) == [
        "awards",
        "keys",
        "site.db",
        "site.secret",
        "site.toml",
        "workspace",
    ]
    assert (site / "site.secret").stat().st_mode & 0o777 == 0o600
    assert "# The public address people reach the site at" in (site / "site.toml").read_text()
    assert signs_in(site, ADMIN, LONG_ENOUGH)
    listed = json.loads(nums("site", "user", "list", str(site), "--json").output)
    assert [(p["email"], p["roles"]) for p in listed] == [(ADMIN, ["admin"])]


def test_init_takes_the_password_from_nums_site_password(tmp_path: Path) -> None:
    folder = tmp_path / "s"
    result = nums(
        "site", "init", str(folder), "--admin-email", ADMIN, env={"NUMS_SITE_PASSWORD": LONG_ENOUGH}
    )
    assert result.exit_code == 0, result.output
    assert signs_in(folder, ADMIN, LONG_ENOUGH)


def test_init_refuses_a_folder_that_is_not_empty(tmp_path: Path) -> None:
    (tmp_path / "notes.txt").write_text("mine")
    result = nums("site", "init", str(tmp_path), "--admin-email", ADMIN, password=LONG_ENOUGH)
    assert result.exit_code == 2
    assert (
        f"error: {tmp_path}: is not an empty folder; a new site is made in an empty or new folder"
        in result.stderr
    )
    assert sorted(p.name for p in tmp_path.iterdir()) == ["notes.txt"]


def test_a_short_password_leaves_no_half_made_site(tmp_path: Path) -> None:
    result = nums("site", "init", str(tmp_path / "s"), "--admin-email", ADMIN, password="too short")
    assert result.exit_code == 2 and "error: password: must be at least 12 characters long" in result.stderr
    assert list(tmp_path.iterdir()) == []


def test_no_password_at_all_says_where_to_give_it(tmp_path: Path) -> None:
    result = nums("site", "init", str(tmp_path / "s"), "--admin-email", ADMIN)  # standard input is empty
    assert result.exit_code == 2
    assert "no password given (give it on standard input (one line) or in NUMS_SITE_PASSWORD" in result.stderr


def test_no_command_takes_a_password_on_the_command_line(tmp_path: Path) -> None:
    """Passwords are read "never from the command line": there is no option to give one."""
    for command in (["site", "init"], ["site", "user", "add"]):
        assert "--password" not in nums(*command, "--help").output
    result = nums("site", "init", str(tmp_path / "s"), "--admin-email", ADMIN, "--password", LONG_ENOUGH)
    assert result.exit_code == 2 and "No such option" in result.stderr and "--password" in result.stderr


def test_the_site_commands_do_not_import_the_web_stack_or_weasyprint(site: Path, tmp_path: Path) -> None:
    """Commands that render nothing import neither WeasyPrint nor Starlette nor uvicorn."""
    loaded = "sorted(m for m in ('weasyprint', 'starlette', 'uvicorn', 'multipart') if m in sys.modules)"
    for command in (
        f"['site', 'user', 'list', {str(site)!r}, '--json']",
        f"['site', 'institution', 'add', {str(site)!r}, '--slug', 'x', '--name', 'X']",
        f"['site', 'backup', {str(site)!r}, {str(tmp_path / 'b.tgz')!r}]",
        f"['site', 'registration', 'list', {str(site)!r}, '--json']",
    ):
        result = _after_command(command, loaded, tmp_path)
        assert result.stdout.strip().endswith("[]"), (command, result.stdout, result.stderr)


# --- users and institutions ----------------------------------------------------------------


def test_adding_a_lead_and_a_coordinator_of_an_institution(site: Path) -> None:
    assert (
        nums(
            "site", "institution", "add", str(site), "--slug", "northfield", "--name", "Northfield"
        ).exit_code
        == 0
    )
    assert (site / "workspace" / "northfield").is_dir()
    lead = nums(
        "site", "user", "add", str(site), "--email", "lee@northfield.ac.uk", "--name", "Lee",
        "--role", "lead", "--institution", "northfield", password=LONG_ENOUGH,
    )  # fmt: skip
    assert lead.exit_code == 0 and lead.output == "added lee@northfield.ac.uk as lead\n"
    coordinator = nums(
        "site", "user", "add", str(site), "--email", "cora@northfield.ac.uk", "--name", "Cora",
        "--role", "coordinator", "--institution", "northfield", "--programme", "peer-mentoring", "--invite",
    )  # fmt: skip
    assert coordinator.exit_code == 0, coordinator.output
    assert (
        "invited cora@northfield.ac.uk (mail is not set up: the link is in the log above)"
        in coordinator.output
    )
    listed = {p["email"]: p for p in json.loads(nums("site", "user", "list", str(site), "--json").output)}
    assert listed["cora@northfield.ac.uk"]["programmes"] == ["northfield/peer-mentoring"]
    assert listed["cora@northfield.ac.uk"]["invited"] is True
    assert listed["lee@northfield.ac.uk"]["institution"] == "northfield"
    assert set(listed["lee@northfield.ac.uk"]) >= {
        "email",
        "name",
        "roles",
        "institution",
        "disabled",
        "created",
    }


def test_a_lead_without_an_institution_is_refused(site: Path) -> None:
    result = nums(
        "site",
        "user",
        "add",
        str(site),
        "--email",
        "l@x.org",
        "--name",
        "L",
        "--role",
        "lead",
        password=LONG_ENOUGH,
    )
    assert (
        result.exit_code == 2
        and "error: institution: a lead belongs to an institution: give --institution" in result.stderr
    )


def test_an_unknown_role_or_institution_suggests_the_nearest(site: Path) -> None:
    nums("site", "institution", "add", str(site), "--slug", "northfield", "--name", "Northfield")
    result = nums(
        "site",
        "user",
        "add",
        str(site),
        "--email",
        "a@x.org",
        "--name",
        "A",
        "--role",
        "asessor",
        password=LONG_ENOUGH,
    )
    assert "error: role: there is no role 'asessor' (did you mean 'assessor'?)" in result.stderr
    result = nums(
        "site", "user", "add", str(site), "--email", "a@x.org", "--name", "A", "--role", "lead",
        "--institution", "northfeld", password=LONG_ENOUGH,
    )  # fmt: skip
    assert (
        "error: institution: there is no institution 'northfeld' (did you mean 'northfield'?)"
        in result.stderr
    )


def test_an_institution_slug_is_a_folder_name(site: Path) -> None:
    result = nums("site", "institution", "add", str(site), "--slug", "../outside", "--name", "X")
    assert (
        result.exit_code == 2
        and "error: slug: '../outside' is not an institution's short name" in result.stderr
    )
    assert not (site.parent / "outside").exists()


def test_disabling_a_user_ends_their_sessions(site: Path) -> None:
    with open_site(site).transaction() as db:
        admin = accounts.find_person(db, ADMIN)
        session_id = sessions.start(db, admin.id)
    result = nums("site", "user", "disable", str(site), "--email", ADMIN.upper())
    assert result.exit_code == 0 and "every session it had is ended" in result.output
    with open_site(site).transaction() as db:
        assert sessions.person_for(db, session_id) is None
    assert not signs_in(site, ADMIN, LONG_ENOUGH)


def test_a_folder_that_is_not_a_site(tmp_path: Path) -> None:
    result = nums("site", "user", "list", str(tmp_path))
    assert result.exit_code == 2
    assert "no site here: the settings file is missing (make a site with `nums site init`)" in result.stderr


# --- backup and restore --------------------------------------------------------------------


def test_a_backup_restores_into_an_empty_folder_as_it_was(site: Path, tmp_path: Path) -> None:
    nums("site", "institution", "add", str(site), "--slug", "northfield", "--name", "Northfield")
    programme = site / "workspace" / "northfield" / "peer-mentoring"
    programme.mkdir()
    (programme / "submission.yaml").write_text("programme: {name: Peer mentoring}\n")
    os.symlink("/etc/passwd", programme / "link")
    archive = tmp_path / "site.tgz"
    result = nums("site", "backup", str(site), str(archive))
    assert result.exit_code == 0 and "the database and 1 workspace files" in result.output
    restored = tmp_path / "restored"
    assert nums("site", "restore", str(archive), str(restored)).exit_code == 0
    back = restored / "workspace" / "northfield" / "peer-mentoring"
    assert (back / "submission.yaml").read_text() == "programme: {name: Peer mentoring}\n"
    assert not (back / "link").exists()  # a link is never archived
    assert signs_in(restored, ADMIN, LONG_ENOUGH)


def test_a_backup_is_never_written_inside_the_site(site: Path) -> None:
    result = nums("site", "backup", str(site), str(site / "workspace" / "b.tgz"))
    assert result.exit_code == 2
    assert (
        f"error: {site / 'workspace' / 'b.tgz'} is inside the site folder, which this command reads"
        in result.stderr
    )


def test_restore_refuses_a_folder_that_is_not_empty(site: Path, tmp_path: Path) -> None:
    nums("site", "backup", str(site), str(tmp_path / "b.tgz"))
    result = nums("site", "restore", str(tmp_path / "b.tgz"), str(site))
    assert (
        result.exit_code == 2
        and "is not an empty folder; a site is restored into an empty one only" in result.stderr
    )


@pytest.mark.parametrize("name", ["../escaped", "/etc/cron.d/x", "workspace/../../x", "elsewhere.txt"])
def test_restore_takes_nothing_from_outside_a_site_backup(tmp_path: Path, name: str) -> None:
    archive = tmp_path / "hostile.tgz"
    with tarfile.open(archive, "w:gz") as tar:
        for member in ("backup.json", "site.toml", name):
            info = tarfile.TarInfo(member)
            data = b'{"format": 1}' if member == "backup.json" else b""
            info.size = len(data)
            tar.addfile(info, io.BytesIO(data))
    result = nums("site", "restore", str(archive), str(tmp_path / "target"))
    assert result.exit_code == 2 and "which is not part of a site backup" in result.stderr
    assert not (tmp_path / "target").exists() and not (tmp_path / "escaped").exists()


def test_restore_takes_no_link(tmp_path: Path) -> None:
    archive = tmp_path / "hostile.tgz"
    with tarfile.open(archive, "w:gz") as tar:
        link = tarfile.TarInfo("site.toml")
        link.type, link.linkname = tarfile.SYMTYPE, "/etc/passwd"
        tar.addfile(link)
    result = nums("site", "restore", str(archive), str(tmp_path / "target"))
    assert result.exit_code == 2 and "'site.toml', which is not part of a site backup" in result.stderr


def test_restore_of_something_else_is_a_message(tmp_path: Path) -> None:
    (tmp_path / "x.tgz").write_bytes(b"not an archive")
    result = nums("site", "restore", str(tmp_path / "x.tgz"), str(tmp_path / "t"))
    assert result.exit_code == 2 and "is not a site backup" in result.stderr


@pytest.mark.skipif(POSTGRES_URL is None, reason="NUMS_TEST_POSTGRES_URL is not set")
def test_a_site_on_postgresql_is_backed_up_and_restored(tmp_path: Path) -> None:
    """On PostgreSQL the rows are read in one REPEATABLE READ transaction and loaded back."""
    site_support.empty_postgres().dispose()
    folder = tmp_path / "pg"
    made = nums(
        "site",
        "init",
        str(folder),
        "--admin-email",
        ADMIN,
        "--database-url",
        str(POSTGRES_URL),
        password=LONG_ENOUGH,
    )
    assert made.exit_code == 0, made.stderr
    assert not (folder / "site.db").exists()
    nums("site", "institution", "add", str(folder), "--slug", "northfield", "--name", "Northfield")
    assert nums("site", "backup", str(folder), str(tmp_path / "pg.tgz")).exit_code == 0
    refused = nums("site", "restore", str(tmp_path / "pg.tgz"), str(tmp_path / "again"))
    assert refused.exit_code == 2 and "the database already holds accounts" in refused.stderr
    engine = site_support.empty_postgres()
    result = nums("site", "restore", str(tmp_path / "pg.tgz"), str(tmp_path / "back"))
    assert result.exit_code == 0, result.stderr
    assert signs_in(tmp_path / "back", ADMIN, LONG_ENOUGH)
    with engine.connect() as connection:
        assert connection.execute(text("SELECT slug FROM institutions")).scalars().all() == ["northfield"]
    added = nums("site", "institution", "add", str(tmp_path / "back"), "--slug", "southgate", "--name", "S")
    assert added.exit_code == 0, added.stderr  # the id sequences continue after the restored rows
    engine.dispose()


def test_a_bad_address_is_blamed_on_the_option(tmp_path: Path) -> None:
    result = nums(
        "site",
        "init",
        str(tmp_path / "s"),
        "--admin-email",
        ADMIN,
        "--address",
        "ftp://x",
        password=LONG_ENOUGH,
    )
    assert result.exit_code == 2
    assert "error: --address: must be a web address starting with https:// (or http://)" in result.stderr
    assert list(tmp_path.iterdir()) == []


def test_the_wheel_ships_the_migrations_and_the_mail_templates(tmp_path: Path) -> None:
    """Alembic reads its migrations from the installed package: no alembic.ini, nothing outside it."""
    import subprocess
    import sys
    import zipfile

    from tests.conftest import REPO

    built = subprocess.run(
        [sys.executable, "-m", "pip", "wheel", "--no-deps", "--quiet", "-w", str(tmp_path), str(REPO)],
        capture_output=True,
        text=True,
        check=False,
    )
    assert built.returncode == 0, built.stderr[-2000:]
    names = zipfile.ZipFile(next(tmp_path.glob("nums-*.whl"))).namelist()
    for shipped in (
        "nums/site/migrations/env.py",
        "nums/site/migrations/script.py.mako",
        "nums/site/migrations/versions/0001_site.py",
        "nums/site/templates/mail/invitation.txt",
        "nums/site/templates/mail/reset.txt",
    ):
        assert shipped in names


# --- registration requests -----------------------------------------------------------------


def ask(site: Path, email: str, institution: str) -> None:
    from nums.site import people

    people.ask_registration(open_site(site), email, "Lee Chan", institution, "please")


def test_registration_requests_are_listed_approved_and_refused(site: Path) -> None:
    """Issue 22's phase 2: "commands for approving registration"; a list in --json as user list's."""
    ask(site, "lee@southgate.ac.uk", "University of Southgate")
    ask(site, "spam@example.com", "Totally A University")
    listed = json.loads(nums("site", "registration", "list", str(site), "--json").output)
    assert [(r["email"], r["institution"], r["slug"]) for r in listed] == [
        ("lee@southgate.ac.uk", "University of Southgate", "southgate"),
        ("spam@example.com", "Totally A University", "totally-a"),
    ]
    first, second = (r["id"] for r in listed)
    shown = nums("site", "registration", "list", str(site)).output
    assert f"{first}  lee@southgate.ac.uk  Lee Chan  University of Southgate" in shown
    approved = nums("site", "registration", "approve", str(site), "--id", str(first))
    assert approved.exit_code == 0, approved.output
    assert approved.output.startswith(
        f"approved request {first} (southgate): the invitation for lee@southgate.ac.uk"
    )
    assert (site / "workspace" / "southgate").is_dir()
    missing_reason = nums("site", "registration", "refuse", str(site), "--id", str(second), "--reason", " ")
    assert missing_reason.exit_code == 2 and "reason: give the reason" in missing_reason.output
    refused = nums("site", "registration", "refuse", str(site), "--id", str(second), "--reason", "Not known")
    assert refused.exit_code == 0 and refused.output.startswith(f"refused request {second}")
    assert nums("site", "registration", "list", str(site)).output == "no registration request is waiting\n"
    again = nums("site", "registration", "approve", str(site), "--id", str(second))
    assert again.exit_code == 2 and f"there is no registration request {second} waiting" in again.output
    listed = json.loads(nums("site", "user", "list", str(site), "--json").output)
    assert {r["email"]: r["roles"] for r in listed}["lee@southgate.ac.uk"] == ["lead"]
    assert "spam@example.com" not in {r["email"] for r in listed}
