"""A site's settings: ``DIR/site.toml``, read once into a frozen model.

Bad settings are the person's to fix, so every problem names the file, the line and the field
(``[mail] port``), and ends in exit status 2 like any other bad input. A password may be written
in the file, or (better: the file may then be kept in git) named by ``password_env``, the
environment variable that holds it.
"""

from __future__ import annotations

import os
import re
import tomllib
from pathlib import Path
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator

from nums.errors import NumsError, Problem
from nums.site import DATABASE_FILE, SETTINGS_FILE

MAX_SETTINGS_BYTES = 64 * 1024
"""A site.toml is a page of settings; a larger one is not a settings file."""


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True, str_strip_whitespace=True)


class SiteSection(_Strict):
    name: str = Field(min_length=1, max_length=200)
    address: str = Field(
        description="the public address, as people type it: https://accreditation.example.org"
    )
    database_url: str | None = None
    # "Whether review waits for payment is a site setting, off by default (the standard does not
    # say)" (issue 23): when true, no assessor is assigned until the invoice is paid.
    review_waits_for_payment: bool = False
    trusted_proxies: tuple[str, ...] = Field(
        default=(),
        description="the reverse proxies (addresses or networks) whose X-Forwarded-For/-Proto are believed",
    )

    @field_validator("trusted_proxies")
    @classmethod
    def _networks(cls, value: tuple[str, ...]) -> tuple[str, ...]:
        import ipaddress

        for item in value:
            try:
                ipaddress.ip_network(item, strict=False)
            except ValueError:
                raise ValueError(
                    f"{item!r} is not an address or a network, such as 127.0.0.1 or 10.0.0.0/8"
                ) from None
        return value

    @field_validator("address")
    @classmethod
    def _web_address(cls, value: str) -> str:
        if not re.fullmatch(r"https?://[A-Za-z0-9.-]+(:[0-9]{1,5})?(/[^\s]*)?", value):
            raise ValueError(
                "must be a web address starting with https:// (or http://), such as https://nums.example.org"
            )
        return value.rstrip("/")


class MailSection(_Strict):
    host: str = Field(min_length=1)
    port: int = Field(ge=1, le=65535)
    security: Literal["starttls", "ssl", "none"] = "starttls"
    user: str | None = None
    password: str | None = Field(default=None, repr=False)
    password_env: str | None = None
    sender: str = Field(alias="from", min_length=3)

    @field_validator("sender")
    @classmethod
    def _one_address(cls, value: str) -> str:
        if "\n" in value or "\r" in value or "@" not in value:
            raise ValueError("must be one mail address, such as nums@example.org")
        return value

    def secret(self) -> str | None:
        """The password to sign in to the mail server with, from the file or the environment."""
        if self.password_env is None:
            return self.password
        value = os.environ.get(self.password_env)
        if value is None:
            raise NumsError(
                Problem(
                    f"the environment variable {self.password_env} (named by password_env) is not set",
                    field="[mail] password_env",
                )
            )
        return value


class IssuerSection(_Strict):
    """Who awards: printed on letters and quotes."""

    name: str = Field(min_length=1, max_length=200)
    address: str = ""
    email: str = ""


class SiteSettings(_Strict):
    site: SiteSection
    mail: MailSection | None = None
    issuer: IssuerSection
    folder: Path = Field(exclude=True)

    @property
    def secure_cookies(self) -> bool:
        """Cookies are marked Secure when people reach the site by https."""
        return self.site.address.startswith("https://")

    @property
    def database_url(self) -> str:
        """The database: ``database_url``, else ``site.db`` in the site folder."""
        if self.site.database_url:
            return self.site.database_url
        return f"sqlite:///{(self.folder / DATABASE_FILE).resolve()}"


