"""Alembic's environment for the site's database: the engine comes from ``nums.site.db.migrate``."""

from __future__ import annotations

from alembic import context

from nums.site.db import Base

config = context.config
engine = config.attributes["engine"]

with engine.begin() as connection:
    context.configure(connection=connection, target_metadata=Base.metadata, render_as_batch=True)
    with context.begin_transaction():
        context.run_migrations()
