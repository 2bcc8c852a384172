"""How fast `nums serve` answers. Prints figures; asserts nothing.

Targets (issue 13): a save that re-assesses, p95 <= 30 ms; the programme page
<= 60 ms; from starting `nums serve` to its first answer <= 1.5 s. Issue 14: a
review save (check, write, outcome), p95 <= 30 ms; a quote answer
(``/api/quote``), p95 <= 10 ms. Also prints
requests per second with 20 concurrent clients for 20 s on loopback, and the
error count, which must be 0.

Times are taken by a client on the same machine over loopback (keep-alive), so
they include the HTTP round trip: an upper bound on the server's own time.

Run: python benchmarks/serve_speed.py [--seconds 20] [--clients 20] [--saves 200]
"""

from __future__ import annotations

import argparse
import http.client
import json
import shutil
import socket
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

REPO = Path(__file__).resolve().parents[1]


class Client:
    """One keep-alive connection that sends the token as a Bearer header."""

    def __init__(self, base: str, token: str) -> None:
        parts = urlsplit(base)
        self.connection = http.client.HTTPConnection(parts.hostname, parts.port, timeout=30)
        self.connection.connect()
        self.connection.sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
        self.headers = {"Authorization": f"Bearer {token}", "Host": parts.netloc}

    def request(self, method: str, path: str, body: object = None) -> tuple[int, bytes]:
        headers = dict(self.headers)
        data = None
        if body is not None:
            data = json.dumps(body).encode()
            headers["Content-Type"] = "application/json"
        self.connection.request(method, path, body=data, headers=headers)
        response = self.connection.getresponse()
        return response.status, response.read()


def start_server(workspace: Path) -> tuple[subprocess.Popen[str], str, str, float]:
    """Start `nums serve`; return it, its base address, token and seconds to the first answer."""
    began = time.perf_counter()
    process = subprocess.Popen(
        [sys.executable, "-m", "nums", "serve", str(workspace), "--no-browser", "--port", "0"],
        stdout=subprocess.PIPE,
        text=True,
    )
    assert process.stdout is not None
    line = process.stdout.readline().strip()
    base, token = line.split("/?token=")
    status, _ = Client(base, token).request("GET", "/api/programmes")
    first_answer = time.perf_counter() - began
    assert status == 200, status
    return process, base, token, first_answer


def timed(action: object, count: int) -> list[float]:
    times = []
    for _ in range(count):
        start = time.perf_counter()
        action()  # type: ignore[operator]
        times.append((time.perf_counter() - start) * 1000)
    return times


def p95(values: list[float]) -> float:
    return statistics.quantiles(values, n=20)[-1]


def concurrent(base: str, token: str, path: str, clients: int, seconds: float) -> tuple[int, int, float]:
    done, errors = [0] * clients, [0] * clients
    stop_at = time.perf_counter() + seconds

    def work(index: int) -> None:
        client = Client(base, token)
        while time.perf_counter() < stop_at:
            try:
                status, _ = client.request("GET", path)
                if status == 200:
                    done[index] += 1
                else:
                    errors[index] += 1
            except (OSError, http.client.HTTPException):
                errors[index] += 1
                client = Client(base, token)

    threads = [threading.Thread(target=work, args=(i,)) for i in range(clients)]
    start = time.perf_counter()
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return sum(done), sum(errors), time.perf_counter() - start


def timed_saves(
    client: Any, api: str, key: str, change: Callable[[dict, int], None], count: int
) -> list[float]:
    """Milliseconds for each of ``count`` PUTs of the document at ``api`` (under ``key``), each
    one changed by ``change(document, round)`` and sent with the hash the previous save returned."""
    got = json.loads(client.request("GET", api)[1])
    state = {"sha": got["sha256"], "n": 0}
    document = got[key]

    def save() -> None:
        state["n"] += 1
        change(document, state["n"])
        status, body = client.request("PUT", api, {"base_sha256": state["sha"], key: document})
        assert status == 200, body[:300]
        state["sha"] = json.loads(body)["sha256"]

    return timed(save, count)


def _restate_statement(submission: dict, round_number: int) -> None:
    first_claim = next(iter(submission["criteria"].values()))
    first_claim["statement"] = f"Saved by the benchmark, round {round_number}."


def _recomment(review: dict, round_number: int) -> None:
    review["decisions"]["aims.1"]["comment"] = f"Saved by the benchmark, round {round_number}."


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--seconds", type=float, default=20.0)
    parser.add_argument("--clients", type=int, default=20)
    parser.add_argument("--saves", type=int, default=200)
    args = parser.parse_args()
    examples = sorted(REPO.glob("evidence_examples/*/submission.yaml"))
    largest = max(examples, key=lambda p: p.stat().st_size).parent
    with tempfile.TemporaryDirectory(prefix="nums-serve-bench-") as folder:
        workspace = Path(folder)
        shutil.copytree(largest, workspace / largest.name)
        reviewed = REPO / "evidence_examples" / "peer-mentoring"  # the example with a review.yaml
        if reviewed != largest:
            shutil.copytree(reviewed, workspace / reviewed.name)
        process, base, token, first = start_server(workspace)
        try:
            client = Client(base, token)
            page = f"/p/{largest.name}"
            api = f"/api/programmes/{largest.name}/submission"
            print(f"largest example: evidence_examples/{largest.name}")
            print(f"start to first answer: {first * 1000:6.0f} ms    (target <= 1500)")
            timed(lambda: client.request("GET", page), 5)
            pages = timed(lambda: client.request("GET", page), 50)
            print(
                f"programme page:        {statistics.median(pages):6.1f} ms median, {p95(pages):.1f} ms p95 "
                "(target <= 60)"
            )
            saves = timed_saves(client, api, "submission", _restate_statement, args.saves)
            print(
                f"save + re-assess:      {statistics.median(saves):6.1f} ms median, {p95(saves):.1f} ms p95 "
                f"over {args.saves} saves (target p95 <= 30)"
            )
            review_api = f"/api/programmes/{reviewed.name}/review"
            reviews = timed_saves(client, review_api, "review", _recomment, args.saves)
            print(
                f"review save + outcome: {statistics.median(reviews):6.1f} ms median, {p95(reviews):.1f} ms p95 "
                f"over {args.saves} saves (target p95 <= 30)"
            )
            rounds = iter(range(1, 10**9))

            def ask_quote() -> None:
                n = next(rounds) % 60 + 1
                status, body = client.request(
                    "GET", f"/api/quote?initial={n}&reaccreditation=2&mentors=20&on=2026-03-01"
                )
                assert status == 200, body[:300]

            timed(ask_quote, 20)
            quotes = timed(ask_quote, args.saves)
            print(
                f"quote answer:          {statistics.median(quotes):6.1f} ms median, {p95(quotes):.1f} ms p95 "
                f"over {args.saves} quotes (target p95 <= 10)"
            )
            count, errors, elapsed = concurrent(base, token, page, args.clients, args.seconds)
            print(
                f"{args.clients} clients for {elapsed:.0f} s on the programme page: "
                f"{count / elapsed:6.0f} requests per second, {errors} errors (must be 0)"
            )
        finally:
            process.terminate()
            process.wait(timeout=15)


if __name__ == "__main__":
    main()
