"""The site's database: the migrations make exactly the tables the code declares, on SQLite and on
PostgreSQL; SQLite runs in WAL mode with foreign keys on; an address is one account whatever its case."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from sqlalchemy import Engine, text
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from nums.errors import NumsError
from nums.site import (
    accounts,
    records,  # the journey's tables (migration 0002) are declared there
)
from nums.site import db as tables
from tests import site_support
from tests.site_support import LONG_ENOUGH

assert records.APPEND_ONLY  # imported for its tables: Base.metadata holds them once it is
engine, db, quick_hashes = site_support.engine, site_support.db, site_support.quick_hashes


def test_the_migrations_make_the_tables_the_code_declares(engine: Engine) -> None:
    with engine.connect() as connection:
        differences = compare_metadata(MigrationContext.configure(connection), tables.Base.metadata)
    assert differences == []


def test_migrating_twice_changes_nothing(engine: Engine) -> None:
    """`init` and `run` both bring the database to the newest migration."""
    tables.migrate(engine)
    with engine.connect() as connection:
        assert connection.execute(text("SELECT version_num FROM alembic_version")).scalar() == "0003"


def test_sqlite_is_in_wal_mode_with_foreign_keys_on(engine: Engine) -> None:
    if engine.dialect.name != "sqlite":
        pytest.skip("a SQLite setting")
    with engine.connect() as connection:
        assert connection.execute(text("PRAGMA journal_mode")).scalar() == "wal"
        assert connection.execute(text("PRAGMA foreign_keys")).scalar() == 1


def test_a_membership_of_no_person_is_refused(db: Session) -> None:
    db.add(tables.Membership(person_id=12345, role="admin"))
    with pytest.raises(IntegrityError):
        db.flush()
    db.rollback()


def test_an_email_address_is_one_account_whatever_its_case(db: Session) -> None:
    accounts.add_person(db, "Ana.Lopez@Example.org", "Ana", LONG_ENOUGH)
    with pytest.raises(NumsError, match=r"ana\.lopez@example\.ORG already has an account"):
        accounts.add_person(db, "ana.lopez@example.ORG", "Ana again", LONG_ENOUGH)
    assert accounts.find_person(db, "  ANA.LOPEZ@EXAMPLE.ORG ").email == "Ana.Lopez@Example.org"


def test_moments_come_back_in_utc(db: Session) -> None:
    moment = datetime(2026, 1, 1, 12, 0, tzinfo=UTC)
    person = accounts.add_person(db, "t@example.org", "T", None, now=moment)
    db.commit()
    db.expire_all()
    assert db.get(tables.Person, person.id).created == moment


def test_a_moment_without_a_zone_never_reaches_the_database(db: Session) -> None:
    db.add(tables.Institution(slug="x", name="X", created=datetime(2026, 1, 1)))
    with pytest.raises(Exception, match="naive datetime"):
        db.flush()
    db.rollback()
