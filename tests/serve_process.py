"""A real `nums serve` process on a free loopback port, for end-to-end tests and benchmarks."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path


@dataclass(frozen=True)
class Served:
    process: subprocess.Popen[str]
    address: str  # the printed line: http://127.0.0.1:PORT/?token=TOKEN
    started_in: float  # seconds from start to the printed line

    @property
    def base(self) -> str:
        return self.address.split("/?token=")[0]

    @property
    def token(self) -> str:
        return self.address.split("token=")[1]


def start(workspace: Path, *extra: str, timeout: float = 20.0) -> Served:
    began = time.perf_counter()
    process = subprocess.Popen(
        [sys.executable, "-m", "nums", "serve", str(workspace), "--no-browser", "--port", "0", *extra],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        env={**os.environ, "PYTHONUNBUFFERED": "1"},
    )
    assert process.stdout is not None
    line = process.stdout.readline().strip()
    if not line.startswith("http://"):
        process.kill()
        raise RuntimeError(
            f"nums serve printed {line!r}; stderr: {process.stderr.read() if process.stderr else ''}"
        )
    return Served(process, line, time.perf_counter() - began)


def stop(served: Served, sig: int = signal.SIGTERM) -> tuple[int, str]:
    served.process.send_signal(sig)
    try:
        _, err = served.process.communicate(timeout=15)
    except subprocess.TimeoutExpired:
        served.process.kill()
        _, err = served.process.communicate()
    return served.process.returncode, err


@contextmanager
def serving(workspace: Path, *extra: str) -> Iterator[Served]:
    served = start(workspace, *extra)
    try:
        yield served
    finally:
        if served.process.poll() is None:
            stop(served)
