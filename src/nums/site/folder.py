"""A site folder: making one (``nums site init``) and opening one (every other ``nums site`` command).

A new site is built in a hidden folder beside the one asked for and renamed into place at the
end, so a failure half-way (a password refused, a full disk) leaves no half-made site behind.
"""

from __future__ import annotations

import contextlib
import os
import shutil
import tempfile
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

from sqlalchemy import Engine
from sqlalchemy.orm import Session

from nums import policy
from nums.errors import NumsError, Problem
from nums.site import (
    AWARDS_FOLDER,
    KEYS_FOLDER,
    SETTINGS_FILE,
    WORKSPACE_FOLDER,
    accounts,
    audit,
    outbox,
    sessions,
)
from nums.site import db as tables
from nums.site.settings import SiteSettings, read_settings, settings_template


@dataclass(frozen=True)
class OpenSite:
    folder: Path
    settings: SiteSettings
    engine: Engine

    @property
    def workspace(self) -> Path:
        return self.folder / WORKSPACE_FOLDER

    @contextlib.contextmanager
    def transaction(self) -> Iterator[Session]:
        """A database session committed when the block ends well, rolled back otherwise; the
        follow-ups and mail its steps queued (``outbox``) run after the commit, and only then."""
        with tables.sessions_for(self.engine)() as db:
            with db.begin():
                yield db
            outbox.run_jobs(db)
            queued = outbox.taken(db)
        if queued:
            outbox.deliver(self.settings, queued, self.transaction)


def refuse_unless_empty(folder: Path) -> None:
    if folder.exists() and (not folder.is_dir() or any(folder.iterdir())):
        raise NumsError(
            Problem("is not an empty folder; a new site is made in an empty or new folder", file=str(folder))
        )


def init_site(
    folder: Path,
    admin_email: str,
    admin_name: str,
    password: str,
    name: str,
    address: str,
    database_url: str | None = None,
) -> None:
    """Make a site: settings, secret, workspace, the database at its newest migration, its admin,
    and the key pair and issuing folder of its awards."""
    refuse_unless_empty(folder)
    accounts.checked_email(admin_email)
    accounts.checked_password(password)
    _check_options(name, address)
    folder.parent.mkdir(parents=True, exist_ok=True)
    building = Path(tempfile.mkdtemp(prefix=f".{folder.name}.nums-init-", dir=folder.parent))
    try:
        os.chmod(building, 0o700)
        template = settings_template(name, address, admin_email)
        if database_url:
            template = template.replace(
                "# database_url = ",
                f"database_url = {_quoted(database_url)}\n# for example: database_url = ",
                1,
            )
        from nums.writing import write_text_atomically

        write_text_atomically(building / SETTINGS_FILE, template, exclusive=True)
        sessions.make_secret(building)
        (building / WORKSPACE_FOLDER).mkdir()
        from nums.awards.keys import JWKS_FILE, init_keys  # the site's awards: key pair, issuing folder

        init_keys(building / KEYS_FOLDER)
        (building / AWARDS_FOLDER).mkdir()
        # the register publishes the site's public key from the first day, before any award
        write_text_atomically(
            building / AWARDS_FOLDER / JWKS_FILE,
            (building / KEYS_FOLDER / JWKS_FILE).read_text(encoding="utf-8"),
        )
        site = open_site(building)
        with site.transaction() as db:
            admin = accounts.add_person(db, admin_email, admin_name, password, by=audit.command_line())
            accounts.grant(db, admin, policy.Role.ADMIN, by=audit.command_line())
        site.engine.dispose()
        if folder.exists():
            folder.rmdir()  # empty, as checked: the rename puts the new site in its place
        os.rename(building, folder)
    except BaseException:
        shutil.rmtree(building, ignore_errors=True)
        raise


def _check_options(name: str, address: str) -> None:
    """The site's name and address, checked as site.toml's would be, but blamed on the options."""
    from pydantic import ValidationError

    from nums.site.settings import SiteSection

    try:
        SiteSection(name=name, address=address)
    except ValidationError as exc:
        raise NumsError(
            [
                Problem(error["msg"].removeprefix("Value error, "), field=f"--{error['loc'][0]}")
                for error in exc.errors()
            ]
        ) from None


def _quoted(value: str) -> str:
    from nums.site.settings import _toml_string

    return _toml_string(value)


def open_site(folder: Path) -> OpenSite:
    """The site in ``folder``: its settings read, its database brought to the newest migration."""
    settings = read_settings(folder)
    engine = tables.engine_for(settings.database_url)
    tables.migrate(engine)
    return OpenSite(folder, settings, engine)
