"""How fast the site answers many signed-in people at once (issue 22).

Starts ``nums site run --workers 2`` on a fresh site: 5 institutions of 10 coordinators, each
coordinator with a programme of their own and, with their 9 colleagues, a shared one of their
institution (55 programmes). 50 clients sign in by ``POST /api/session`` and, for
``--seconds``, each repeats: load its own programme's page, save its submission (``PUT`` with
the base it last saw and the CSRF token), load the shared programme's page, then wait
``--think`` seconds (a person reads before the next click; 0 hammers the server).

Prints p50/p95 of pages and of saves, the errors (any answer but 200, or 409 for a save whose
base is stale) and the lost updates: a save answered 200 whose words are not on the next load of
the page, or not in the file at the end, or not in the audit trail (one "submission saved" event
each, issue 23). Exits non-zero when p95 page > 250 ms, p95 save >
300 ms, or there is any error or lost update.

Times are taken by clients on the same machine over loopback (keep-alive connections), so they
include the HTTP round trip and the clients' own share of the two cores.

Run: python benchmarks/site_speed.py [--seconds 30] [--clients 50] [--think 1.0] [--workers 2]
"""

from __future__ import annotations

import argparse
import hashlib
import http.client
import json
import os
import resource
import shutil
import socket
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import urlsplit

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO / "src"))

PASSWORD = "benchmark passphrase, long enough"
INSTITUTIONS = 5
PAGE_TARGET_MS, SAVE_TARGET_MS = 250.0, 300.0
IDLE_RECONNECT_SECONDS = 4.0
"""uvicorn closes a keep-alive connection idle for 5 s; a client idle longer opens a new one."""


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def make_site(folder: Path, port: int, clients: int) -> list[tuple[str, str, str]]:
    """A site at http://127.0.0.1:PORT with ``clients`` coordinators: (email, own id, shared id)."""
    from nums.site import accounts
    from nums.site.folder import init_site, open_site

    init_site(folder, "admin@bench.test", "Admin", PASSWORD, "Benchmark", f"http://127.0.0.1:{port}")
    site = open_site(folder)
    example = REPO / "evidence_examples" / "peer-mentoring"
    people = []
    with site.transaction() as db:
        for n in range(INSTITUTIONS):
            accounts.add_institution(db, f"uni{n}", f"University {n}")
            shutil.copytree(example, site.workspace / f"uni{n}" / "shared")
        for n in range(clients):
            institution = f"uni{n % INSTITUTIONS}"
            shutil.copytree(example, site.workspace / institution / f"programme{n}")
            person = accounts.add_person(db, f"c{n}@bench.test", f"Coordinator {n}", PASSWORD, institution)
            accounts.grant(db, person, "coordinator", f"programme{n}")
            accounts.grant(db, person, "coordinator", "shared")
            people.append((person.email, f"{institution}/programme{n}", f"{institution}/shared"))
    site.engine.dispose()
    return people


class Client:
    """One keep-alive connection with a session cookie and its CSRF token."""

    def __init__(self, base: str) -> None:
        parts = urlsplit(base)
        self.host, self.port, self.netloc = parts.hostname or "", parts.port or 80, parts.netloc
        self.cookie = ""
        self.csrf = ""
        self._connect()

    def _connect(self) -> None:
        self.connection = http.client.HTTPConnection(self.host, self.port, timeout=60)
        self.connection.connect()
        self.connection.sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
        self.used = time.monotonic()

    def request(
        self, method: str, path: str, body: object = None
    ) -> tuple[int, bytes, http.client.HTTPResponse]:
        headers = {"Host": self.netloc}
        if self.cookie:
            headers["Cookie"] = self.cookie
        if self.csrf and method not in {"GET", "HEAD"}:
            headers["X-CSRF-Token"] = self.csrf
        data = None
        if body is not None:
            data = json.dumps(body).encode()
            headers["Content-Type"] = "application/json"
        if time.monotonic() - self.used > IDLE_RECONNECT_SECONDS:  # as a browser does: the server
            self.connection.close()  # has closed a connection idle past its keep-alive by now
            self._connect()
        self.used = time.monotonic()
        try:
            self.connection.request(method, path, body=data, headers=headers)
            response = self.connection.getresponse()
            return response.status, response.read(), response
        except (OSError, http.client.HTTPException):
            self.connection.close()
            self._connect()
            raise

    def sign_in(self, email: str) -> None:
        status, body, response = self.request("POST", "/api/session", {"email": email, "password": PASSWORD})
        if status != 200:
            raise RuntimeError(f"sign-in of {email}: {status} {body[:200]!r}")
        self.cookie = (response.getheader("set-cookie") or "").split(";", 1)[0]
        self.csrf = json.loads(body)["csrf"]


