"""Two steps of one programme at the same moment (issue 23's journey), with real concurrency: two
threads, two database sessions, on SQLite and on PostgreSQL (site_support). "Each change is one
call of one function in the library [...] or 403/409 with the reason in words": the second of two
racing steps reads what the first did and is refused in words, never made twice.

Each race is forced, not hoped for: the first step, once its check has passed, starts the second
and gives it a second to run before going on. Without the programme's lock, the second passes the
same check in that second; with it, the second waits for the first to commit."""

from __future__ import annotations

import json
import threading
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import func, select, text
from sqlalchemy.exc import IntegrityError

from nums.site import audit, journey
from nums.site import db as tables
from nums.site.records import OPEN_APPLICATION, Application
from nums.site.states import OPEN, State
from tests import journey_support, site_support
from tests.journey_support import EMAILS, OTHER, PROGRAMME, JourneySite, final_review

engine, quick_hashes, journey_site = site_support.engine, site_support.quick_hashes, journey_support.journey

HEAD_START = 1.0  # seconds the second step is given to overtake the first, were it not locked out
OTHER_PROGRAMME = f"{OTHER}/online-peer-mentoring"


def move(j: JourneySite, who: str, to: str, **options: str) -> journey.Moved:
    return journey.move(j.site, j.person(who), PROGRAMME, to, **options)


def race(monkeypatch: pytest.MonkeyPatch, first: Callable[[], Any], second: Callable[[], Any]) -> list[Any]:
    """Run ``first``; the moment its check has passed, ``second`` runs in another thread (its own
    session) while ``first`` waits for it up to HEAD_START. Each one's result or the exception it
    raised, in that order."""
    results: list[Any] = [None, None]
    started = threading.Event()
    real_check = journey._check

    def run_second() -> None:
        try:
            results[1] = second()
        except Exception as error:  # the refusal is the answer looked for
            results[1] = error

    def checked_then_overtaken(*args: Any, **kwargs: Any) -> None:
        real_check(*args, **kwargs)
        with first_caller:
            if started.is_set():
                return  # the second step's own check
            started.set()
        runner.start()
        runner.join(HEAD_START)

    first_caller = threading.Lock()
    runner = threading.Thread(target=run_second)
    monkeypatch.setattr(journey, "_check", checked_then_overtaken)
    try:
        results[0] = first()
    except Exception as error:
        results[0] = error
    runner.join(30)
    assert started.is_set() and not runner.is_alive()
    return results


def refused_409(outcome: Any) -> journey.Refused:
    assert isinstance(outcome, journey.Refused), outcome
    assert outcome.status == 409
    return outcome


def open_applications(j: JourneySite) -> int:
    with j.site.transaction() as db:
        query = select(func.count()).select_from(Application).where(Application.programme == PROGRAMME)
        return db.scalar(query.where(Application.state.in_([s.value for s in OPEN]))) or 0


def transitions(j: JourneySite, name: str) -> int:
    with j.site.transaction() as db:
        return sum(
            1
            for e in audit.events(db, PROGRAMME)
            if e.what == audit.STATE_CHANGED and f'"transition": "{name}"' in e.detail
        )


def test_two_submits_at_once_make_one_application(
    journey_site: JourneySite, monkeypatch: pytest.MonkeyPatch
) -> None:
    """ "Submit (coordinator): only a submission that validates" — once: the second of two submits
    at the same moment is refused in words (409), and the programme has one open application."""
    j = journey_site
    won, lost = race(
        monkeypatch, lambda: move(j, "coordinator", "submitted"), lambda: move(j, "coordinator", "submitted")
    )
    assert isinstance(won, journey.Moved) and won.state is State.SUBMITTED
    assert "the application is submitted" in refused_409(lost).reason
    assert open_applications(j) == 1
    assert transitions(j, "submit") == 1


