"""The command line through click's runner, and the installed package from outside the checkout."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import zipfile
from pathlib import Path

import pytest
from click.testing import CliRunner

from nums import __version__
from nums.cli import cli
from tests.conftest import REPO


def invoke(*args: str) -> tuple[int, str]:
    result = CliRunner().invoke(cli, list(args))
    return result.exit_code, result.output


def test_version_and_help() -> None:
    code, output = invoke("--version")
    assert code == 0 and __version__ in output
    code, output = invoke("--help")
    assert code == 0
    for command in ("standards", "init", "validate", "assess", "schema", "pack", "quote", "review", "serve"):
        assert command in output


def test_standards_lists_every_item() -> None:
    code, output = invoke("standards")
    assert code == 0
    for ident in ("aims.1", "training.1.c", "administration.13", "awareness.7", "celebration.5"):
        assert ident in output
    assert "administration.12" not in output


def test_standards_json_has_the_public_shape() -> None:
    code, output = invoke("standards", "--json")
    assert code == 0
    data = json.loads(output)
    assert data["edition"] == "nums-2021"
    assert data["levels"] == ["bronze", "silver", "gold"]
    training = next(p for p in data["pillars"] if p["id"] == "training")
    ids = [c["id"] for c in training["criteria"]]
    assert "training.1" not in ids and "training.1.c" in ids  # topics, never their heading alone
    topic = next(c for c in training["criteria"] if c["id"] == "training.1.c")
    assert topic["number"] == "1.c" and topic["text"] == "Safeguarding protocol"
    assert "covering" in topic["parent"]
    admin13 = next(c for p in data["pillars"] for c in p["criteria"] if c["id"] == "administration.13")
    assert admin13["number"] == "13" and admin13["level"] == "gold"


@pytest.mark.parametrize(
    ("ident", "expected"),
    [
        ("aims.7", "truncated"),
        ("awareness.6", "printed as 7"),
        ("training.3", "observation of mentoring session"),
        ("training.1", "training.1.i"),
        ("support", "Pillar 3"),
        ("aims.3", "career can refer to"),
    ],
)
def test_standards_show(ident: str, expected: str) -> None:
    code, output = invoke("standards", "show", ident)
    assert code == 0, output
    assert expected in output


def test_standards_show_unknown_id_suggests() -> None:
    code, output = invoke("standards", "show", "administraton.13")
    assert code == 2
    assert "did you mean 'administration.13'" in output


def test_init_writes_a_commented_skeleton(tmp_path: Path) -> None:
    code, output = invoke("init", str(tmp_path / "new"))
    assert code == 0, output
    text = (tmp_path / "new" / "submission.yaml").read_text()
    assert "# Safeguarding protocol" in text.replace("There is training provided for mentors covering: ", "")
    assert "  training.1.c:" in text and "  administration.13:" in text
    assert (tmp_path / "new" / "evidence").is_dir()
    code, output = invoke("init", str(tmp_path / "new"))
    assert code == 2 and "--force" in output


def test_init_skeleton_becomes_valid_once_filled(tmp_path: Path) -> None:
    invoke("init", str(tmp_path))
    path = tmp_path / "submission.yaml"
    text = path.read_text()
    for blank, value in [
        ('name: ""                     #', "name: Peer Mentoring #"),
        ('institution: ""', "institution: Example University"),
        ('coordinator: {name: "", email: ""}', "coordinator: {name: A. Person, email: a@example.ac.uk}"),
        ('purpose: ""', "purpose: peer mentoring"),
        ("mentors: null", "mentors: 12"),
        ("started: null", "started: 2025-01-01"),
        ("date: null", "date: 2026-03-02"),
    ]:
        assert blank in text, blank
        text = text.replace(blank, value, 1)
    path.write_text(text)
    code, output = invoke("validate", str(path))
    assert code == 0, output
    code, output = invoke("assess", "--json", str(path))
    assert json.loads(output)["overall"]["awardable_level"] is None


def test_schema_is_json_schema_with_the_editions_ids() -> None:
    code, output = invoke("schema")
    assert code == 0
    schema = json.loads(output)
    assert schema["$schema"].startswith("https://json-schema.org/")
    assert "training.1.c" in schema["properties"]["criteria"]["propertyNames"]["enum"]
    assert "training.1" not in schema["properties"]["criteria"]["propertyNames"]["enum"]


def test_assess_rejects_a_bad_date_option(tmp_path: Path) -> None:
    invoke("init", str(tmp_path))
    code, output = invoke("assess", "--on", "March 2nd", str(tmp_path / "submission.yaml"))
    assert code == 2 and "YYYY-MM-DD" in output


def _run(args: list[str], cwd: Path, **env: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, *args],
        cwd=cwd,
        capture_output=True,
        text=True,
        env={**os.environ, **env},
        check=False,
    )


def _after_command(command: str, expression: str, cwd: Path) -> subprocess.CompletedProcess[str]:
    """Run one `nums` command (a list, as Python text) in a fresh interpreter, then print ``expression``."""
    code = (
        "import sys\nfrom nums.cli import cli\n"
        f"try:\n    cli.main({command}, standalone_mode=False)\nexcept SystemExit:\n    pass\n"
        f"print({expression})"
    )
    return _run(["-c", code], cwd)


def test_installed_package_works_from_any_directory(tmp_path: Path) -> None:
    """After installation, `nums standards --json` works outside the checkout."""
    result = _run(["-m", "nums", "standards", "--json"], tmp_path)
    assert result.returncode == 0, result.stderr
    assert json.loads(result.stdout)["edition"] == "nums-2021"


def test_commands_that_render_nothing_do_not_import_weasyprint(tmp_path: Path) -> None:
    example = next(REPO.glob("evidence_examples/*/submission.yaml"), None)
    commands = ["['standards', '--json']", "['schema']"]
    if example is not None:
        commands += [f"['assess', '--json', {str(example)!r}]", f"['validate', {str(example)!r}]"]
        folder = str(REPO / "evidence_examples")
        commands += [
            f"['portfolio', {folder!r}, '--json']",
            f"['portfolio', {folder!r}, '--ics', {str(tmp_path / 'p.ics')!r}]",
        ]
    for command in commands:
        result = _after_command(command, "'weasyprint' in sys.modules", tmp_path)
        assert result.stdout.strip().endswith("False"), (command, result.stdout, result.stderr)


def test_quote_and_assess_do_not_import_the_web_app(tmp_path: Path) -> None:
    """`nums quote` and `nums assess` must not import Starlette, uvicorn or multipart (issue 13)."""
    example = REPO / "evidence_examples" / "peer-mentoring" / "submission.yaml"
    commands = [
        "['quote', '--initial', '1', '--reaccreditation', '0']",
        f"['assess', '--json', {str(example)!r}]",
    ]
    web = "sorted(m for m in ('starlette', 'uvicorn', 'multipart', 'python_multipart') if m in sys.modules)"
    for command in commands:
        result = _after_command(command, web, tmp_path)
        assert result.stdout.strip().endswith("[]"), (command, result.stdout, result.stderr)


def test_the_wheel_ships_the_standards(tmp_path: Path) -> None:
    """The standards data ships inside the installed package."""
    result = subprocess.run(
        [sys.executable, "-m", "pip", "wheel", "--no-deps", "--quiet", "-w", str(tmp_path), str(REPO)],
        capture_output=True,
        text=True,
        check=False,
    )
    assert result.returncode == 0, result.stderr[-2000:]
    wheel = next(tmp_path.glob("nums-*.whl"))
    names = zipfile.ZipFile(wheel).namelist()
    assert "nums/standards/nums-2021/edition.yaml" in names
    assert "nums/standards/nums-2021/pillars/2-training.yaml" in names
    assert "nums/web/static/app.js" in names and "nums/web/templates/programme.html" in names


@pytest.mark.parametrize(
    ("args", "words"),
    [
        (["serve", "--port", "70000"], "'--port': 70000 is out of range (0 to 65535)"),
        (["serve", "--max-upload", "0"], "'--max-upload': '0' is out of range (give a number of MiB above 0"),
        (["serve", "--max-upload", "1e308"], "'--max-upload': '1e308' is out of range"),
        (["serve", "--max-upload", "1e-9"], "'--max-upload': '1e-9' is out of range"),
        (["serve", "--max-upload", "lots"], "'--max-upload': 'lots' is not a number of MiB"),
        (["portfolio", ".", "--horizon", "-1"], "'--horizon': -1 is out of range (0 to 3660)"),
        (["portfolio", ".", "--jobs", "two"], "'--jobs': 'two' is not a whole number (1 to 64)"),
        (["quote", "--mentors", "0", "--initial", "1"], "'--mentors': 0 is out of range (1 or more)"),
    ],
)
def test_numbers_on_the_command_line_are_checked_in_plain_words(args: list[str], words: str) -> None:
    """Errors are for people, never a library's words (click's own say "not in the range x>=0")."""
    result = CliRunner().invoke(cli, args)
    assert result.exit_code == 2
    assert words in result.output
    assert "x>" not in result.output and "valid integer" not in result.output and "float" not in result.output