@dataclass
class Tally:
    pages: list[float] = field(default_factory=list)
    saves: list[float] = field(default_factory=list)
    errors: list[str] = field(default_factory=list)
    conflicts: int = 0
    lost: list[str] = field(default_factory=list)
    last: dict[str, tuple[str, str]] = field(default_factory=dict)  # id -> (sha256, words saved)
    saved: dict[str, int] = field(default_factory=dict)  # id -> saves answered 200
    lock: threading.Lock = field(default_factory=threading.Lock)


def _timed(client: Client, method: str, path: str, body: object = None) -> tuple[float, int, bytes]:
    start = time.perf_counter()
    status, data, _ = client.request(method, path, body)
    return (time.perf_counter() - start) * 1000, status, data


def signed_in(base: str, email: str, tally: Tally) -> Client | None:
    """A client signed in as ``email`` (before the clock starts: a sign-in is an Argon2 check,
    slow on purpose, and is not what is measured)."""
    client = Client(base)
    try:
        client.sign_in(email)
    except (OSError, http.client.HTTPException, RuntimeError) as error:
        with tally.lock:
            tally.errors.append(f"{email}: {error}")
        return None
    return client


def work(client: Client, who: tuple[str, str, str], stop_at: float, think: float, tally: Tally) -> None:
    email, own, shared = who
    try:
        got = json.loads(client.request("GET", f"/api/programmes/{own}/submission")[1])
    except (OSError, http.client.HTTPException, ValueError) as error:
        with tally.lock:
            tally.errors.append(f"{email}: {error}")
        return
    sha, document, saved_words, round_number = got["sha256"], got["submission"], None, 0
    while time.perf_counter() < stop_at:
        round_number += 1
        try:
            took, status, page = _timed(client, "GET", f"/p/{own}")
            ok_page = status == 200
            if saved_words is not None and ok_page and saved_words.encode() not in page:
                with tally.lock:
                    tally.lost.append(f"{own}: {saved_words!r} not on the page after its save")
            words = f"Saved by {email} in round {round_number}."
            next(iter(document["criteria"].values()))["statement"] = words
            took_save, save_status, answer = _timed(
                client,
                "PUT",
                f"/api/programmes/{own}/submission",
                {"base_sha256": sha, "submission": document},
            )
            took_shared, shared_status, _ = _timed(client, "GET", f"/p/{shared}")
        except (OSError, http.client.HTTPException) as error:
            with tally.lock:
                tally.errors.append(f"{email}: {error}")
            continue
        with tally.lock:
            tally.pages += [took, took_shared]
            tally.saves.append(took_save)
            for name, got_status in (("page", status), ("shared page", shared_status)):
                if got_status != 200:
                    tally.errors.append(f"{email} {name}: {got_status}")
            if save_status == 200:
                sha, saved_words = json.loads(answer)["sha256"], words
                tally.last[own] = (sha, words)
                tally.saved[own] = tally.saved.get(own, 0) + 1
            elif save_status == 409:
                tally.conflicts += 1
                sha = json.loads(answer)["sha256"]
            else:
                tally.errors.append(f"{email} save: {save_status} {answer[:200]!r}")
        if think:
            time.sleep(think)


def check_files(workspace: Path, tally: Tally) -> None:
    """Every programme's file is its last save's: the hash the save answered, its words."""
    for programme_id, (sha, words) in tally.last.items():
        data = (workspace / programme_id / "submission.yaml").read_bytes()
        if hashlib.sha256(data).hexdigest() != sha or words.encode() not in data:
            tally.lost.append(f"{programme_id}: the file is not its last save")


def check_trail(folder: Path, tally: Tally) -> None:
    """Issue 23: "keep the audit trail complete": each save answered 200 is one "submission
    saved" event of its programme, the last of them ending at the hash the last save answered."""
    from nums.site import audit
    from nums.site.folder import open_site

    site = open_site(folder)
    with site.transaction() as db:
        for programme_id, count in tally.saved.items():
            events = [e for e in audit.events(db, programme_id) if e.what == audit.SUBMISSION_SAVED]
            if len(events) != count or events[-1].after != tally.last[programme_id][0]:
                tally.lost.append(f"{programme_id}: {count} saves, {len(events)} in the audit trail")
    site.engine.dispose()


