"""Fixtures of the site's tests: a migrated database on SQLite, and on PostgreSQL too when
``NUMS_TEST_POSTGRES_URL`` names one (CI starts Debian's PostgreSQL and sets it; see .ci/run).

A test module takes the ones it uses as its own names (``engine, db = site_support.engine, site_support.db``)."""

from __future__ import annotations

import os
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path

import pytest
from argon2 import PasswordHasher
from sqlalchemy import Engine, text
from sqlalchemy.orm import Session

from nums.site import accounts
from nums.site import db as tables

POSTGRES_URL = os.environ.get("NUMS_TEST_POSTGRES_URL")
LONG_ENOUGH = "correct horse battery staple"  # 28 characters
MOMENT = datetime(2026, 3, 2, 9, 0, tzinfo=UTC)

BACKENDS = [
    "sqlite",
    pytest.param(
        "postgresql",
        marks=pytest.mark.skipif(POSTGRES_URL is None, reason="NUMS_TEST_POSTGRES_URL is not set"),
    ),
]


def empty_postgres() -> Engine:
    assert POSTGRES_URL is not None
    engine = tables.engine_for(POSTGRES_URL)
    with engine.begin() as connection:
        connection.execute(text("DROP SCHEMA public CASCADE"))
        connection.execute(text("CREATE SCHEMA public"))
    return engine


@pytest.fixture(params=BACKENDS)
def engine(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[Engine]:
    """An empty database at the newest migration: SQLite in tmp_path, or the test PostgreSQL."""
    if request.param == "sqlite":
        made = tables.engine_for(f"sqlite:///{tmp_path / 'site.db'}")
    else:
        made = empty_postgres()
    tables.migrate(made)
    yield made
    made.dispose()


@pytest.fixture()
def db(engine: Engine) -> Iterator[Session]:
    with tables.sessions_for(engine)() as session:
        yield session
        session.commit()


@pytest.fixture(autouse=True)
def quick_hashes(monkeypatch: pytest.MonkeyPatch) -> None:
    """Argon2id with small parameters, so hundreds of sign-ins take seconds; the parameters the
    site uses are argon2-cffi's defaults, and one test checks a hash with other parameters is
    replaced at sign-in."""
    monkeypatch.setattr(accounts, "HASHER", PasswordHasher(time_cost=1, memory_cost=64, parallelism=1))
    monkeypatch.setattr(accounts, "_DUMMY_HASH", None)


# --- a whole site folder, for the web app's tests ------------------------------------------

SITE_ADDRESS = "http://nums.test:8000"
ROLES_AT = ("admin", "assessor", "finance", "lead", "coordinator")


def make_site(folder: Path, address: str = SITE_ADDRESS) -> Path:
    """A site folder as ``nums site init`` makes it, with its admin (admin@scheme.test)."""
    from nums.site.folder import init_site

    init_site(folder, "admin@scheme.test", "Ada Admin", LONG_ENOUGH, "Test scheme", address)
    return folder


def add_institution(site: object, slug: str, name: str) -> None:
    """An institution and its workspace folder, as ``nums site institution add`` makes them."""
    with site.transaction() as db:  # type: ignore[attr-defined]
        accounts.add_institution(db, slug, name)
    (site.workspace / slug).mkdir(parents=True, exist_ok=True)  # type: ignore[attr-defined]


def add_person(
    site: object, email: str, role: str, institution: str | None = None, programme: str | None = None
) -> None:
    """An account with one role and the password ``LONG_ENOUGH``."""
    with site.transaction() as db:  # type: ignore[attr-defined]
        person = accounts.add_person(db, email, email.split("@")[0], LONG_ENOUGH, institution)
        accounts.grant(db, person, role, programme)


def add_programme(site: object, programme_id: str, example: str = "peer-mentoring") -> Path:
    """A copy of an example programme at ``workspace/INSTITUTION/PROGRAMME``."""
    import shutil

    from tests.conftest import EXAMPLES

    target = site.workspace / programme_id  # type: ignore[attr-defined]
    shutil.copytree(EXAMPLES / example, target)
    return target


ADMIN_EMAIL = "admin@scheme.test"


def open_mailing_site(  # type: ignore[no-untyped-def]
    folder: Path, smtp_port: int | None = None, address: str = SITE_ADDRESS, backend: str = "sqlite"
):
    """``make_site``'s folder, its mail going to a local SMTP server on ``smtp_port`` (no login)
    when given, opened (a ``nums.site.folder.OpenSite``); its database the test PostgreSQL,
    emptied, for ``backend="postgresql"`` (the admin ``make_site`` made is then in site.db only)."""
    from nums.site.folder import open_site

    make_site(folder, address)
    settings = folder / "site.toml"
    if backend == "postgresql":
        assert POSTGRES_URL is not None
        empty_postgres().dispose()
        text = settings.read_text(encoding="utf-8")
        settings.write_text(
            text.replace("[site]\n", f'[site]\ndatabase_url = "{POSTGRES_URL}"\n', 1), encoding="utf-8"
        )
    if smtp_port is not None:
        settings.write_text(
            settings.read_text(encoding="utf-8")
            + f'\n[mail]\nhost = "127.0.0.1"\nport = {smtp_port}\nsecurity = "none"\nfrom = "accreditation@example.org"\n',
            encoding="utf-8",
        )
    return open_site(folder)
