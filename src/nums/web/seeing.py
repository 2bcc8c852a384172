"""The workspace as the person asking sees it: lists hold only what ``policy.sees`` allows.

Issue 22: "Every endpoint ``nums serve`` has keeps its shape and answers only with what the
person may see." The home page, ``GET /api/programmes``, the portfolio downloads and the quote's
programmes all list through a ``Workspace``; a ``SeenWorkspace`` is one whose ``programme_at``
(and so ``programmes``, ``load_all`` and every list built on them) leaves out each programme the
person may not know exists. Under ``nums serve`` the person may see everything and the workspace
is the app's own, unchanged.
"""

from __future__ import annotations

from collections.abc import Callable

from starlette.requests import Request

from nums import policy
from nums.workspace import ProgrammeFolder, Workspace


class SeenWorkspace(Workspace):
    """A workspace less the programmes ``visible`` refuses."""

    def __init__(self, workspace: Workspace, visible: Callable[[str], bool]) -> None:
        super().__init__(workspace.root, workspace.standard)
        self.visible = visible

    def programme_at(self, programme_id: str) -> ProgrammeFolder | None:
        place = super().programme_at(programme_id)
        return place if place is not None and self.visible(place.id) else None


def seen_workspace(request: Request) -> Workspace:
    """The app's workspace as the person asking sees it."""
    from nums.web.routing import person_of, programme_thing

    workspace: Workspace = request.app.state.workspace
    person = person_of(request)
    if person.everything:
        return workspace
    return SeenWorkspace(
        workspace, lambda programme_id: policy.sees(person, programme_thing(request, programme_id))
    )


def is_filtered(workspace: Workspace) -> bool:
    """Whether ``workspace`` leaves some programmes out (then lists are built from its own)."""
    return isinstance(workspace, SeenWorkspace)


def new_programme_folder(request: Request, name: str) -> tuple[Workspace, str]:
    """Where a new programme named ``name`` is started: the app's whole workspace, and on the
    site the folder under the person's institution (``nums.site.programmes.site_folder``)."""
    from nums.web.routing import on_site, person_of

    workspace: Workspace = request.app.state.workspace
    if not on_site(request):
        return workspace, name
    from nums.site.programmes import site_folder

    def institution_exists(slug: str) -> bool:
        return workspace.new_folder(slug).is_dir()

    return workspace, site_folder(person_of(request), name, institution_exists)


def sees_dropped_packs(request: Request) -> bool:
    """Packs dropped into the workspace are listed to whoever may receive them."""
    from nums.web.routing import person_of

    return policy.can(person_of(request), policy.Action.RECEIVE_PACK, policy.SITE)