def start(folder: Path, port: int, workers: int) -> subprocess.Popen[str]:
    environment = {
        **os.environ,
        "PYTHONPATH": f"{REPO / 'src'}{os.pathsep}{os.environ.get('PYTHONPATH', '')}",
    }
    process = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "nums",
            "site",
            "run",
            str(folder),
            "--port",
            str(port),
            "--workers",
            str(workers),
        ],
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
        env=environment,
    )
    assert process.stdout is not None
    print(process.stdout.readline().strip())
    output = process.stdout
    threading.Thread(
        target=lambda: [print(f"  site: {line.rstrip()}") for line in output], daemon=True
    ).start()
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        try:
            probe = http.client.HTTPConnection("127.0.0.1", port, timeout=5)
            probe.request("GET", "/api/me", headers={"Host": f"127.0.0.1:{port}"})
            if probe.getresponse().status == 401:
                return process
        except OSError:
            time.sleep(0.2)
    process.terminate()
    raise SystemExit("the site did not answer within 60 s")


def _cpu(who: int) -> float:
    usage = resource.getrusage(who)
    return usage.ru_utime + usage.ru_stime


def percentile(values: list[float], point: int) -> float:
    if len(values) < 2:
        return values[0] if values else float("nan")
    return statistics.quantiles(values, n=100)[point - 1]


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--seconds", type=float, default=30.0)
    parser.add_argument("--clients", type=int, default=50)
    parser.add_argument("--think", type=float, default=1.0, help="seconds each client waits between rounds")
    parser.add_argument("--workers", type=int, default=2)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="nums-site-bench-") as scratch:
        folder, port = Path(scratch) / "site", free_port()
        people = make_site(folder, port, args.clients)
        process = start(folder, port, args.workers)
        base = f"http://127.0.0.1:{port}"
        tally = Tally()
        try:
            began = time.perf_counter()
            clients: list[Client | None] = [None] * len(people)

            def sign_in(index: int) -> None:
                clients[index] = signed_in(base, people[index][0], tally)

            signing = [threading.Thread(target=sign_in, args=(i,)) for i in range(len(people))]
            for thread in signing:
                thread.start()
            for thread in signing:
                thread.join()
            print(f"{len(people)} sign-ins in {time.perf_counter() - began:.1f} s")
            client_cpu_before = _cpu(resource.RUSAGE_SELF)
            stop_at = time.perf_counter() + args.seconds
            threads = [
                threading.Thread(target=work, args=(client, who, stop_at, args.think, tally))
                for client, who in zip(clients, people, strict=True)
                if client is not None
            ]
            began = time.perf_counter()
            for thread in threads:
                thread.start()
            for thread in threads:
                thread.join()
            elapsed = time.perf_counter() - began
            client_cpu = _cpu(resource.RUSAGE_SELF) - client_cpu_before
        finally:
            process.terminate()
            process.wait(timeout=30)
        server_cpu = _cpu(resource.RUSAGE_CHILDREN)
        check_files(folder / "workspace", tally)
        check_trail(folder, tally)
    page95, save95 = percentile(tally.pages, 95), percentile(tally.saves, 95)
    print(
        f"{args.clients} signed-in clients, {args.workers} workers, {elapsed:.0f} s, think {args.think:g} s: "
        f"{(len(tally.pages) + len(tally.saves)) / elapsed:.0f} requests per second"
    )
    print(
        f"page: {len(tally.pages)} loads, p50 {percentile(tally.pages, 50):.0f} ms, p95 {page95:.0f} ms "
        f"(target <= {PAGE_TARGET_MS:.0f})"
    )
    print(
        f"save: {len(tally.saves)} saves, p50 {percentile(tally.saves, 50):.0f} ms, p95 {save95:.0f} ms "
        f"(target <= {SAVE_TARGET_MS:.0f}); {tally.conflicts} refused with 409"
    )
    print(
        f"CPU: the site {server_cpu:.1f} s in all (start and sign-ins included), "
        f"the clients {client_cpu:.1f} s while measured"
    )
    print(f"errors: {len(tally.errors)}; lost updates: {len(tally.lost)}")
    for problem in (tally.errors + tally.lost)[:10]:
        print(f"  {problem}")
    failed = (
        not tally.pages or page95 > PAGE_TARGET_MS or save95 > SAVE_TARGET_MS or tally.errors or tally.lost
    )
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