def read_settings(folder: Path) -> SiteSettings:
    """``folder/site.toml``, checked; a ``NumsError`` naming file, line and field otherwise."""
    path = folder / SETTINGS_FILE
    shown = str(path)
    try:
        with open(path, "rb") as stream:
            raw = stream.read(MAX_SETTINGS_BYTES + 1)
    except FileNotFoundError:
        raise NumsError(
            Problem(
                "no site here: the settings file is missing",
                file=shown,
                suggestion="make a site with `nums site init`",
            )
        ) from None
    except OSError as exc:
        raise NumsError(Problem(f"cannot be read: {exc.strerror or exc}", file=shown)) from None
    if len(raw) > MAX_SETTINGS_BYTES:
        raise NumsError(
            Problem(f"is larger than {MAX_SETTINGS_BYTES} bytes; a settings file is a page", file=shown)
        )
    try:
        text = raw.decode("utf-8")
        data = tomllib.loads(text)
    except UnicodeDecodeError:
        raise NumsError(Problem("is not UTF-8 text", file=shown)) from None
    except tomllib.TOMLDecodeError as exc:
        raise NumsError(_toml_problem(str(exc), shown)) from None
    try:
        return SiteSettings.model_validate({**data, "folder": folder})
    except ValidationError as exc:
        raise NumsError([_field_problem(error, text, shown) for error in exc.errors()]) from None


def _toml_problem(message: str, shown: str) -> Problem:
    """tomllib says "Invalid value (at line 3, column 8)": the line goes where every problem puts it."""
    where = re.search(r"\(at line (\d+), column \d+\)$", message)
    if where is None:
        return Problem(f"is not valid TOML: {message}", file=shown)
    return Problem(
        f"is not valid TOML: {message[: where.start()].strip()}", file=shown, line=int(where.group(1))
    )


def _field_problem(error: dict, text: str, shown: str) -> Problem:
    location = [str(part) for part in error["loc"]]
    section, key = (location[0], location[1] if len(location) > 1 else None)
    field = f"[{section}] {key}" if key else f"[{section}]"
    message = error["msg"]
    if error["type"] == "missing":
        message = "is missing"
    elif error["type"] == "extra_forbidden":
        message = "is not a setting nums knows"
    elif message.startswith("Value error, "):
        message = message.removeprefix("Value error, ")
    return Problem(message, file=shown, line=_line_of(text, section, key), field=field)


def _line_of(text: str, section: str, key: str | None) -> int | None:
    """The line of ``key`` in ``[section]`` (or of the section's header), as written."""
    current = None
    header_line = None
    for number, line in enumerate(text.splitlines(), start=1):
        stripped = line.strip()
        header = re.fullmatch(r"\[\s*([A-Za-z0-9_-]+)\s*\]\s*(#.*)?", stripped)
        if header:
            current = header.group(1)
            if current == section:
                header_line = number
            continue
        if current == section and key is not None and re.match(rf"{re.escape(key)}\s*=", stripped):
            return number
    return header_line


def settings_template(name: str, address: str, admin_email: str) -> str:
    """The commented site.toml ``nums site init`` writes."""
    quoted = _toml_string
    return f"""\
# The settings of a nums site. Change them with any text editor; a running site reads them when it starts.

[site]
# The site's name, shown on every page and in every message it sends.
name = {quoted(name)}
# The public address people reach the site at (the reverse proxy's). With https:// the session
# cookie is marked Secure.
address = {quoted(address)}
# The database. Left out, it is site.db in this folder (SQLite). For PostgreSQL, for example:
# database_url = "postgresql+psycopg://nums@localhost/nums"
# The reverse proxies whose X-Forwarded-For and X-Forwarded-Proto headers are believed (the
# address a sign-in comes from is what slows a guesser down). None by default: the address is
# the connection's. Behind a proxy on this machine:
# trusted_proxies = ["127.0.0.1", "::1"]

[issuer]
# Who awards accreditation: printed on letters and quotes.
name = {quoted(name)}
address = ""
email = {quoted(admin_email)}

# Mail: invitations and password resets are sent through this server. Without a [mail]
# section the site writes each link it would have sent to its log instead (and says so at start).
# [mail]
# host = "smtp.example.org"
# port = 587
# security = "starttls"   # or "ssl" (port 465), or "none" (a server on this machine only)
# user = "nums"
# password_env = "NUMS_SMTP_PASSWORD"   # the environment variable holding the password
# from = "nums@example.org"
"""


def _toml_string(value: str) -> str:
    escaped = value.replace("\\", "\\\\").replace('"', '\\"')
    escaped = re.sub(r"[\x00-\x1f\x7f]", lambda m: f"\\u{ord(m.group()):04x}", escaped)
    return f'"{escaped}"'
