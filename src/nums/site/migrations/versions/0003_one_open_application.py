"""one open application per programme, and the programmes' lock rows

Revision ID: 0003
Revises: 0002

Two submits of one programme at the same moment could both pass the check and make two open
applications (issue 23's journey, the submit race). From here every step locks the programme's row
in ``programme_locks`` first, and the database refuses a second open application itself: a unique
index on ``applications.programme`` over the open states only.

A database that the race already reached holds a programme with two open applications: the index
could not be made. The site has only ever shown the newest (``journey.current``), so the older ones
are withdrawn here, each with an audit event that says why (the trail is append-only: a new event,
nothing rewritten).
"""

from __future__ import annotations

import json
from datetime import UTC, datetime

import sqlalchemy as sa
from alembic import op

revision = "0003"
down_revision = "0002"
branch_labels = None
depends_on = None

OPEN = ("submitted", "in review", "evidence requested", "resubmitted")  # states.OPEN, frozen here
OPEN_APPLICATION = "state IN ('submitted', 'in review', 'evidence requested', 'resubmitted')"
ACTOR = "nums site migration 0003"
WHY = (
    "a second open application of the programme, made by two submits at the same moment; the newer one stands"
)


def upgrade() -> None:
    op.create_table(
        "programme_locks",
        sa.Column("programme", sa.String(length=300), nullable=False),
        sa.PrimaryKeyConstraint("programme", name=op.f("pk_programme_locks")),
    )
    _withdraw_older_duplicates()
    op.create_index(
        "uq_applications_open",
        "applications",
        ["programme"],
        unique=True,
        sqlite_where=sa.text(OPEN_APPLICATION),
        postgresql_where=sa.text(OPEN_APPLICATION),
    )


def _withdraw_older_duplicates() -> None:
    bind = op.get_bind()
    applications = sa.table(
        "applications",
        sa.column("id", sa.Integer),
        sa.column("programme", sa.String),
        sa.column("state", sa.String),
        sa.column("since", sa.DateTime),
    )
    events = sa.table(
        "audit_events",
        sa.column("at", sa.DateTime),
        sa.column("actor", sa.String),
        sa.column("what", sa.String),
        sa.column("programme", sa.String),
        sa.column("before", sa.String),
        sa.column("after", sa.String),
        sa.column("detail", sa.Text),
    )
    rows = bind.execute(
        sa.select(applications.c.id, applications.c.programme, applications.c.state)
        .where(applications.c.state.in_(OPEN))
        .order_by(applications.c.programme, applications.c.id.desc())
    ).all()
    newest: set[str] = set()
    moment = datetime.now(UTC).replace(tzinfo=None)  # UTCDateTime stores UTC without a zone
    for application_id, programme, state in rows:
        if programme not in newest:
            newest.add(programme)
            continue
        bind.execute(
            applications.update()
            .where(applications.c.id == application_id)
            .values(state="withdrawn", since=moment)
        )
        detail = {
            "transition": "withdraw",
            "state_before": state,
            "state": "withdrawn",
            "application": application_id,
            "why": WHY,
        }
        bind.execute(
            events.insert().values(
                at=moment, actor=ACTOR, what="state changed", programme=programme, before=None, after=None,
                detail=json.dumps(detail, sort_keys=True),
            )
        )  # fmt: skip


def downgrade() -> None:
    op.drop_index("uq_applications_open", table_name="applications")
    op.drop_table("programme_locks")
