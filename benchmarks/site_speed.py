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

With ``--packs K``, K more sessions (of the first K coordinators) download their programme's pack
PDF over and over (a pause of two seconds between), so the pages' figures show what a second of
WeasyPrint in a worker costs everyone else (the site's workers lay PDFs out in a helper process).

With ``--journey`` (issue 23, "under load: submissions and decisions from 50 clients lose nothing
and keep the audit trail complete"), the clients carry applications through the JSON API instead
(``POST /api/programmes/{id}/transitions``): ``--assessors`` of them (10) are assessors, the rest
coordinators of a programme each. A coordinator submits, sometimes withdraws, answers the evidence
requested and resubmits; an assessor takes from what waits for them (``GET /api/waiting``), asks
for evidence while the review does, accepts it after the resubmission (``PUT`` of the review) and
decides. At the end it prints p50/p95 of each kind of step and checks that nothing was lost: every
step answered 200 is an audit event of that state at that moment and every such event was a 200;
the last 200 of each programme is the state the database holds; ``states.replay`` of each trail
reaches it; every refusal was a 403, 404 or 409 with words. Exits non-zero on any loss or error.

``--database-url`` puts the site's database there (an empty PostgreSQL database) instead of SQLite.
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


def make_site(
    folder: Path, port: int, clients: int, database_url: str | None = None
) -> list[tuple[str, str, str]]:
    """A site at http://127.0.0.1:PORT with ``clients`` coordinators: (email, own id, shared id)."""
    from nums.site import accounts
    from nums.site.folder import init_site, open_site

    init_site(
        folder, "admin@bench.test", "Admin", PASSWORD, "Benchmark", f"http://127.0.0.1:{port}", database_url
    )
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
    packs: list[float] = field(default_factory=list)
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


def download_packs(client: Client, who: tuple[str, str, str], stop_at: float, tally: Tally) -> None:
    """``--packs``: a second session of a coordinator downloading their programme's pack PDF,
    again and again with a pause, while the others load and save (the pack is laid out anew each
    time: a second or more of WeasyPrint)."""
    email, own, _ = who
    while time.perf_counter() < stop_at:
        try:
            took, status, data = _timed(client, "GET", f"/p/{own}/pack.pdf")
        except (OSError, http.client.HTTPException) as error:
            with tally.lock:
                tally.errors.append(f"{email} pack: {error}")
            continue
        with tally.lock:
            if status == 200 and data.startswith(b"%PDF"):
                tally.packs.append(took)
            else:
                tally.errors.append(f"{email} pack: {status}")
        time.sleep(PACK_PAUSE_SECONDS)


PACK_PAUSE_SECONDS = 2.0


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


def _process_cpu(pid: int) -> float | None:
    """CPU seconds (user + system) of one process so far, from /proc (Linux); None elsewhere."""
    try:
        fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    except OSError:
        return None
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def _workers(pid: int) -> list[int]:
    """The site's processes: uvicorn's supervisor, its workers and theirs (each worker's PDF
    helper), from /proc on Linux."""
    try:
        children = Path(f"/proc/{pid}/task/{pid}/children").read_text().split()
    except OSError:
        return [pid]
    return [pid, *(each for child in children for each in _workers(int(child)))]


def site_processes_cpu(pid: int) -> dict[int, float]:
    """CPU seconds so far of each of the site's processes (empty where /proc is not there)."""
    found = {each: _process_cpu(each) for each in _workers(pid)}
    return {each: cpu for each, cpu in found.items() if cpu is not None}


def percentile(values: list[float], point: int) -> float:
    if len(values) < 2:
        return values[0] if values else float("nan")
    return statistics.quantiles(values, n=100)[point - 1]


# --- the journey under load (issue 23) -------------------------------------------------------

JOURNEY_REFUSALS = frozenset({403, 404, 409})
"""A step refused as the site refuses one: may not (403), may not see (404: an assessor and a
programme withdrawn meanwhile), or not from where it stands now (409); always with words."""
WITHDRAW_SHARE = 0.15
"""Of the coordinators who find their application submitted, how many withdraw it (a draw each round)."""


def make_journey_site(
    folder: Path, port: int, coordinators: int, assessors: int, database_url: str | None
) -> tuple[list, list]:
    """``make_site``'s coordinators and programmes, and ``assessors`` assessors of the scheme
    (no institution: they may review every programme): (coordinators, assessors' emails)."""
    from nums.site import accounts
    from nums.site.folder import open_site

    people = make_site(folder, port, coordinators, database_url)
    site = open_site(folder)
    emails = []
    with site.transaction() as db:
        for n in range(assessors):
            person = accounts.add_person(db, f"a{n}@bench.test", f"Assessor {n}", PASSWORD)
            accounts.grant(db, person, "assessor")
            emails.append(person.email)
    site.engine.dispose()
    return people, emails


@dataclass
class Journey:
    """What the clients saw: each step's time by kind, every transition's answer."""

    times: dict[str, list[float]] = field(default_factory=dict)
    moved: list[tuple[str, str, str]] = field(default_factory=list)  # (programme, state, since) of each 200
    refused: dict[int, int] = field(default_factory=dict)
    errors: list[str] = field(default_factory=list)
    lock: threading.Lock = field(default_factory=threading.Lock)


def _step(client: Client, journey: Journey, kind: str, method: str, path: str, body: object = None):  # type: ignore[no-untyped-def]
    """One request, timed under ``kind``: its status and its JSON (None when not JSON)."""
    took, status, data = _timed(client, method, path, body)
    try:
        answer = json.loads(data) if data else None
    except ValueError:
        answer = None
    with journey.lock:
        journey.times.setdefault(kind, []).append(took)
    return status, answer


def _transition(client: Client, journey: Journey, programme: str, to: str, kind: str) -> str | None:
    """Ask to move ``programme`` to ``to``; the state it is in after a 200, None when refused."""
    status, answer = _step(
        client, journey, kind, "POST", f"/api/programmes/{programme}/transitions", {"to": to}
    )
    with journey.lock:
        if status == 200 and isinstance(answer, dict) and answer.get("state") == to and answer.get("since"):
            journey.moved.append((programme, to, answer["since"]))
            return to
        if status in JOURNEY_REFUSALS and isinstance(answer, dict) and str(answer.get("error", "")).strip():
            journey.refused[status] = journey.refused.get(status, 0) + 1
            return None
        journey.errors.append(f"{kind} {programme}: {status} {answer!r:.200}")
    return None


def coordinate(client: Client, programme: str, stop_at: float, think: float, journey: Journey) -> None:
    """A coordinator: submits, sometimes withdraws, answers what is requested and resubmits."""
    import random

    api = f"/api/programmes/{programme}"
    while time.perf_counter() < stop_at:
        try:
            status, got = _step(client, journey, "state (coordinator)", "GET", f"{api}/state")
            if status != 200 or not isinstance(got, dict):
                with journey.lock:
                    journey.errors.append(f"state of {programme}: {status}")
            elif got["state"] in {"draft", "withdrawn", "decided"}:
                _transition(client, journey, programme, "submitted", "submit")
            elif got["state"] == "submitted" and random.random() < WITHDRAW_SHARE:
                _transition(client, journey, programme, "withdrawn", "withdraw")
            elif got["state"] == "evidence requested":
                for open_request in [r for r in got["requests"] if not r["answered"]]:
                    note = {"criterion": open_request["criterion"], "note": "The evidence is added."}
                    answered, _ = _step(client, journey, "answer", "POST", f"{api}/requests", note)
                    if answered != 200:
                        with journey.lock:
                            journey.errors.append(f"answer on {programme}: {answered}")
                _transition(client, journey, programme, "resubmitted", "resubmit")
        except (OSError, http.client.HTTPException) as error:
            with journey.lock:
                journey.errors.append(f"{programme}: {error}")
        time.sleep(think)


def _final_review(client: Client, journey: Journey, programme: str) -> bool:
    """The assessor accepts what asked for more evidence (``PUT`` of the review): a final review."""
    api = f"/api/programmes/{programme}/review"
    status, got = _step(client, journey, "review (read)", "GET", api)
    if status != 200 or not isinstance(got, dict):
        return False
    review = got["review"]
    for decision in review.get("decisions", {}).values():
        if isinstance(decision, dict) and decision.get("decision") == "more-evidence":
            decision["decision"] = "accepted"
    saved, _ = _step(
        client, journey, "review (save)", "PUT", api, {"base_sha256": got["sha256"], "review": review}
    )
    return saved == 200


def _asks_for_evidence(client: Client, journey: Journey, programme: str) -> bool:
    status, got = _step(client, journey, "review (read)", "GET", f"/api/programmes/{programme}/review")
    decisions = got.get("review", {}).get("decisions", {}) if status == 200 and isinstance(got, dict) else {}
    return any(isinstance(d, dict) and d.get("decision") == "more-evidence" for d in decisions.values())


def assess_queue(client: Client, stop_at: float, think: float, journey: Journey) -> None:
    """An assessor: takes from what waits for them, asks for evidence while the review does,
    accepts after a resubmission, and decides."""
    import random

    while time.perf_counter() < stop_at:
        try:
            status, waiting = _step(client, journey, "waiting (assessor)", "GET", "/api/waiting")
            found = waiting.get("waiting", []) if status == 200 and isinstance(waiting, dict) else []
            if found:
                programme = random.choice(found)["programme"]
                seen, got = _step(
                    client, journey, "state (assessor)", "GET", f"/api/programmes/{programme}/state"
                )
                state = got.get("state") if seen == 200 and isinstance(got, dict) else None
                if state == "submitted":
                    _transition(client, journey, programme, "in review", "take")
                elif state == "in review" and _asks_for_evidence(client, journey, programme):
                    _transition(client, journey, programme, "evidence requested", "request evidence")
                elif state in {"in review", "resubmitted"} and _final_review(client, journey, programme):
                    _transition(client, journey, programme, "decided", "decide")
        except (OSError, http.client.HTTPException) as error:
            with journey.lock:
                journey.errors.append(f"assessor: {error}")
        time.sleep(think)


def check_journey(folder: Path, programmes: list[str], journey: Journey) -> list[str]:
    """Nothing lost, the trail complete: every 200 is an audit event with that state at that
    moment and every event a 200; the last 200 of each programme is its state in the database;
    ``states.replay`` of each programme's trail reaches it."""
    from datetime import datetime

    from nums.site import audit
    from nums.site import journey as steps
    from nums.site.folder import open_site
    from nums.site.states import State, Transition, replay

    lost: list[str] = []
    answered: dict[str, list[tuple[datetime, str]]] = {}
    for programme, state, since in journey.moved:
        answered.setdefault(programme, []).append((datetime.fromisoformat(since), state))
    site = open_site(folder)
    with site.transaction() as db:
        for programme in programmes:
            events = [e for e in audit.events(db, programme) if e.what == audit.STATE_CHANGED]
            details = [json.loads(e.detail) for e in events]
            trail = sorted((e.at, d["state"]) for e, d in zip(events, details, strict=True))
            ours = sorted(answered.get(programme, []))
            if trail != ours:
                lost.append(f"{programme}: {len(ours)} steps answered 200, {len(trail)} in the audit trail")
            now = steps.state_of(db, programme)
            if ours and State(ours[-1][1]) is not now:
                lost.append(
                    f"{programme}: the last step answered {ours[-1][1]}, the database holds {now.value}"
                )
            try:
                replayed = replay([(Transition(d["transition"]), State(d["state"])) for d in details])
            except ValueError as error:
                lost.append(f"{programme}: the trail does not replay: {error}")
                continue
            if replayed is not now:
                lost.append(
                    f"{programme}: the trail replays to {replayed.value}, the database holds {now.value}"
                )
    site.engine.dispose()
    return lost


def run_journey(args: argparse.Namespace) -> int:
    """``--journey``: coordinators and assessors carry applications through the JSON API."""
    assessors = max(1, min(args.assessors, args.clients - 1))
    with tempfile.TemporaryDirectory(prefix="nums-site-journey-") as scratch:
        folder, port = Path(scratch) / "site", free_port()
        people, assessor_emails = make_journey_site(
            folder, port, args.clients - assessors, assessors, args.database_url
        )
        process = start(folder, port, args.workers)
        base = f"http://127.0.0.1:{port}"
        journey, signing_tally = Journey(), Tally()
        try:
            emails = [email for email, _, _ in people] + assessor_emails
            clients = [signed_in(base, email, signing_tally) for email in emails]
            stop_at = time.perf_counter() + args.seconds
            threads = [
                threading.Thread(target=coordinate, args=(client, own, stop_at, args.think, journey))
                for client, (_, own, _) in zip(clients, people, strict=False)
                if client is not None
            ] + [
                threading.Thread(target=assess_queue, args=(client, stop_at, args.think, journey))
                for client in clients[len(people) :]
                if client is not None
            ]
            began = time.perf_counter()
            for thread in threads:
                thread.start()
            for thread in threads:
                thread.join()
            elapsed = time.perf_counter() - began
        finally:
            process.terminate()
            process.wait(timeout=30)
        lost = check_journey(folder, [own for _, own, _ in people], journey)
    steps = sum(len(times) for times in journey.times.values())
    print(
        f"journey: {len(people)} coordinators and {assessors} assessors, {args.workers} workers, "
        f"{elapsed:.0f} s, think {args.think:g} s: {steps} requests, {steps / elapsed:.0f} per second"
    )
    for kind, times in sorted(journey.times.items()):
        print(
            f"  {kind}: {len(times)}, p50 {percentile(times, 50):.0f} ms, p95 {percentile(times, 95):.0f} ms"
        )
    moved_by_state: dict[str, int] = {}
    for _, state, _ in journey.moved:
        moved_by_state[state] = moved_by_state.get(state, 0) + 1
    print(
        f"steps answered 200: {len(journey.moved)} ({', '.join(f'{k} {v}' for k, v in sorted(moved_by_state.items()))})"
    )
    print(
        f"steps refused in words: {', '.join(f'{k}: {v}' for k, v in sorted(journey.refused.items())) or 'none'}"
    )
    problems = signing_tally.errors + journey.errors
    print(f"errors: {len(problems)}; lost or unrecorded: {len(lost)}")
    for problem in (problems + lost)[:10]:
        print(f"  {problem}")
    return 1 if problems or lost or not journey.moved else 0


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--seconds", type=float, default=30.0)
    parser.add_argument("--clients", type=int, default=50)
    parser.add_argument("--think", type=float, default=1.0, help="seconds each client waits between rounds")
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument(
        "--journey", action="store_true", help="carry applications through submission and decision instead"
    )
    parser.add_argument(
        "--assessors", type=int, default=10, help="of the clients, how many are assessors (--journey)"
    )
    parser.add_argument(
        "--database-url", help="an empty database for the site (default: SQLite in its folder)"
    )
    parser.add_argument(
        "--packs",
        type=int,
        default=0,
        help="more clients, each downloading its programme's pack PDF meanwhile",
    )
    args = parser.parse_args()
    if args.journey:
        return run_journey(args)
    with tempfile.TemporaryDirectory(prefix="nums-site-bench-") as scratch:
        folder, port = Path(scratch) / "site", free_port()
        people = make_site(folder, port, args.clients, args.database_url)
        process = start(folder, port, args.workers)
        base = f"http://127.0.0.1:{port}"
        tally = Tally()
        try:
            began = time.perf_counter()
            clients: list[Client | None] = [None] * len(people)

            def sign_in(index: int) -> None:
                clients[index] = signed_in(base, people[index][0], tally)

            packers: list[Client | None] = [None] * min(args.packs, len(people))

            def sign_in_packer(index: int) -> None:
                packers[index] = signed_in(base, people[index][0], tally)

            signing = [threading.Thread(target=sign_in, args=(i,)) for i in range(len(people))]
            signing += [threading.Thread(target=sign_in_packer, args=(i,)) for i in range(len(packers))]
            for thread in signing:
                thread.start()
            for thread in signing:
                thread.join()
            print(f"{len(people)} sign-ins in {time.perf_counter() - began:.1f} s")
            client_cpu_before = _cpu(resource.RUSAGE_SELF)
            site_cpu_before = site_processes_cpu(process.pid)
            stop_at = time.perf_counter() + args.seconds
            threads = [
                threading.Thread(target=work, args=(client, who, stop_at, args.think, tally))
                for client, who in zip(clients, people, strict=True)
                if client is not None
            ]
            threads += [
                threading.Thread(target=download_packs, args=(packer, people[i], stop_at, tally))
                for i, packer in enumerate(packers)
                if packer is not None
            ]
            began = time.perf_counter()
            for thread in threads:
                thread.start()
            for thread in threads:
                thread.join()
            elapsed = time.perf_counter() - began
            client_cpu = _cpu(resource.RUSAGE_SELF) - client_cpu_before
            site_cpu = {
                each: cpu - site_cpu_before.get(each, 0.0)
                for each, cpu in site_processes_cpu(process.pid).items()
            }
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
    if args.packs:
        print(
            f"packs: {len(tally.packs)} downloads by {args.packs} more clients, "
            f"p50 {percentile(tally.packs, 50):.0f} ms, p95 {percentile(tally.packs, 95):.0f} ms"
        )
    print(
        f"CPU: the site {server_cpu:.1f} s in all (start and sign-ins included), "
        f"the clients {client_cpu:.1f} s while measured"
    )
    requests = len(tally.pages) + len(tally.saves)
    if site_cpu and requests:
        per_worker = ", ".join(f"{cpu:.1f}" for cpu in list(site_cpu.values())[1:])
        print(
            f"CPU while measured: the site {sum(site_cpu.values()):.1f} s "
            f"({sum(site_cpu.values()) / requests * 1000:.1f} ms a request; workers {per_worker} s), "
            f"{sum(site_cpu.values()) / elapsed:.2f} cores of {os.cpu_count()}"
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
