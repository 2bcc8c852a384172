"""Mail goes through SMTP (settings in site.toml); these tests run a real SMTP server (aiosmtpd) on
127.0.0.1 and read the messages it receives. With no mail settings the site writes the link it
would have sent to its log."""

from __future__ import annotations

import logging
import socket
from collections.abc import Iterator
from email import message_from_bytes, policy
from email.message import EmailMessage
from pathlib import Path

import pytest
from aiosmtpd.controller import Controller
from aiosmtpd.smtp import AuthResult, LoginPassword

from nums.errors import NumsError
from nums.site import mail
from nums.site.settings import SiteSettings, read_settings, settings_template

SMTP_USER, SMTP_SECRET = "nums", "smtp secret for the tests"


class Inbox:
    """What the server received: each message, parsed, and who signed in to send it."""

    def __init__(self) -> None:
        self.messages: list[EmailMessage] = []
        self.logins: list[str] = []

    async def handle_DATA(self, server, session, envelope):  # type: ignore[no-untyped-def]
        self.messages.append(message_from_bytes(envelope.content, policy=policy.default))  # type: ignore[arg-type]
        return "250 OK"

    def authenticate(self, server, session, envelope, mechanism, auth_data):  # type: ignore[no-untyped-def]
        good = isinstance(auth_data, LoginPassword) and (auth_data.login, auth_data.password) == (
            SMTP_USER.encode(),
            SMTP_SECRET.encode(),
        )
        if good:
            self.logins.append(auth_data.login.decode())
        return AuthResult(success=good, handled=False)  # handled=False: the server answers 535 itself


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


@pytest.fixture()
def inbox() -> Iterator[tuple[Inbox, int]]:
    received = Inbox()
    port = free_port()
    controller = Controller(
        received,
        hostname="127.0.0.1",
        port=port,
        authenticator=received.authenticate,
        auth_require_tls=False,  # a server on this machine only, for the test
    )
    controller.start()
    yield received, port
    controller.stop()


def site_with_mail(folder: Path, port: int) -> SiteSettings:
    text = settings_template("Mentoring Scheme", "https://nums.example.org", "admin@example.org")
    text += f"""
[mail]
host = "127.0.0.1"
port = {port}
security = "none"
user = "{SMTP_USER}"
password_env = "NUMS_TEST_SMTP_SECRET"
from = "accreditation@example.org"
"""
    (folder / "site.toml").write_text(text, encoding="utf-8")
    return read_settings(folder)


def test_an_invitation_arrives_with_its_one_time_link(
    tmp_path: Path, inbox: tuple[Inbox, int], monkeypatch: pytest.MonkeyPatch
) -> None:
    received, port = inbox
    monkeypatch.setenv("NUMS_TEST_SMTP_SECRET", SMTP_SECRET)
    settings = site_with_mail(tmp_path, port)
    sent = mail.send_link(
        settings,
        "invitation",
        "lee@southgate.ac.uk",
        "tok-123",
        name="Lee",
        role="lead",
        institution="Southgate",
    )
    assert sent and received.logins == [SMTP_USER]
    [message] = received.messages
    assert message["To"] == "lee@southgate.ac.uk"
    assert message["From"] == "Mentoring Scheme <accreditation@example.org>"
    assert message["Subject"] == "You are invited to Mentoring Scheme"
    body = message.get_content()
    assert "as lead of Southgate" in body
    assert "https://nums.example.org/account/invitation?token=tok-123" in body


@pytest.mark.parametrize("kind", mail.KINDS)
def test_every_message_fills_in_its_template(
    tmp_path: Path, inbox: tuple[Inbox, int], kind: str, monkeypatch
) -> None:  # type: ignore[no-untyped-def]
    received, port = inbox
    monkeypatch.setenv("NUMS_TEST_SMTP_SECRET", SMTP_SECRET)
    settings = site_with_mail(tmp_path, port)
    values = {
        "name": "Lee",
        "institution": "Southgate",
        "role": "lead",
        "link": "https://nums.example.org/x",
        "reason": "r",
    }
    # the journey's messages (issue 23) name the programme and what the step says
    values |= {
        "programme": "Peer Mentoring",
        "again": "",
        "doing": "Take it.",
        "count": "1",
        "due": "2026-04-17",
    }
    values |= {"letter": "https://nums.example.org/x/letter.pdf"}
    values |= {"outcome": "Silver", "number": "1", "total": "£420.00", "vat_rate": "20", "level": "silver"}
    values |= {"lapses": "2027-03-19", "days": "90"}
    mail.send(settings, mail.compose(settings, kind, "lee@southgate.ac.uk", **values))
    [message] = received.messages
    assert "Mentoring Scheme" in message["Subject"] and message.get_content().startswith("Hello Lee,")


def test_a_wrong_mail_password_is_a_message_not_a_traceback(
    tmp_path: Path, inbox: tuple[Inbox, int], monkeypatch: pytest.MonkeyPatch
) -> None:
    received, port = inbox
    monkeypatch.setenv("NUMS_TEST_SMTP_SECRET", "not the secret")
    settings = site_with_mail(tmp_path, port)
    with pytest.raises(
        NumsError, match=r"\[mail\]: the message to lee@southgate.ac.uk was not sent"
    ) as caught:
        mail.send_link(settings, "reset", "lee@southgate.ac.uk", "tok", name="Lee")
    assert "not the secret" not in str(caught.value)
    assert received.messages == []


def test_without_mail_settings_the_link_goes_to_the_log(
    tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    (tmp_path / "site.toml").write_text(settings_template("Scheme", "https://nums.example.org", "a@b.org"))
    settings = read_settings(tmp_path)
    with caplog.at_level(logging.INFO, logger="nums.site.mail"):
        assert mail.send_link(settings, "reset", "lee@southgate.ac.uk", "tok-9", name="Lee") is False
    assert "mail is not set up (no [mail] in site.toml): not sent to lee@southgate.ac.uk" in caplog.text
    assert "https://nums.example.org/account/reset?token=tok-9" in caplog.text


def test_a_name_cannot_add_a_header(tmp_path: Path) -> None:
    """Text from people goes in the body; a line break in a header is refused by the mail library."""
    (tmp_path / "site.toml").write_text(settings_template("Scheme", "https://nums.example.org", "a@b.org"))
    settings = read_settings(tmp_path)
    with pytest.raises(ValueError):
        mail.compose(
            settings, "registration_received", "x@y.org\r\nBcc: all@y.org", name="X", institution="Y"
        )


def test_the_site_says_at_start_whether_mail_is_sent(tmp_path: Path, inbox: tuple[Inbox, int]) -> None:
    """The issue: "With no mail settings the site prints the links it would have sent to its log, and says so at start"."""
    (tmp_path / "site.toml").write_text(settings_template("Scheme", "https://nums.example.org", "a@b.org"))
    [note] = mail.startup_notes(read_settings(tmp_path))
    assert note.startswith("mail is not set up (no [mail] in site.toml)")
    _, port = inbox
    assert mail.startup_notes(site_with_mail(tmp_path, port)) == [
        f"mail goes through 127.0.0.1:{port} (none)"
    ]
