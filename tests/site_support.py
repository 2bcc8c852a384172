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


ADMIN_EMAIL = "admin@scheme.org"


def make_site(folder: Path, smtp_port: int | None = None, address: str = "http://localhost:8000"):  # type: ignore[no-untyped-def]
    """A real site folder (``nums site init``'s work: settings, secret, database, workspace, admin
    ``ADMIN_EMAIL`` with ``LONG_ENOUGH``), its mail going to a local SMTP server on ``smtp_port``
    (no login) when given; the site opened."""
    from nums.site.folder import init_site, open_site

    init_site(folder, ADMIN_EMAIL, "Ada Admin", LONG_ENOUGH, "Mentoring Scheme", address)
    if smtp_port is not None:
        settings = folder / "site.toml"
        settings.write_text(
            settings.read_text(encoding="utf-8")
            + f'\n[mail]\nhost = "127.0.0.1"\nport = {smtp_port}\nsecurity = "none"\nfrom = "accreditation@example.org"\n',
            encoding="utf-8",
        )
    return open_site(folder)
