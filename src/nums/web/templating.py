"""The app's HTML: one Jinja environment, ``render`` for a page, ``fragment`` for a live part,
and ``page_url`` for a programme's address.

A leaf of the web layer: every page module imports it and it imports none of them, so no
module has to reach into another for the environment. Starlette's ``Jinja2Templates`` answers
the pages; a context processor gives every template the form token and the upload limit.
Templates autoescape: what a person typed is text, never markup.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any
from urllib.parse import quote

from jinja2 import Environment, FileSystemLoader, select_autoescape
from starlette.requests import Request
from starlette.responses import HTMLResponse
from starlette.templating import Jinja2Templates

from nums.standard import Edition
from nums.web.blocks import criterion_block, pillar_block, pillars_section
from nums.web.files import KEEP_VERSIONS
from nums.web.form import CONTINUATION, claim_of, evidence_of, text

TEMPLATES = Path(__file__).resolve().parent / "templates"


def page_url(programme_id: str, rest: str = "") -> str:
    """A programme's page (``rest``: one of its sub-pages); the id's ``/`` stay as they are."""
    return "/p/" + quote(programme_id, safe="/") + (f"/{rest}" if rest else "")


def level_options(edition: Edition) -> list[tuple[str, str]]:
    """The edition's levels as a select's options: (id, name)."""
    return [(level, edition.level_name(level)) for level in edition.levels]


STATUS_WORDS = {
    "met": "✓ Counts towards the level",
    "claimed-unevidenced": "Claimed but not counted",
    "not-claimed": "",
}
"""What a criterion's result is called on the programme page (``_claim.html``, ``_received.html``)."""

ENV = Environment(
    loader=FileSystemLoader(TEMPLATES),
    autoescape=select_autoescape(default=True, default_for_string=True),
    trim_blocks=True,
    lstrip_blocks=True,
    # the templates are the installed package's: a compiled template is kept for the life of the
    # process, not checked against its file (a stat for every template of every page) each use
    auto_reload=False,
)
ENV.globals.update(
    keep_versions=KEEP_VERSIONS,
    page_url=page_url,
    text=text,
    claim_of=claim_of,
    evidence_of=evidence_of,
    level_options=level_options,
    status_words=STATUS_WORDS,
    CONTINUATION=CONTINUATION,  # _claim.html's test, also where it is rendered alone (web/blocks.py)
    criterion_block=lambda *args: criterion_block(_render_criterion, *args),
    pillars_section=lambda *args: pillars_section(_render_pillars, *args),
    pillar_block=lambda *args: pillar_block(_render_pillar, *args),
)


def _render_pillar(**context: Any) -> str:
    return ENV.get_template("_pillar.html").render(**context)


def _render_pillars(**context: Any) -> str:
    return ENV.get_template("_pillars.html").render(**context)


def _render_criterion(**context: Any) -> str:
    return ENV.get_template("_criterion.html").render(**context)


def _app_context(request: Request) -> dict[str, Any]:
    """What every page's forms need: the form token (the middleware's, for this request: the
    start-up token's under ``nums serve``, the session's on the site) and the upload limit."""
    return {
        "csrf": getattr(request.state, "csrf", ""),
        "max_upload": request.app.state.max_upload,
        "site_person": _site_person(request),
    }


def _site_person(request: Request) -> Any:
    """On the site, who is asking (``policy.ANONYMOUS`` when no one is signed in), for the header's
    links; None under ``nums serve``, whose header stays as it is."""
    if getattr(request.app.state, "site", None) is None:
        return None
    return getattr(request.state, "person", None)


TEMPLATE_RESPONSES = Jinja2Templates(env=ENV, context_processors=[_app_context])


def render(request: Request, name: str, status: int = 200, **context: Any) -> HTMLResponse:
    """The page ``name`` filled with ``context``, answered with ``status``."""
    return TEMPLATE_RESPONSES.TemplateResponse(request, name, context, status_code=status)


def fragment(request: Request, name: str, **context: Any) -> HTMLResponse:
    """A part of a page (``_result.html``, ``_outcome.html``, ``_quote.html``) that the page's
    script swaps in as the person types."""
    return render(request, name, **context)