def test_two_assessors_taking_one_application_at_once_one_gets_it(
    journey_site: JourneySite, monkeypatch: pytest.MonkeyPatch
) -> None:
    """ "an assessor taking one from the queue": one assessor takes it; the other is told it is
    in review already, and the application names the first."""
    j = journey_site
    move(j, "coordinator", "submitted")
    won, lost = race(
        monkeypatch,
        lambda: move(j, "assessor", "in review"),
        lambda: move(j, "admin", "in review", assessor=journey_support.EMAILS["assessor"]),
    )
    assert isinstance(won, journey.Moved) and won.state is State.IN_REVIEW
    assert "the application is in review" in refused_409(lost).reason
    assert transitions(j, "take") == 1 and transitions(j, "assign") == 0


def test_deciding_twice_at_once_decides_once(
    journey_site: JourneySite, monkeypatch: pytest.MonkeyPatch
) -> None:
    """ "Decide (assessor, on a final review): the outcome letter is stored with the application and
    sent": one decision, one letter, one award, whoever presses the button twice."""
    j = journey_site
    final_review(j.folder)
    move(j, "coordinator", "submitted")
    move(j, "assessor", "in review")
    won, lost = race(
        monkeypatch, lambda: move(j, "assessor", "decided"), lambda: move(j, "assessor", "decided")
    )
    assert isinstance(won, journey.Moved) and won.state is State.DECIDED
    assert "the application is decided" in refused_409(lost).reason
    assert transitions(j, "decide") == 1
    with j.site.transaction() as db:
        assert len(journey.decided_awards(db, PROGRAMME)) == 1


def test_an_answer_while_the_resubmission_goes_in_is_refused_not_lost(
    journey_site: JourneySite, monkeypatch: pytest.MonkeyPatch
) -> None:
    """ "The coordinator answers each with evidence and a note, then resubmits: a new snapshot." An
    answer sent while the resubmission is going in would be closed unseen with it; it is refused in
    words instead, and the resubmission stands."""
    j = journey_site
    move(j, "coordinator", "submitted")
    move(j, "assessor", "in review")
    move(j, "assessor", "evidence requested")
    won, lost = race(
        monkeypatch,
        lambda: move(j, "coordinator", "resubmitted"),
        lambda: journey.answer_request(
            j.site, j.person("coordinator"), PROGRAMME, "diversity.2", "late note"
        ),
    )
    assert isinstance(won, journey.Moved) and won.state is State.RESUBMITTED
    assert "no evidence is requested" in refused_409(lost).reason
    with j.site.transaction() as db:
        assert all(e.what != audit.REQUEST_ANSWERED for e in audit.events(db, PROGRAMME))


def test_the_database_itself_keeps_one_open_application_per_programme(journey_site: JourneySite) -> None:
    """Migration 0003's index: "one open application per programme", whatever writes the row."""
    j = journey_site
    move(j, "coordinator", "submitted")
    with pytest.raises(IntegrityError), j.site.transaction() as db:
        db.add(Application(programme=PROGRAMME, state=State.SUBMITTED.value, since=tables.now()))
        db.flush()
    with j.site.transaction() as db:  # a withdrawn or decided one beside it is fine
        db.add(Application(programme=PROGRAMME, state=State.WITHDRAWN.value, since=tables.now()))
    assert open_applications(j) == 1


def test_the_index_names_the_open_states() -> None:
    """The index's condition and ``states.OPEN`` say the same thing."""
    condition = str(OPEN_APPLICATION)
    assert all(f"'{s.value}'" in condition for s in OPEN)
    assert not any(f"'{s.value}'" in condition for s in set(State) - OPEN)


def test_a_refused_submit_leaves_the_coordinators_file_as_it_was(journey_site: JourneySite) -> None:
    """ "the award is recorded in the programme's history [...] so [...] the next application [...]
    follow[s] without anyone editing a file" — and a next application that is refused (here: no
    declaration) changes nothing: not the file, not the trail."""
    j = journey_site
    final_review(j.folder)
    move(j, "coordinator", "submitted")
    move(j, "assessor", "in review")
    move(j, "assessor", "decided")
    path = j.folder / "submission.yaml"
    next_year = path.read_text(encoding="utf-8").replace("date: 2026-03-02", "date: 2027-02-01")
    next_year = "".join(line for line in next_year.splitlines(True) if not line.startswith("declaration:"))
    path.write_text(next_year, encoding="utf-8")
    before = path.read_bytes()
    with pytest.raises(journey.Refused) as caught:
        move(j, "coordinator", "submitted")
    assert "no declaration" in caught.value.reason
    assert path.read_bytes() == before
    with j.site.transaction() as db:
        assert not [e for e in audit.events(db, PROGRAMME) if e.what == audit.AWARD_RECORDED]


