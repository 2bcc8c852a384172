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
    audit_pages,
    finance,
    journey_view,
    people_pages,
    programme_api,
    programme_pages,
    register_pages,
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

REGISTER = Surface(
    "register",
    (
        Action("register.home", GET, "register", page=register_pages.home, needs=Do.VIEW_REGISTER, site_only=True),
        Action("award.withdraw_form", GET, "register/withdraw/{number}", page=register_pages.withdraw_form, needs=Do.WITHDRAW_AWARD, site_only=True),
        Action("award.withdraw", POST, "register/withdraw/{number}", page=register_pages.withdraw, needs=Do.WITHDRAW_AWARD, site_only=True),
        Action("register.file", DOWNLOAD, "register/{path:path}", page=register_pages.register_file, needs=Do.VIEW_REGISTER, site_only=True),
    ),
)  # fmt: skip
"""The public register (issue 24: "served publicly at /register with no sign-in") and an admin's
withdrawal; the site only (the register of `nums serve` is `nums register`'s static folder)."""
ACCOUNTS = Surface(
    "accounts",
    (
        Action("sign_in.form", GET, "sign-in", page=people_pages.sign_in_page, needs=Do.SIGN_IN, site_only=True),
        Action("sign_in.post", POST, "sign-in", page=people_pages.sign_in, needs=Do.SIGN_IN, site_only=True),
        Action("sign_out.post", POST, "sign-out", page=people_pages.sign_out, needs=Do.SIGN_OUT, site_only=True),
        Action("reset.ask_form", GET, "account/forgot", page=people_pages.forgot_page, needs=Do.RESET_PASSWORD, site_only=True),
        Action("reset.ask", POST, "account/forgot", page=people_pages.forgot, needs=Do.RESET_PASSWORD, site_only=True),
        Action("reset.form", GET, "account/reset", page=people_pages.reset_page, needs=Do.RESET_PASSWORD, site_only=True),
        Action("reset.post", POST, "account/reset", page=people_pages.reset, needs=Do.RESET_PASSWORD, site_only=True),
        Action("invitation.form", GET, "account/invitation", page=people_pages.invitation_page, needs=Do.ACCEPT_INVITATION, site_only=True),
        Action("invitation.accept", POST, "account/invitation", page=people_pages.accept_invitation, needs=Do.ACCEPT_INVITATION, site_only=True),
        Action("registration.ask_form", GET, "account/request", page=people_pages.ask_account_page, needs=Do.ASK_REGISTRATION, site_only=True),
        Action("registration.ask", POST, "account/request", page=people_pages.ask_account, needs=Do.ASK_REGISTRATION, site_only=True),
        Action("home.view", GET, "home", page=people_pages.home, needs=Do.VIEW_SELF, site_only=True),
        Action("account.view", GET, "account", page=people_pages.account_page, needs=Do.VIEW_SELF, site_only=True),
        Action("account.password", POST, "account/password", page=people_pages.change_password, needs=Do.CHANGE_PASSWORD, site_only=True),
    ),
)  # fmt: skip
"""The people's own pages on the site: signing in and out, one-time links, asking for an
account, the home page after sign-in, one's account (its JSON twin is ``GET /api/me``)."""

