"""`nums serve` as a process: the printed address, --port 0, and a clean stop."""

from __future__ import annotations

import re
import signal
import urllib.error
import urllib.request
from pathlib import Path

import pytest
from click.testing import CliRunner

from nums.cli import cli
from nums.cli.web import is_loopback
from tests.serve_process import start, stop
from tests.web_support import copy_examples


def _get(url: str, **headers: str) -> tuple[int, bytes]:
    request = urllib.request.Request(url, headers=headers)
    try:
        with urllib.request.urlopen(request, timeout=10) as response:
            return response.status, response.read()
    except urllib.error.HTTPError as error:
        return error.code, error.read()


@pytest.mark.parametrize("sig", [signal.SIGTERM, signal.SIGINT])
def test_serve_prints_its_address_answers_and_stops_cleanly(tmp_path: Path, sig: int) -> None:
    """ "prints one line ... http://127.0.0.1:PORT/?token=TOKEN (a fresh random token per start, at least
    128 bits) ... It stops cleanly on Ctrl-C or SIGTERM: no traceback, exit 0.\""""
    served = start(copy_examples(tmp_path))
    match = re.fullmatch(r"http://127\.0\.0\.1:(\d+)/\?token=([A-Za-z0-9_-]+)", served.address)
    assert match and int(match.group(1)) > 0
    assert len(match.group(2)) * 6 >= 128
    status, body = _get(served.base + "/api/programmes", Authorization=f"Bearer {served.token}")
    assert status == 200 and b"peer-mentoring" in body
    assert _get(served.base + "/api/programmes")[0] == 401
    code, err = stop(served, sig)
    assert code == 0 and "Traceback" not in err, err


def test_each_start_has_a_fresh_token(tmp_path: Path) -> None:
    first = start(copy_examples(tmp_path))
    second = start(tmp_path / "ws")
    try:
        assert first.token != second.token and first.base != second.base
    finally:
        stop(first)
        stop(second)


def test_a_non_loopback_host_warns(tmp_path: Path) -> None:
    served = start(copy_examples(tmp_path), "--host", "0.0.0.0")
    code, err = stop(served)
    assert "anyone who can reach port" in err and code == 0


def test_loopback_addresses() -> None:
    assert is_loopback("127.0.0.1") and is_loopback("::1") and is_loopback("localhost")
    assert not is_loopback("0.0.0.0") and not is_loopback("192.168.1.2")


def test_serve_needs_a_workspace_folder(tmp_path: Path) -> None:
    result = CliRunner().invoke(cli, ["serve", str(tmp_path / "missing"), "--no-browser"])
    assert result.exit_code == 2 and "does not exist" in result.output
