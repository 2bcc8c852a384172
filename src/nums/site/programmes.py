"""Where a new programme goes on the site: ``DIR/workspace/INSTITUTION/PROGRAMME`` (CONTRACT 6).

Under ``nums serve`` a new programme's folder is the name typed, anywhere in the workspace. On
the site a programme's id is ``INSTITUTION/PROGRAMME`` and its institution is what the policy
judges it by, so the name typed is placed: a lead's programme goes under their own institution;
someone who may start programmes at any institution (an admin) names it, ``INSTITUTION/NAME``.
"""

from __future__ import annotations

from collections.abc import Callable

from nums import policy
from nums.errors import NumsError, Problem


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
