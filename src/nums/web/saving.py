"""Where the web's saves go through: on the site, with their audit event (issue 23).

"An append-only audit trail records every change of state, every save of a submission or review
[...]: who, when, what, and the fingerprints before and after." The programme's pages and its
JSON API save in one place each (``editing.save_document``, ``reviewing.save_review``,
``files.restore``, ``files.save_upload``); each handler hands that save to ``keeper(request)``,
which under ``nums site run`` is ``nums.site.programmes.save_audited`` (the save and its event
in one transaction) and under ``nums serve`` (one person, no trail) the save alone.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any, TypeVar

from starlette.requests import Request

from nums import policy
from nums.site import audit, programmes
from nums.site.folder import OpenSite
from nums.web.routing import person_of
from nums.workspace import file_sha256

T = TypeVar("T")

SUBMISSION_SAVED, REVIEW_SAVED, EVIDENCE_ADDED = (
    audit.SUBMISSION_SAVED,
    audit.REVIEW_SAVED,
    audit.EVIDENCE_ADDED,
)


@dataclass(frozen=True)
class Keeper:
    """Who is saving, on which site (None: ``nums serve``)."""

    site: OpenSite | None
    person: policy.Person

    def file(
        self, what: str, programme_id: str, before: str | None, save: Callable[[], str], **detail: Any
    ) -> str:
        """Save a submission or a review (``save`` returns the new SHA-256), recorded on the site."""
        if self.site is None:
            return save()
        return programmes.save_audited(
            self.site, self.person, programme_id, what, before, save, lambda sha: sha, lambda _: detail
        )

    def upload(self, programme_id: str, save: Callable[[], Path]) -> Path:
        """Store an evidence file (``save`` returns where), recorded on the site with its SHA-256."""
        if self.site is None:
            return save()
        return programmes.save_audited(
            self.site,
            self.person,
            programme_id,
            EVIDENCE_ADDED,
            None,
            save,
            lambda path: file_sha256(path.read_bytes()),
            lambda path: {"file": f"{path.parent.name}/{path.name}"},
        )


def keeper(request: Request) -> Keeper:
    """The saves of this request: the site's (with the person asking) or ``nums serve``'s."""
    return Keeper(getattr(request.app.state, "site", None), person_of(request))
