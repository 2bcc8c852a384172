"""The messages the site sends: invitations, password resets, registration received and approved.

Each message is a Jinja2 text template (``templates/mail/KIND.txt``; its first line is the
``Subject:``), sent through the SMTP server of ``site.toml``'s ``[mail]``. A site with no
``[mail]`` sends nothing: it writes to its log who the message was for and the link it carried,
so an administrator can pass it on (``nums site run`` says so when it starts).
"""

from __future__ import annotations

import logging
import smtplib
import ssl
from email.message import EmailMessage
from email.utils import formataddr, make_msgid
from functools import cache
from pathlib import Path
from urllib.parse import quote

from nums.errors import NumsError, Problem
from nums.site.settings import MailSection, SiteSettings

log = logging.getLogger("nums.site.mail")

TEMPLATES = Path(__file__).with_name("templates") / "mail"
KINDS = (
    "invitation",
    "reset",
    "registration_received",
    "registration_approved",
    "registration_refused",
    # an application's journey (issue 23): plain words and a link to the page, never the evidence
    "application_submitted",
    "evidence_requested",
    "application_decided",
    "invoice_recorded",
    "award_lapsing",
)
MAIL_TIMEOUT_SECONDS = 30
"""How long to wait for the mail server before the message is reported as not sent."""

LINK_PATHS = {"invitation": "/account/invitation", "reset": "/account/reset"}
"""Where a one-time link leads on the site (the web app answers there)."""


@cache
def _environment():  # type: ignore[no-untyped-def]
    import jinja2

    return jinja2.Environment(
        loader=jinja2.FileSystemLoader(TEMPLATES),
        autoescape=False,  # plain text: nothing here is HTML, and the headers are set apart
        undefined=jinja2.StrictUndefined,
        keep_trailing_newline=True,
    )


def link(settings: SiteSettings, kind: str, token: str) -> str:
    """The one-time link for a token: the only secret nums ever puts in a URL."""
    return f"{settings.site.address}{LINK_PATHS[kind]}?token={quote(token, safe='')}"


def page_link(settings: SiteSettings, programme_id: str) -> str:
    """The programme's page on the site: what the journey's messages point at."""
    return f"{settings.site.address}/p/{quote(programme_id, safe='/')}/"


def compose(settings: SiteSettings, kind: str, to: str, **values: str) -> EmailMessage:
    """A message of ``kind`` to ``to``, its template filled with ``values`` and the site's name."""
    if kind not in KINDS:
        raise ValueError(f"no message {kind!r}")
    text = _environment().get_template(f"{kind}.txt").render(site=settings.site.name, **values)
    first, _, body = text.partition("\n")
    message = EmailMessage()
    message["Subject"] = first.removeprefix("Subject:").strip()
    message["To"] = to
    sender = settings.mail.sender if settings.mail else f"nums@{_host(settings)}"
    message["From"] = formataddr((settings.site.name, sender))
    message["Message-ID"] = make_msgid(domain=_host(settings))
    message.set_content(body.lstrip("\n"))
    return message


def _host(settings: SiteSettings) -> str:
    return settings.site.address.split("://", 1)[1].split("/", 1)[0].split(":", 1)[0]


def startup_notes(settings: SiteSettings) -> list[str]:
    """What ``nums site run`` says about mail when it starts."""
    if settings.mail is None:
        return [
            "mail is not set up (no [mail] in site.toml): invitations and password resets are not "
            "sent; each link is written to this log instead, for an administrator to pass on"
        ]
    return [f"mail goes through {settings.mail.host}:{settings.mail.port} ({settings.mail.security})"]


def send(settings: SiteSettings, message: EmailMessage, shown_link: str | None = None) -> bool:
    """Send ``message``; True when it went to the mail server, False when there is none (then the
    log has who it was for and ``shown_link``). A server that refuses is a ``NumsError``."""
    if settings.mail is None:
        log.warning(
            "mail is not set up (no [mail] in site.toml): not sent to %s: %s%s",
            message["To"],
            message["Subject"],
            f"; its link: {shown_link}" if shown_link else "",
        )
        return False
    try:
        with _connect(settings.mail) as server:
            server.send_message(message)
    except (smtplib.SMTPException, OSError) as exc:
        raise NumsError(
            Problem(
                f"the message to {message['To']} was not sent: {exc}",
                field="[mail]",
                suggestion=f"check the mail server {settings.mail.host}:{settings.mail.port}",
            )
        ) from None
    log.info("sent to %s: %s", message["To"], message["Subject"])
    return True


def _connect(mail: MailSection) -> smtplib.SMTP:
    if mail.security == "ssl":
        server: smtplib.SMTP = smtplib.SMTP_SSL(
            mail.host, mail.port, timeout=MAIL_TIMEOUT_SECONDS, context=ssl.create_default_context()
        )
    else:
        server = smtplib.SMTP(mail.host, mail.port, timeout=MAIL_TIMEOUT_SECONDS)
        if mail.security == "starttls":
            server.starttls(context=ssl.create_default_context())
    if mail.user:
        server.login(mail.user, mail.secret() or "")
    return server


def send_link(settings: SiteSettings, kind: str, to: str, token: str, **values: str) -> bool:
    """Compose and send a message carrying a one-time link (an invitation, a reset, an approval)."""
    target = link(settings, "reset" if kind == "reset" else "invitation", token)
    return send(settings, compose(settings, kind, to, link=target, **values), shown_link=target)
