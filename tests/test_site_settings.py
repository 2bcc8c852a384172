"""site.toml: read into a frozen model; bad settings name the file, the line and the field."""

from __future__ import annotations

from pathlib import Path

import pytest
from pydantic import ValidationError

from nums.errors import NumsError
from nums.site.settings import read_settings, settings_template

GOOD = """\
[site]
name = "Scheme"
address = "https://nums.example.org/"

[issuer]
name = "The Scheme"

[mail]
host = "127.0.0.1"
port = 2525
security = "none"
from = "nums@example.org"
password_env = "NUMS_TEST_SMTP_SECRET"
"""


def write(folder: Path, text: str) -> Path:
    (folder / "site.toml").write_text(text, encoding="utf-8")
    return folder


def problems(folder: Path) -> list[str]:
    with pytest.raises(NumsError) as caught:
        read_settings(folder)
    return [str(problem) for problem in caught.value.problems]


def test_the_template_init_writes_is_read_back_as_it_says(tmp_path: Path) -> None:
    settings = read_settings(
        write(tmp_path, settings_template('A "quoted" site', "https://a.example", "a@b.org"))
    )
    assert settings.site.name == 'A "quoted" site'
    assert settings.mail is None  # "Without a [mail] section the site writes each link ... to its log"
    assert settings.secure_cookies
    assert settings.database_url == f"sqlite:///{(tmp_path / 'site.db').resolve()}"


def test_settings_are_frozen(tmp_path: Path) -> None:
    settings = read_settings(write(tmp_path, GOOD))
    with pytest.raises(ValidationError):
        settings.site.name = "other"  # type: ignore[misc]
    assert settings.site.address == "https://nums.example.org"


def test_a_toml_mistake_names_its_line(tmp_path: Path) -> None:
    text = GOOD.replace("port = 2525", "port = 25 25")
    [message] = problems(write(tmp_path, text))
    assert message.startswith(f"{tmp_path / 'site.toml'}:10: is not valid TOML")


def test_a_wrong_value_names_file_line_and_field(tmp_path: Path) -> None:
    [message] = problems(write(tmp_path, GOOD.replace("port = 2525", "port = 99999")))
    assert message.startswith(f"{tmp_path / 'site.toml'}:10: [mail] port: ")


def test_an_address_that_is_not_a_web_address_is_refused(tmp_path: Path) -> None:
    [message] = problems(write(tmp_path, GOOD.replace("https://nums.example.org/", "nums.example.org")))
    assert ":3: [site] address: must be a web address starting with https://" in message


def test_a_missing_setting_and_an_unknown_one_are_both_reported(tmp_path: Path) -> None:
    text = GOOD.replace('name = "The Scheme"', 'nmae = "The Scheme"')
    found = problems(write(tmp_path, text))
    assert any("[issuer] name: is missing" in p for p in found)
    assert any(":6: [issuer] nmae: is not a setting nums knows" in p for p in found)


def test_no_site_toml_says_how_to_make_a_site(tmp_path: Path) -> None:
    [message] = problems(tmp_path)
    assert "no site here: the settings file is missing (make a site with `nums site init`)" in message


def test_the_mail_password_comes_from_the_variable_it_names(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    settings = read_settings(write(tmp_path, GOOD))
    assert settings.mail is not None
    monkeypatch.delenv("NUMS_TEST_SMTP_SECRET", raising=False)
    with pytest.raises(
        NumsError, match=r"\[mail\] password_env: the environment variable NUMS_TEST_SMTP_SECRET"
    ):
        settings.mail.secret()
    monkeypatch.setenv("NUMS_TEST_SMTP_SECRET", "s3cret")
    assert settings.mail.secret() == "s3cret"
    assert "s3cret" not in repr(settings)
