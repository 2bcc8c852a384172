"""Every address the app answers, one table per surface, each page beside its JSON twin.

A row is ``Action(name, methods, path, page=..., api=..., api_path=..., needs=...)``
(``web/routing.py``): the page answers at the surface's page prefix plus ``path``, its JSON twin
at the API prefix plus ``api_path`` (``path`` when not given). ``needs`` is the permission
(``nums.policy``) asked before either runs. To add a page, add one row here, saying who may use
it, and write its handler in the surface's pages module.
"""

from __future__ import annotations

from starlette.routing import BaseRoute

from nums.policy import Action as Do
from nums.web import (
    finance,
    journey_view,
    programme_api,
    programme_pages,
    review_api,
    review_pages,
    session_api,
)
from nums.web.routing import Action, Answers, Surface, actions, programme_route, top_routes

GET, POST, PUT, DELETE = ("GET",), ("POST",), ("PUT",), ("DELETE",)
DOWNLOAD = ("GET", "HEAD")

PROGRAMMES = Surface(
    "programmes",
    (
        Action("programmes.list", GET, "", page=programme_pages.home, api=programme_api.list_programmes, api_path="programmes", needs=Do.LIST_PROGRAMMES),
        Action("programmes.create", POST, "new", page=programme_pages.new_programme, api=programme_api.create_programme, api_path="programmes", needs=Do.CREATE_PROGRAMME, on="institution"),
        Action("packs.receive", POST, "packs", page=programme_pages.new_pack, api=programme_api.post_pack, needs=Do.RECEIVE_PACK),
    ),
)  # fmt: skip

SESSION = Surface(
    "session",
    (
        Action("session.start", POST, "session", api=session_api.sign_in, needs=Do.SIGN_IN, site_only=True),
        Action("session.end", DELETE, "session", api=session_api.sign_out, needs=Do.SIGN_OUT, site_only=True),
        Action("me.read", GET, "me", api=session_api.me, needs=Do.VIEW_SELF, site_only=True),
    ),
)  # fmt: skip
"""Signing in and out by the JSON API (issue 22's public contract); the site only."""

FINANCE = Surface(
    "finance",
    (
        Action("quote.view", GET, "quote", page=finance.quote_page, api=finance.api_quote, needs=Do.VIEW_QUOTE),
        Action("quote.pdf", GET, "quote.pdf", page=finance.quote_pdf, api=finance.quote_pdf, needs=Do.VIEW_QUOTE),
        Action("quote.preview", POST, "quote/preview", page=finance.quote_preview, needs=Do.VIEW_QUOTE),
        Action("portfolio.csv", GET, "portfolio.csv", page=finance.portfolio_download, needs=Do.VIEW_PORTFOLIO, on="institution"),
        Action("portfolio.ics", GET, "portfolio.ics", page=finance.portfolio_download, needs=Do.VIEW_PORTFOLIO, on="institution"),
        Action("portfolio.pdf", GET, "portfolio.pdf", page=finance.portfolio_download, needs=Do.VIEW_PORTFOLIO, on="institution"),
    ),
)  # fmt: skip

PAGE_PREFIX = "/p/"
API_PREFIX = "/api/programmes/"

PROGRAMME = Surface(
    "programme",
    (
        Action("submission.view", GET, "", page=programme_pages.programme_page, needs=Do.VIEW_PROGRAMME),
        Action("submission.read", GET, "submission", api=programme_api.get_submission, needs=Do.VIEW_PROGRAMME),
        Action("submission.save", POST, "save", page=programme_pages.save, edits_submission=True, needs=Do.EDIT_SUBMISSION),
        Action("submission.write", PUT, "submission", api=programme_api.put_submission, edits_submission=True, needs=Do.EDIT_SUBMISSION),
        Action("submission.preview", POST, "preview", page=programme_pages.preview, edits_submission=True, needs=Do.EDIT_SUBMISSION),
        Action("submission.restore", POST, "restore", page=programme_pages.restore, edits_submission=True, needs=Do.EDIT_SUBMISSION),
        Action("submission.replace", POST, "replace", page=programme_pages.replace, edits_submission=True, needs=Do.EDIT_SUBMISSION),
        Action("assessment.read", GET, "assessment", api=programme_api.get_assessment, needs=Do.VIEW_PROGRAMME),
        Action("evidence.upload", POST, "evidence", api=programme_api.post_evidence, edits_submission=True, needs=Do.UPLOAD_EVIDENCE),
        Action("evidence.download", DOWNLOAD, "files/", page=programme_pages.evidence_file, api=programme_api.evidence_file, needs=Do.VIEW_PROGRAMME),
        Action("pack.pdf", GET, "pack.pdf", page=programme_pages.pack_pdf_download, api=programme_api.get_pack, needs=Do.VIEW_PROGRAMME),
        Action("pack.html", GET, "pack.html", page=programme_pages.pack_html_page, needs=Do.VIEW_PROGRAMME),
    ),
    PAGE_PREFIX,
    API_PREFIX,
    under_programme=True,
)  # fmt: skip

