"""The site's pages for people (issue 22): signing in and out, a forgotten password, an
invitation, asking for an account, the home page after sign-in, one's account, the admin's
people, institutions and registration requests, and an institution's page for its lead.

Each handler reads the form, calls one function of ``nums.site.people`` in a worker thread and
answers: the page again with the problems beside their fields (and what was typed), or the page
with a notice of what was done, or a redirect (303) after signing in or out. Everything works
with JavaScript off: they are plain forms. The rows are ``web/routes.py``'s ``ACCOUNTS``,
``ADMIN`` and ``INSTITUTION`` surfaces, each naming its permission; the library asks the policy
again about the very thing (a lead's institution, for one).
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import Any

from starlette.concurrency import run_in_threadpool
from starlette.requests import Request
from starlette.responses import RedirectResponse, Response

from nums import policy
from nums.errors import NumsError, Problem
from nums.site import accounts, people
from nums.site.folder import OpenSite
from nums.web.answers import JSONResponse, error_json
from nums.web.routing import person_of
from nums.web.site_security import session_cookie
from nums.web.templating import render
from nums.workspace import Workspace

DONE = {
    "out": "You are signed out.",
    "reset": "Your new password is set, and every browser that was signed in is signed out: sign in with it.",
    "welcome": "Your password is set and you are signed in.",
    "password": "Your password is changed; every other browser signed in to your account is signed out.",
}
"""The notices a redirect may ask for, by name: a notice's words never come from the address."""

FIELDS = {"current password": "current", "request": "form", "[mail]": "form", None: "form"}
"""A library problem's field, as the form's field it belongs to (the rest are the same name)."""


def _site(request: Request) -> OpenSite:
    return request.app.state.site


def _errors(error: NumsError, renamed: Mapping[str, str] | None = None) -> dict[str, list[str]]:
    """The problems by form field, each in words (with its suggestion)."""
    found: dict[str, list[str]] = {}
    for problem in error.problems:
        field = FIELDS.get(problem.field, problem.field or "form")
        field = (renamed or {}).get(field, field)
        words = problem.message + (f" ({problem.suggestion})" if problem.suggestion else "")
        found.setdefault(field, []).append(words)
    return found


async def _form(request: Request) -> dict[str, str]:
    """The posted fields as text (a repeated field: its first value); files are not taken."""
    form = await request.form()
    return {key: value for key, value in form.items() if isinstance(value, str)}


def _done(request: Request) -> str | None:
    return DONE.get(request.query_params.get("done", ""))


def _refused(request: Request, refused: people.Refused) -> Response:
    if refused.decision is policy.Decision.FORBIDDEN:
        message = "Your account may see this, but not do this here."
        return render(request, "missing.html", status=403, title="Not allowed", message=message)
    return render(request, "missing.html", status=404, title="Not found", message="There is no such page.")


def _with_session(response: Response, request: Request, session_id: str) -> Response:
    response.headers.append("set-cookie", session_cookie(request).set(session_id))
    return response


async def _run(work: Callable[..., Any], *args: Any) -> Any:
    return await run_in_threadpool(work, *args)


# --- signing in and out --------------------------------------------------------------------------


async def sign_in_page(request: Request) -> Response:
    next_path = people.after_sign_in(request.query_params.get("next"))
    if person_of(request).signed_in:
        return RedirectResponse(next_path, status_code=303)
    return _sign_in_form(request, next_path)


def _sign_in_form(
    request: Request,
    next_path: str,
    errors: dict[str, list[str]] | None = None,
    email: str = "",
    status: int = 200,
) -> Response:
    shown = None if next_path == people.HOME_PATH else next_path
    return render(
        request,
        "sign_in.html",
        status=status,
        title="Sign in",
        next=shown,
        done=_done(request),
        errors=errors or {},
        email=email,
    )


async def sign_in(request: Request) -> Response:
    """The form's sign-in: the library's words on a refusal (the same whether or not the account
    exists; a throttle's wait with 429 and Retry-After), else a new session and on to ``next``
    when it is a path of this site."""
    form = await _form(request)
    next_path = people.after_sign_in(form.get("next") or request.query_params.get("next"))
    email, password = form.get("email", ""), form.get("password", "")
    address = request.client.host if request.client else "unknown"
    previous = getattr(request.state, "session_id", None)
    result = await _run(people.sign_in, _site(request), email, password, address, previous)
    if isinstance(result, accounts.SignInRefused):
        status = 429 if result.retry_after else 422  # a refused form, as every other; 401 is the API's
        answer = _sign_in_form(request, next_path, {"form": [result.problems[0].message]}, email, status)
        if result.retry_after:
            answer.headers["retry-after"] = str(result.retry_after)
        return answer
    session_id, _ = result
    return _with_session(RedirectResponse(next_path, status_code=303), request, session_id)


