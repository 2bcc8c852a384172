"""The audit trail shown: per programme and per person, a page at a time, and as CSV (issue 23).

"[The audit trail] is shown per programme and per person to those who may see it, exported as
CSV". Who may see which trail is the policy's (``policy.Action.VIEW_AUDIT``: on a programme, the
admin, its institution's lead and its coordinators; on an account, the admin and the person
themself) and ``audit.visible_to``'s; each function here asks both, so the pages, the JSON API and
any later caller get the same answer. The filters come as the address's query (``since``,
``until``, ``before``, ``limit``, and ``person`` for an admin), every value hostile: a bad one is
refused in words naming its field.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import date
from typing import Any

from nums import policy
from nums.errors import NumsError, Problem
from nums.site import audit
from nums.site.folder import OpenSite
from nums.site.people import Refused, allow

PAGE_SIZE = 100
"""Events on one page of a trail, newest first: a screenful to read; older ones a link away."""

MOST_AT_ONCE = 1000
"""The most events one page or JSON answer holds (``limit`` asks for fewer or up to this): a
trail of years stays a page a browser shows at once; the CSV holds all of it."""


@dataclass(frozen=True)
class Filters:
    """What part of a trail is asked for: days (both included), a page (events older than
    ``before``, at most ``limit``)."""

    since: date | None = None
    until: date | None = None
    before: int | None = None
    limit: int = PAGE_SIZE

    def query(self) -> dict[str, str]:
        """The filters as an address's query (the next page's link keeps the days)."""
        kept = {"since": self.since, "until": self.until}
        return {name: value.isoformat() for name, value in kept.items() if value is not None}


@dataclass(frozen=True)
class Shown:
    """A page of a trail: its events as values (newest first), whose trail, the filters, and
    the ``before`` of the next (older) page, None when this is the last."""

    events: list[dict[str, Any]]
    filters: Filters
    programme: str | None = None
    person: str | None = None
    older: int | None = None
    facts: dict[str, Any] = field(default_factory=dict)

    def as_json(self) -> dict[str, Any]:
        """The JSON API's answer (a public contract: fields are added, never renamed)."""
        return {
            "programme": self.programme,
            "person": self.person,
            "since": self.filters.since.isoformat() if self.filters.since else None,
            "until": self.filters.until.isoformat() if self.filters.until else None,
            "limit": self.filters.limit,
            "events": self.events,
            "older": self.older,
        }


def filters_from(query: Mapping[str, str]) -> Filters:
    """The filters an address asks for; ``NumsError`` naming the field for a bad one."""
    since, until = _day(query, "since"), _day(query, "until")
    if since is not None and until is not None and until < since:
        raise NumsError(Problem("must not be before 'since'", field="until"))
    return Filters(
        since, until, _whole(query, "before", 1, None), _whole(query, "limit", 1, MOST_AT_ONCE) or PAGE_SIZE
    )


def _day(query: Mapping[str, str], name: str) -> date | None:
    value = (query.get(name) or "").strip()
    if not value:
        return None
    try:
        if len(value) != len("YYYY-MM-DD"):  # fromisoformat takes 20240101 too; the field says how
            raise ValueError(value)
        return date.fromisoformat(value)
    except ValueError:
        raise NumsError(
            Problem(
                f"{audit.typed(value)[:40]!r} is not a day", field=name, suggestion="write it as YYYY-MM-DD"
            )
        ) from None


def _whole(query: Mapping[str, str], name: str, least: int, most: int | None) -> int | None:
    value = (query.get(name) or "").strip()
    if not value:
        return None
    if not value.isascii() or not value.isdigit() or len(value) > 12 or int(value) < least:
        raise NumsError(Problem(f"must be a whole number, at least {least}", field=name))
    return min(int(value), most) if most is not None else int(value)


def programme_trail(
    site: OpenSite, asker: policy.Person, programme_id: str, query: Mapping[str, str]
) -> Shown:
    """One programme's trail, newest first, a page at a time (``Refused`` for someone the policy
    does not let see it). Kept when the programme is withdrawn: the trail is never cut."""
    allow(asker, policy.Action.VIEW_AUDIT, policy.programme_of(programme_id))
    filters = filters_from(query)
    with site.transaction() as db:
        found = audit.events(
            db, programme_id, filters.since, until=filters.until, newest_first=True,
            limit=filters.limit + 1, before_id=filters.before,
        )  # fmt: skip
        return _page(audit.visible_to(asker, found), filters, programme=programme_id)


def person_trail(site: OpenSite, asker: policy.Person, query: Mapping[str, str]) -> Shown:
    """A person's trail (``person`` in the query, an admin's choice; else the asker's own): what
    they did and what was done to their account, newest first. ``Refused`` (404) for another's
    unless the policy lets the asker see it, so the page says nothing of whether they exist."""
    person = _person_asked(asker, query)
    filters = filters_from(query)
    with site.transaction() as db:
        found = audit.events(
            db, None, filters.since, until=filters.until, person=person, newest_first=True,
            limit=filters.limit + 1, before_id=filters.before,
        )  # fmt: skip
        return _page(audit.visible_to(asker, found, account=person), filters, person=person)


def _person_asked(asker: policy.Person, query: Mapping[str, str]) -> str:
    asked = audit.typed(query.get("person") or "") or asker.email
    if not asker.signed_in or not asked:
        raise Refused(policy.Decision.NOT_FOUND)
    decision = policy.decide(asker, policy.Action.VIEW_AUDIT, policy.Account(asked))
    if decision is not policy.Decision.ALLOWED:
        raise Refused(policy.Decision.NOT_FOUND)  # another's trail: not there, as far as they know
    return asked


def programme_csv(site: OpenSite, asker: policy.Person, programme_id: str, query: Mapping[str, str]) -> str:
    """The programme's trail as CSV (``audit.as_csv``, oldest first), the days asked for, all of it."""
    allow(asker, policy.Action.VIEW_AUDIT, policy.programme_of(programme_id))
    filters = filters_from(query)
    with site.transaction() as db:
        found = audit.events(db, programme_id, filters.since, until=filters.until)
        return audit.as_csv(audit.visible_to(asker, found))


def person_csv(site: OpenSite, asker: policy.Person, query: Mapping[str, str]) -> str:
    """A person's trail as CSV, oldest first, the days asked for, all of it."""
    person = _person_asked(asker, query)
    filters = filters_from(query)
    with site.transaction() as db:
        found = audit.events(db, None, filters.since, until=filters.until, person=person)
        return audit.as_csv(audit.visible_to(asker, found, account=person))


def _page(found: list[audit.AuditEvent], filters: Filters, **whose: str | None) -> Shown:
    """The first ``limit`` events as values; one more found means an older page exists."""
    shown = found[: filters.limit]
    older = shown[-1].id if len(found) > filters.limit and shown else None
    return Shown([audit.event_json(e) for e in shown], filters, older=older, **whose)  # type: ignore[arg-type]
