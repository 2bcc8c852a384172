"""``nums site run`` (issue 22: "serves it (uvicorn)"): it prints the address and where mailed
links go without mail settings, and answers as the site, with one worker and with two."""

from __future__ import annotations

import http.client
import os
import re
import subprocess
import sys
import time
from pathlib import Path

import pytest

from tests.site_support import SITE_ADDRESS, make_site

REPO = Path(__file__).resolve().parents[1]


@pytest.mark.parametrize("workers", [1, 2])
def test_site_run_serves_the_site_and_says_where_links_go(tmp_path: Path, workers: int) -> None:
    folder = make_site(tmp_path / "site")
    environment = {
        **os.environ,
        "PYTHONPATH": f"{REPO / 'src'}{os.pathsep}{os.environ.get('PYTHONPATH', '')}",
    }
    process = subprocess.Popen(
        [sys.executable, "-m", "nums", "site", "run", str(folder), "--port", "0", "--workers", str(workers)],
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
        env=environment,
    )
    try:
        assert process.stdout is not None
        first, second = process.stdout.readline(), process.stdout.readline()
        assert f"at {SITE_ADDRESS}" in first and f"{workers} worker" in first
        assert "mail is not set up" in second and "log" in second
        port = int(re.search(r"listening on http://127\.0\.0\.1:(\d+)", first).group(1))  # type: ignore[union-attr]
        status, body = None, b""
        deadline = time.monotonic() + 30
        while time.monotonic() < deadline and status is None:
            try:
                connection = http.client.HTTPConnection("127.0.0.1", port, timeout=5)
                connection.request("GET", "/api/me", headers={"Host": SITE_ADDRESS.split("://")[1]})
                answer = connection.getresponse()
                status, body = answer.status, answer.read()
            except OSError:
                time.sleep(0.2)
        assert (status, body) == (401, b'{"error":"sign in first"}')
        connection = http.client.HTTPConnection("127.0.0.1", port, timeout=5)
        connection.request("GET", "/api/me", headers={"Host": f"127.0.0.1:{port}"})
        assert connection.getresponse().status == 421  # only the public address is answered
    finally:
        process.terminate()
        process.wait(timeout=30)


def test_site_run_refuses_a_folder_that_is_no_site(tmp_path: Path) -> None:
    environment = {**os.environ, "PYTHONPATH": str(REPO / "src")}
    done = subprocess.run(
        [sys.executable, "-m", "nums", "site", "run", str(tmp_path), "--port", "0"],
        capture_output=True,
        text=True,
        env=environment,
        timeout=60,
    )
    assert done.returncode == 2 and "Traceback" not in done.stderr
    assert "no site here" in done.stdout + done.stderr


def _children(pid: int) -> list[int]:
    try:
        return [int(child) for child in Path(f"/proc/{pid}/task/{pid}/children").read_text().split()]
    except OSError:
        return []


def _spawned(pid: int) -> list[int]:
    """A process's children started by multiprocessing's spawn (not its resource tracker)."""
    found = []
    for child in _children(pid):
        try:
            command = Path(f"/proc/{child}/cmdline").read_bytes()
        except OSError:
            continue
        if b"spawn_main" in command:
            found.append(child)
    return found


def _alive(pid: int) -> bool:
    try:
        state = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0]
    except OSError:
        return False
    return state != "Z"


def _until(condition, seconds: float = 30.0) -> bool:  # type: ignore[no-untyped-def]
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if condition():
            return True
        time.sleep(0.2)
    return condition()


@pytest.mark.skipif(not Path("/proc/self/task").is_dir(), reason="reads the process tree from /proc")
def test_a_workers_pdf_helper_never_outlives_it(tmp_path: Path) -> None:
    """Each worker of ``nums site run`` lays out PDFs in a helper process of its own
    (``render.pdf.lay_out_in_a_helper``): a worker killed takes its helper with it, and when the
    site stops no helper is left running (before, two were left behind by every stop)."""
    folder = make_site(tmp_path / "site")
    environment = {
        **os.environ,
        "PYTHONPATH": f"{REPO / 'src'}{os.pathsep}{os.environ.get('PYTHONPATH', '')}",
    }
    process = subprocess.Popen(
        [sys.executable, "-m", "nums", "site", "run", str(folder), "--port", "0", "--workers", "2"],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
        env=environment,
    )
    helpers: list[int] = []
    try:
        assert _until(
            lambda: len(_spawned(process.pid)) == 2 and all(_spawned(w) for w in _spawned(process.pid))
        )
        workers = _spawned(process.pid)
        helpers = [helper for worker in workers for helper in _spawned(worker)]
        assert len(helpers) == 2
        killed = workers[0]
        os.kill(killed, 9)
        assert _until(lambda: not _alive(helpers[0]), 15), "a killed worker's helper lived on"
        assert _alive(helpers[1])  # the other worker's is still there
    finally:
        process.terminate()
        process.wait(timeout=30)
    assert _until(lambda: not any(_alive(helper) for helper in helpers), 15), "a helper outlived the site"