async def sign_out(request: Request) -> Response:
    await _run(people.sign_out, _site(request), getattr(request.state, "session_id", None))
    answer = RedirectResponse("/sign-in?done=out", status_code=303)
    answer.headers.append("set-cookie", session_cookie(request).clear())
    return answer


# --- a forgotten password, an invitation ------------------------------------------------------


async def forgot_page(request: Request) -> Response:
    return render(request, "forgot.html", title="Forgotten your password?", errors={}, asked=False)


async def forgot(request: Request) -> Response:
    """Mail a reset link if the address has an account; the page says the same either way."""
    email = (await _form(request)).get("email", "").strip()
    if not email:
        errors = {"email": ["give the email address you sign in with"]}
        return render(request, "forgot.html", status=422, title="Forgotten your password?", errors=errors)
    await _run(people.ask_reset, _site(request), email)
    return render(request, "forgot.html", title="Forgotten your password?", asked=True, email=email)


LINKS = {
    "reset": ("Choose a new password", "/account/reset"),
    "invitation": ("Welcome", "/account/invitation"),
}


def _password_page(
    request: Request,
    purpose: str,
    token: str,
    holder: dict[str, str] | None,
    errors: dict[str, list[str]] | None = None,
    name: str | None = None,
    status: int = 200,
) -> Response:
    title, action = LINKS[purpose]
    return render(
        request,
        "choose_password.html",
        status=status,
        title=title,
        purpose=purpose,
        action=action,
        token=token,
        holder=holder,
        dead=None if holder is not None else accounts.BAD_LINK,
        errors=errors or {},
        typed_name=name,
        min_password=accounts.MIN_PASSWORD_LENGTH,
    )


async def _link_page(request: Request, purpose: str) -> Response:
    """The page a one-time link opens: greets its person, or says the link cannot be used.
    Looking does not spend it; only the form's answer does."""
    token = request.query_params.get("token", "")
    try:
        holder = await _run(people.link_holder, _site(request), token, purpose)
    except NumsError:
        return _password_page(request, purpose, token, None, status=410)
    return _password_page(request, purpose, token, holder)


async def reset_page(request: Request) -> Response:
    return await _link_page(request, "reset")


async def invitation_page(request: Request) -> Response:
    return await _link_page(request, "invitation")


async def reset(request: Request) -> Response:
    form = await _form(request)
    token = form.get("token", "")
    try:
        await _run(people.reset_password, _site(request), token, form.get("password", ""))
    except NumsError as error:
        return await _link_refusal(request, "reset", token, error)
    return RedirectResponse("/sign-in?done=reset", status_code=303)


async def accept_invitation(request: Request) -> Response:
    form = await _form(request)
    token, name = form.get("token", ""), form.get("name")
    previous = getattr(request.state, "session_id", None)
    try:
        session_id = await _run(
            people.accept_invitation, _site(request), token, form.get("password", ""), name, previous
        )
    except NumsError as error:
        return await _link_refusal(request, "invitation", token, error, name)
    return _with_session(RedirectResponse("/home?done=welcome", status_code=303), request, session_id)


async def _link_refusal(
    request: Request, purpose: str, token: str, error: NumsError, name: str | None = None
) -> Response:
    """A refused password form: the link's words if the link is dead, else the form again."""
    if any(p.message == accounts.BAD_LINK for p in error.problems):
        return _password_page(request, purpose, token, None, status=410)
    try:
        holder = await _run(people.link_holder, _site(request), token, purpose)
    except NumsError:
        return _password_page(request, purpose, token, None, status=410)
    return _password_page(request, purpose, token, holder, _errors(error), name, status=422)


# --- asking for an account ------------------------------------------------------------------------


async def ask_account_page(request: Request) -> Response:
    return render(request, "ask_account.html", title="Ask for an account", errors={}, values={})


async def ask_account(request: Request) -> Response:
    values = await _form(request)
    try:
        await _run(
            people.ask_registration,
            _site(request),
            values.get("email", ""),
            values.get("name", ""),
            values.get("institution", ""),
            values.get("message", ""),
        )
    except NumsError as error:
        return render(
            request,
            "ask_account.html",
            status=422,
            title="Ask for an account",
            errors=_errors(error),
            values=values,
        )
    return render(request, "ask_account.html", title="Request received", received=True, values=values)


# --- the person themself -----------------------------------------------------------------------