REVIEW = Surface(
    "review",
    (
        Action("review.view", GET, "review", page=review_pages.review_page, api=review_api.get_review, needs=Do.VIEW_REVIEW),
        Action("review.write", PUT, "review", api=review_api.put_review, needs=Do.EDIT_REVIEW),
        Action("review.save", POST, "review/save", page=review_pages.review_save, needs=Do.EDIT_REVIEW),
        Action("review.preview", POST, "review/preview", page=review_pages.review_preview, needs=Do.EDIT_REVIEW),
        Action("review.restore", POST, "review/restore", page=review_pages.review_restore, needs=Do.EDIT_REVIEW),
        Action("review.outcome", GET, "outcome", api=review_api.get_outcome, needs=Do.VIEW_REVIEW),
        Action("review.letter", GET, "review/letter.pdf", page=review_pages.review_letter, api=review_api.get_letter, api_path="letter.pdf", needs=Do.VIEW_REVIEW),
    ),
    PAGE_PREFIX,
    API_PREFIX,
    under_programme=True,
)  # fmt: skip

JOURNEY = Surface(
    "journey",
    (
        # issue 23: the state and the steps; the library decides which step and who may make it
        Action("journey.view", GET, "journey", page=journey_view.journey_page, api=journey_view.get_state, api_path="state", needs=Do.VIEW_JOURNEY, site_only=True),
        Action("journey.transition", POST, "transitions", page=journey_view.transition_form, api=journey_view.post_transition, needs=Do.VIEW_JOURNEY, site_only=True),
        Action("journey.answer", POST, "requests", page=journey_view.answer_form, api=journey_view.post_answer, needs=Do.ANSWER_REQUEST, site_only=True),
        Action("journey.changes", GET, "changes", api=journey_view.get_changes, needs=Do.VIEW_REVIEW, site_only=True),
        Action("journey.invoice", POST, "invoice", page=journey_view.invoice_form, api=journey_view.post_invoice, needs=Do.RECORD_INVOICE, site_only=True),
    ),
    PAGE_PREFIX,
    API_PREFIX,
    under_programme=True,
)  # fmt: skip

WAITING = Surface(
    "waiting",
    (
        # "Each person sees, on signing in, what is waiting for them"
        Action("waiting.list", GET, "waiting", page=journey_view.waiting_page, api=journey_view.get_waiting, needs=Do.VIEW_SELF, site_only=True),
    ),
)  # fmt: skip

SURFACES = (PROGRAMMES, SESSION, FINANCE, PROGRAMME, REVIEW, JOURNEY, WAITING)

PAGE_ANSWERS = Answers(programme_pages.not_found, programme_pages.not_found, programme_pages.read_only)
API_ANSWERS = Answers(programme_api.no_programme, programme_api.not_found, programme_api.read_only)


def all_actions() -> list[tuple[Surface, Action]]:
    """Every action the app answers, with its surface: what a policy walks."""
    return list(actions(SURFACES))


def app_routes() -> list[BaseRoute]:
    """The Starlette routes: the surfaces at the top, then one route per side under a programme."""
    return [
        *(route for surface in SURFACES if not surface.under_programme for route in top_routes(surface)),
        programme_route("page", PAGE_PREFIX, SURFACES, PAGE_ANSWERS, ("GET", "HEAD", "POST")),
        programme_route("api", API_PREFIX, SURFACES, API_ANSWERS, ("GET", "HEAD", "PUT", "POST")),
    ]