ADMIN = Surface(
    "admin",
    (
        Action("people.list", GET, "people", page=people_pages.people_page, api=people_pages.people_json, needs=Do.VIEW_ACCOUNTS, site_only=True),
        Action("people.invite", POST, "people/invite", page=people_pages.invite, needs=Do.MANAGE_ACCOUNTS, site_only=True),
        Action("people.reinvite", POST, "people/reinvite", page=people_pages.reinvite, needs=Do.MANAGE_ACCOUNTS, site_only=True),
        Action("people.disable", POST, "people/disable", page=people_pages.disable, needs=Do.MANAGE_ACCOUNTS, site_only=True),
        Action("people.grant", POST, "people/grant", page=people_pages.grant, needs=Do.MANAGE_ACCOUNTS, site_only=True),
        Action("people.revoke", POST, "people/revoke", page=people_pages.revoke, needs=Do.MANAGE_ACCOUNTS, site_only=True),
        Action("assignments.add", POST, "assignments", page=people_pages.assign, needs=Do.MANAGE_ASSIGNMENTS, site_only=True),
        Action("institutions.list", GET, "institutions", page=people_pages.institutions_page, api=people_pages.institutions_json, needs=Do.MANAGE_INSTITUTIONS, site_only=True),
        Action("institutions.add", POST, "institutions", page=people_pages.add_institution, needs=Do.MANAGE_INSTITUTIONS, site_only=True),
        Action("registrations.list", GET, "registrations", page=people_pages.registrations_page, api=people_pages.registrations_json, needs=Do.MANAGE_ACCOUNTS, site_only=True),
        Action("registrations.approve", POST, "registrations/approve", page=people_pages.approve, needs=Do.MANAGE_ACCOUNTS, site_only=True),
        Action("registrations.refuse", POST, "registrations/refuse", page=people_pages.refuse, needs=Do.MANAGE_ACCOUNTS, site_only=True),
    ),
    "/admin/",
    "/api/admin/",
)  # fmt: skip
"""The admin's pages: "admin may change accounts, roles, institutions, assignments"."""

INSTITUTION = Surface(
    "institution",
    (
        Action("institution.view", GET, "{slug}", page=people_pages.institution_page, api=people_pages.institution_json, needs=Do.VIEW_INSTITUTION, on="institution", site_only=True),
        Action("institution.invite", POST, "{slug}/invite", page=people_pages.invite_coordinator, needs=Do.INVITE_COORDINATOR, on="institution", site_only=True),
    ),
    "/institutions/",
    "/api/institutions/",
)  # fmt: skip
"""An institution's page, its lead's: "lead sees all of that institution's programmes ...
invites coordinators of that institution". The row is decided against the person's own
institution; the library asks again about the one in the address (another's is not found)."""

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
        Action("review.evidence", DOWNLOAD, "review/files/", page=review_pages.review_evidence, api=review_api.review_evidence, needs=Do.VIEW_REVIEW),
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
        # "the outcome letter is stored with the application and sent": the decision's mail links here
        Action("journey.letter", DOWNLOAD, "letter.pdf", page=journey_view.letter_pdf, needs=Do.VIEW_LETTER, site_only=True),
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

AUDIT = Surface(
    "audit",
    (
        # issue 23: "shown per programme [...] to those who may see it, exported as CSV"
        Action("audit.view", GET, "audit", page=audit_pages.programme_page, api=audit_pages.programme_json, needs=Do.VIEW_AUDIT, site_only=True),
        Action("audit.csv", GET, "audit.csv", page=audit_pages.programme_csv, api=audit_pages.programme_csv, needs=Do.VIEW_AUDIT, site_only=True),
    ),
    PAGE_PREFIX,
    API_PREFIX,
    under_programme=True,
)  # fmt: skip
"""One programme's audit trail: its page beside its JSON twin, and the CSV of what it shows."""

TRAIL = Surface(
    "trail",
    (
        # issue 23: "shown [...] per person": one's own; ``?person=EMAIL`` any person's, for an admin
        Action("trail.view", GET, "audit", page=audit_pages.person_page, api=audit_pages.person_json, needs=Do.VIEW_AUDIT, on="account", site_only=True),
        Action("trail.csv", GET, "audit.csv", page=audit_pages.person_csv, api=audit_pages.person_csv, needs=Do.VIEW_AUDIT, on="account", site_only=True),
    ),
)  # fmt: skip
"""A person's audit trail: what they did and what was done to their account."""

SURFACES = (
    PROGRAMMES,
    SESSION,
    REGISTER,
    ACCOUNTS,
    ADMIN,
    INSTITUTION,
    FINANCE,
    PROGRAMME,
    REVIEW,
    JOURNEY,
    WAITING,
    AUDIT,
    TRAIL,
)

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