async def home(request: Request) -> Response:
    """After sign-in: what is waiting for the person (the journey's list, as ``/waiting`` shows it),
    and what they may reach, by role (the policy's answer)."""
    from nums.web.journey_view import waiting_list

    person = person_of(request)
    places = people.reachable(person)
    waiting = await run_in_threadpool(waiting_list, request)
    return render(
        request,
        "welcome.html",
        title="Home",
        person=person,
        places=places,
        waiting=waiting,
        done=_done(request),
    )


async def account_page(
    request: Request, errors: dict[str, list[str]] | None = None, status: int = 200
) -> Response:
    try:
        me = await _run(people.me, _site(request), person_of(request))
    except people.Refused as refused:
        return _refused(request, refused)
    return render(
        request,
        "account.html",
        status=status,
        title="Your account",
        me=me,
        errors=errors or {},
        done=_done(request),
        min_password=accounts.MIN_PASSWORD_LENGTH,
    )


async def change_password(request: Request) -> Response:
    form = await _form(request)
    try:
        await _run(
            people.change_password,
            _site(request),
            person_of(request),
            form.get("current", ""),
            form.get("password", ""),
            getattr(request.state, "session_id", None) or "",
        )
    except people.Refused as refused:
        return _refused(request, refused)
    except NumsError as error:
        return await account_page(request, _errors(error), status=422)
    return RedirectResponse("/account?done=password", status_code=303)


# --- the admin's pages ---------------------------------------------------------------------------


async def _admin_page(
    request: Request,
    what: str,
    notice: str | None = None,
    errors: dict[str, list[str]] | None = None,
    values: Mapping[str, str] | None = None,
    status: int = 200,
) -> Response:
    """One of the admin's pages (``what``: people, institutions, registrations) with a notice of
    what was just done, or the problems of a refused form and what was typed."""
    site, asker = _site(request), person_of(request)
    try:
        if what == "people":
            context = await _run(people.people_view, site, asker)
            context["roles_choice"] = [(role, role) for role in context["roles"]]
            context["programmes"] = [(p.id, p.id) for p in await _run(Workspace(site.workspace).programmes)]
            context["me_email"] = asker.email
            template, title = "admin_people.html", "People"
        elif what == "institutions":
            context = {"institutions": await _run(people.institutions_view, site, asker)}
            template, title = "admin_institutions.html", "Institutions"
        else:
            context = {"requests": await _run(people.registrations, site, asker)}
            context["institutions"] = (await _run(people.people_view, site, asker))["institutions"]
            template, title = "admin_registrations.html", "Registration requests"
    except people.Refused as refused:
        return _refused(request, refused)
    return render(
        request,
        template,
        status=status,
        title=title,
        done=notice,
        errors=errors or {},
        values=values or {},
        **context,
    )


async def _admin_change(request: Request, what: str, work: Callable[[dict[str, str]], Any]) -> Response:
    """Run an admin's change from its form; the page again with what it did or why not."""
    values = await _form(request)
    try:
        notice = await run_in_threadpool(work, values)
    except people.Refused as refused:
        return _refused(request, refused)
    except NumsError as error:
        renamed = (
            {"email": "assign_email", "programme": "assign_programme"} if "assign_email" in values else None
        )
        return await _admin_page(request, what, None, _errors(error, renamed), values, status=422)
    return await _admin_page(request, what, notice)


def _id(values: Mapping[str, str]) -> int:
    try:
        return int(values.get("id", ""))
    except ValueError:
        raise NumsError(
            Problem(f"{values.get('id', '')!r} is not a request's number", field="request")
        ) from None


async def people_page(request: Request) -> Response:
    return await _admin_page(request, "people")


async def people_json(request: Request) -> Response:
    """Every account, as ``nums site user list --json`` prints them."""
    try:
        view = await _run(people.people_view, _site(request), person_of(request))
    except people.Refused as refused:
        return error_json(refused.decision.value, str(refused.problems[0].message))
    return JSONResponse([{k: v for k, v in row.items() if k != "held"} for row in view["people"]])


async def invite(request: Request) -> Response:
    site, asker = _site(request), person_of(request)

    def work(v: dict[str, str]) -> str:
        delivery = people.invite(
            site,
            asker,
            v.get("email", ""),
            v.get("name", ""),
            v.get("role", ""),
            v.get("institution"),
            v.get("programme"),
        )
        return delivery.words("The invitation")

    return await _admin_change(request, "people", work)


async def reinvite(request: Request) -> Response:
    site, asker = _site(request), person_of(request)
    return await _admin_change(
        request,
        "people",
        lambda v: people.reinvite(site, asker, v.get("email", "")).words("A new invitation"),
    )


