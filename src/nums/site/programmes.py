"""A programme on the site: where a new one goes, and its files saved with their audit event.

Where a new programme goes: ``DIR/workspace/INSTITUTION/PROGRAMME`` (CONTRACT 6).

Under ``nums serve`` a new programme's folder is the name typed, anywhere in the workspace. On
the site a programme's id is ``INSTITUTION/PROGRAMME`` and its institution is what the policy
judges it by, so the name typed is placed: a lead's programme goes under their own institution;
someone who may start programmes at any institution (an admin) names it, ``INSTITUTION/NAME``.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING, Any, TypeVar

from nums import policy
from nums.errors import NumsError, Problem
from nums.site import audit

if TYPE_CHECKING:
    from nums.site.folder import OpenSite

T = TypeVar("T")


def site_folder(person: policy.Person, name: str, institution_exists: Callable[[str], bool]) -> str:
    """The workspace folder (``INSTITUTION/NAME``) for a programme ``person`` starts as ``name``.

    ``NumsError`` (field ``folder``) when the name cannot be placed: more than one ``/``, an
    institution that is not there, or one the person may not start programmes at."""
    name = name.strip().strip("/")
    if person.everything:
        return name
    institution, slash, rest = name.partition("/")
    if not slash:
        if person.institution is None:
            raise NumsError(
                Problem(
                    "say which institution the programme is of",
                    field="folder",
                    suggestion="name it INSTITUTION/PROGRAMME, such as northfield/peer-mentoring",
                )
            )
        institution, rest = person.institution, name
    if not rest or "/" in rest:
        raise NumsError(
            Problem(
                f"{name!r} cannot be a programme's folder",
                field="folder",
                suggestion="one folder name, such as peer-mentoring (or INSTITUTION/PROGRAMME)",
            )
        )
    if not policy.can(person, policy.Action.CREATE_PROGRAMME, policy.Institution(institution)) or not (
        institution_exists(institution)
    ):
        raise NumsError(
            Problem(f"there is no institution {institution!r} you may start programmes at", field="folder")
        )
    return f"{institution}/{rest}"


def save_audited(
    site: OpenSite,
    person: policy.Person,
    programme_id: str,
    what: str,
    before: str | None,
    save: Callable[[], T],
    after: Callable[[T], str | None],
    detail: Callable[[T], dict[str, Any]] | None = None,
) -> T:
    """Save a programme's file and record it, together: "every save of a submission or review
    [...] who, when, what, and the fingerprints before and after" (issue 23).

    ``save`` writes the file (conflict-checked against ``before``, the SHA-256 the person saw: a
    save that goes through replaced exactly that), ``after`` says the fingerprint it left,
    ``detail`` what else the event names (a restored version, an uploaded file's name). The save
    runs inside the audit event's transaction: a save refused (a conflict, a link) records
    nothing, and an event is only committed for a save that happened. The page and the JSON API
    both call this, under ``nums site run`` (``nums serve`` keeps no trail)."""
    with site.transaction() as db:
        value = save()
        extra = detail(value) if detail is not None else {}
        audit.record(db, person, what, programme_id, before, after(value), **extra)
    return value