def test_upgrading_from_0002_withdraws_a_race_s_older_duplicate(tmp_path: Path, engine) -> None:  # type: ignore[no-untyped-def]
    """A database the race already reached (two open applications of one programme) is brought to
    0003: the newer stands (it is what the site showed), the older is withdrawn with an audit event
    that says why, and the index then holds."""
    from alembic import command

    config = tables.alembic_config(engine)
    command.downgrade(config, "0002")
    moment = "2026-03-02 09:00:00"
    with engine.begin() as connection:
        for state in ("submitted", "in review", "decided"):
            connection.execute(
                text(
                    "INSERT INTO applications (programme, state, since, quote_json) "
                    "VALUES (:p, :s, :t, 'null')"
                ),
                {"p": PROGRAMME, "s": state, "t": moment},
            )
        connection.execute(
            text(
                "INSERT INTO applications (programme, state, since, quote_json) VALUES ('x/y', 'submitted', :t, 'null')"
            ),
            {"t": moment},
        )
    command.upgrade(config, "head")
    with engine.connect() as connection:
        rows = connection.execute(text("SELECT id, programme, state FROM applications ORDER BY id")).all()
        assert [(r.programme, r.state) for r in rows] == [
            (PROGRAMME, "withdrawn"),
            (PROGRAMME, "in review"),
            (PROGRAMME, "decided"),
            ("x/y", "submitted"),
        ]
        events = connection.execute(text("SELECT actor, what, programme, detail FROM audit_events")).all()
        assert len(events) == 1 and events[0].programme == PROGRAMME and events[0].what == audit.STATE_CHANGED
        assert "two submits at the same moment" in events[0].detail and '"application": 1' in events[0].detail
        assert connection.execute(text("SELECT version_num FROM alembic_version")).scalar() == "0003"
    with pytest.raises(IntegrityError), engine.begin() as connection:
        connection.execute(
            text(
                "INSERT INTO applications (programme, state, since, quote_json) VALUES ('x/y', 'resubmitted', :t, 'null')"
            ),
            {"t": moment},
        )


def test_two_programmes_invoiced_at_once_get_two_numbers(
    journey_site: JourneySite, monkeypatch: pytest.MonkeyPatch
) -> None:
    """ "finance, who records an invoice (a sequential number, ...)": two invoices recorded at the
    same moment for two programmes are numbered 1 and 2, neither refused nor failing."""
    from nums.site import invoices

    j = journey_site
    move(j, "coordinator", "submitted")
    other = j.site.workspace / OTHER_PROGRAMME / "submission.yaml"
    with other.open("a", encoding="utf-8") as out:
        out.write("declaration: {name: Ana Reyes, role: Coordinator, date: 2026-04-14}\n")
    journey.move(j.site, j.person("stranger"), OTHER_PROGRAMME, "submitted")
    results: list[Any] = []
    real_record = audit.record
    main = threading.current_thread()

    def second() -> None:
        try:
            results.append(
                invoices.record_invoice(j.site, j.person("finance"), OTHER_PROGRAMME, net="350.00")
            )
        except Exception as error:
            results.append(error)

    runner = threading.Thread(target=second)

    def recorded_then_overtaken(db: Any, actor: Any, what: str, *args: Any, **kwargs: Any) -> Any:
        event = real_record(db, actor, what, *args, **kwargs)
        if what == audit.INVOICE_RECORDED and threading.current_thread() is main and not runner.is_alive():
            runner.start()
            runner.join(HEAD_START)
        return event

    monkeypatch.setattr(audit, "record", recorded_then_overtaken)
    first = invoices.record_invoice(j.site, j.person("finance"), PROGRAMME)
    runner.join(30)
    assert len(results) == 1 and isinstance(results[0], invoices.InvoiceFacts), results
    assert sorted([first.number, results[0].number]) == [1, 2]