async def disable(request: Request) -> Response:
    site, asker = _site(request), person_of(request)
    return await _admin_change(
        request,
        "people",
        lambda v: (
            f"Disabled {people.disable(site, asker, v.get('email', ''))}; every session it had is ended."
        ),
    )


async def grant(request: Request) -> Response:
    site, asker = _site(request), person_of(request)
    return await _admin_change(
        request,
        "people",
        lambda v: (
            people.grant_role(site, asker, v.get("email", ""), v.get("role", ""), v.get("programme")) + "."
        ),
    )


async def revoke(request: Request) -> Response:
    site, asker = _site(request), person_of(request)
    return await _admin_change(
        request,
        "people",
        lambda v: (
            people.revoke_role(site, asker, v.get("email", ""), v.get("role", ""), v.get("programme")) + "."
        ),
    )


async def assign(request: Request) -> Response:
    site, asker = _site(request), person_of(request)
    return await _admin_change(
        request,
        "people",
        lambda v: (
            people.assign_coordinator(site, asker, v.get("assign_email", ""), v.get("assign_programme", ""))
            + "."
        ),
    )


async def institutions_page(request: Request) -> Response:
    return await _admin_page(request, "institutions")


async def institutions_json(request: Request) -> Response:
    try:
        return JSONResponse(await _run(people.institutions_view, _site(request), person_of(request)))
    except people.Refused as refused:
        return error_json(refused.decision.value, str(refused.problems[0].message))


async def add_institution(request: Request) -> Response:
    site, asker = _site(request), person_of(request)
    return await _admin_change(
        request,
        "institutions",
        lambda v: f"Added {people.add_institution(site, asker, v.get('slug', ''), v.get('name', ''))}.",
    )


async def registrations_page(request: Request) -> Response:
    return await _admin_page(request, "registrations")


async def registrations_json(request: Request) -> Response:
    """The requests waiting, as ``nums site registration list --json`` prints them."""
    try:
        return JSONResponse(await _run(people.registrations, _site(request), person_of(request)))
    except people.Refused as refused:
        return error_json(refused.decision.value, str(refused.problems[0].message))


async def approve(request: Request) -> Response:
    site, asker = _site(request), person_of(request)
    return await _admin_change(
        request,
        "registrations",
        lambda v: (
            "Approved. "
            + people.approve_registration(site, asker, _id(v), v.get("slug", "")).words("The invitation")
        ),
    )


async def refuse(request: Request) -> Response:
    site, asker = _site(request), person_of(request)
    return await _admin_change(
        request,
        "registrations",
        lambda v: (
            "Refused. "
            + people.refuse_registration(site, asker, _id(v), v.get("reason", "")).words("The reason")
        ),
    )


# --- an institution's page (its lead's) ------------------------------------------------------------


async def _institution(
    request: Request,
    notice: str | None = None,
    errors: dict[str, list[str]] | None = None,
    values: Mapping[str, str] | None = None,
    status: int = 200,
) -> Response:
    slug = request.path_params["slug"]
    try:
        page = await _run(people.institution_page, _site(request), person_of(request), slug)
    except people.Refused as refused:
        return _refused(request, refused)
    return render(
        request,
        "institution.html",
        status=status,
        title=page.name,
        institution=page,
        programme_choice=[(p["id"].split("/", 1)[1], p["name"]) for p in page.programmes],
        done=notice,
        errors=errors or {},
        values=values or {},
    )


async def institution_page(request: Request) -> Response:
    return await _institution(request)


async def institution_json(request: Request) -> Response:
    """An institution's programmes with their coordinators, for its lead or an admin."""
    try:
        page = await _run(
            people.institution_page, _site(request), person_of(request), request.path_params["slug"]
        )
    except people.Refused as refused:
        return error_json(refused.decision.value, str(refused.problems[0].message))
    return JSONResponse({"slug": page.slug, "name": page.name, "programmes": page.programmes})


async def invite_coordinator(request: Request) -> Response:
    values = await _form(request)
    site, asker, slug = _site(request), person_of(request), request.path_params["slug"]
    try:
        done = await _run(
            people.invite_coordinator,
            site,
            asker,
            slug,
            values.get("programme", ""),
            values.get("email", ""),
            values.get("name", ""),
        )
    except people.Refused as refused:
        return _refused(request, refused)
    except NumsError as error:
        return await _institution(request, None, _errors(error), values, status=422)
    notice = done if isinstance(done, str) else done.words("The invitation")
    return await _institution(request, notice)