def test_on_the_web_the_second_of_two_submits_is_a_409_in_words(
    journey_site: JourneySite, monkeypatch: pytest.MonkeyPatch
) -> None:
    """ "`POST /api/programmes/{id}/transitions` [...] answers `{state, since, snapshot_sha256}`, or
    403/409 with the reason in words": two browsers of the coordinator press submit at once."""
    from tests.test_site_web_journey import Browser

    j = journey_site
    one, two = Browser(j, "coordinator"), Browser(j, "coordinator")
    won, lost = race(monkeypatch, lambda: one.step("submitted"), lambda: two.step("submitted"))
    assert won.status_code == 200 and won.json()["state"] == "submitted"
    assert lost.status_code == 409 and "the application is submitted" in lost.json()["error"]
    assert open_applications(j) == 1


def test_a_mail_server_that_refuses_neither_undoes_nor_holds_up_a_decision(
    journey_site: JourneySite, tmp_path: Path
) -> None:
    """Mail goes once the step is committed (site/outbox.py): a mail server that refuses does not
    undo the decision (nor hold its transaction open while it refuses); the award is issued once,
    and the trail says which messages were not sent and why ("every [...] mail sent": the ones
    not sent too)."""
    import socket

    from nums.awards.keys import init_keys
    from nums.site.awards import issuing_folder, keys_folder
    from nums.site.folder import OpenSite
    from nums.site.settings import read_settings

    j = journey_site
    init_keys(keys_folder(j.site))
    final_review(j.folder)
    move(j, "coordinator", "submitted")
    move(j, "assessor", "in review")
    with socket.socket() as probe:  # a port nobody listens on: the mail server refuses
        probe.bind(("127.0.0.1", 0))
        closed = probe.getsockname()[1]
    journey_support.write_settings(j.site.folder, mail_port=closed)
    refusing = OpenSite(j.site.folder, read_settings(j.site.folder), j.site.engine)
    assert journey.move(refusing, j.person("assessor"), PROGRAMME, "decided").state is State.DECIDED
    assert len(list(issuing_folder(j.site).glob("**/logo.svg"))) == 1
    with j.site.transaction() as db:
        assert journey.state_of(db, PROGRAMME) is State.DECIDED
        trail = audit.events(db, PROGRAMME)
    decided = [
        e for e in trail if e.what == audit.STATE_CHANGED and json.loads(e.detail)["state"] == "decided"
    ]
    assert len(decided) == 1
    told = [e for e in trail if e.what in {audit.MAIL_SENT, audit.MAIL_NOT_SENT} and e.id > decided[0].id]
    assert told and {e.what for e in told} == {audit.MAIL_NOT_SENT}
    details = [json.loads(e.detail) for e in told]
    assert {d["kind"] for d in details} == {"application_decided"}
    assert all("was not sent" in d["problem"] for d in details)
    assert {d["to"] for d in details} == {EMAILS["coordinator"], EMAILS["lead"]}


def test_a_step_that_fails_after_its_mail_was_composed_tells_nobody(
    journey_site: JourneySite, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Nobody is told of a step that did not happen: the decision's mail is composed, then the
    step fails (here: its answer breaks, inside the transaction) and rolls back, and its messages
    and follow-ups (the letter, the award) go with it."""
    from nums.site.awards import issuing_folder

    j = journey_site
    final_review(j.folder)
    move(j, "coordinator", "submitted")
    move(j, "assessor", "in review")
    with j.site.transaction() as db:
        before = len(audit.events(db, PROGRAMME))

    def breaks(*args: Any) -> None:
        raise RuntimeError("the disk is gone")

    monkeypatch.setattr(journey, "_moved", breaks)
    with pytest.raises(RuntimeError):
        move(j, "assessor", "decided")
    with j.site.transaction() as db:
        assert journey.state_of(db, PROGRAMME) is State.IN_REVIEW
        assert len(audit.events(db, PROGRAMME)) == before  # no step, no mail sent nor "not sent"
    assert not (j.site.folder / journey.LETTERS_FOLDER).exists() or not any(
        (j.site.folder / journey.LETTERS_FOLDER).iterdir()
    )
    assert list(issuing_folder(j.site).glob("**/logo.svg")) == []
