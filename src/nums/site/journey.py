"""An application's journey on the site (issue 23): each step one library function, in one transaction.

Every step (``move``, or ``submit``, ``withdraw``, ``assign``, ``take``, ``request_evidence``,
``resubmit``, ``decide`` by name) does, in one database transaction: the change, its audit event
(who, when, what, fingerprints before and after), and the mail to the people concerned (plain words
and a link to the page, never the evidence), sent once the step is committed (``outbox``: a step
that fails tells nobody, and a mail server that refuses neither holds the step open nor undoes it;
how each message went, sent or not and why, is an audit event of its own). Whether a step may
be made is ``states.refusal``'s answer, which asks ``nums.policy`` who may make it; a refusal is a
``Refused`` with the reason in words and the HTTP status a page answers with (403, 404 or 409).

What "submitted for review" means for the policy (CONTRACT 7): ``under_review`` is true from the
submission on, through review, evidence requested, resubmission and the decision; false for a
programme never submitted (a draft) and for one withdrawn. An assessor sees a decided application
still (their decision and letter are part of it); a withdrawn one is the coordinator's again.

Two steps of one programme at the same moment (two submits, two decisions, an answer while the
resubmission goes in) run one after the other: each first locks the programme's row
(``lock``: ``SELECT ... FOR UPDATE`` on PostgreSQL; on SQLite the row's write takes the database's
one write lock), so the second reads what the first did and is refused in words (409) when the
step no longer fits. The database keeps "one open application per programme" itself too
(migration 0003), and a step that meets that index anyway is refused the same way.
"""

from __future__ import annotations

import contextlib
import json
import os
import tempfile
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from pathlib import Path
from typing import Any

from sqlalchemy import select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from nums import policy
from nums.errors import NumsError
from nums.lru import Kept
from nums.outcome import FINAL
from nums.site import accounts, audit, mail, outbox, snapshots
from nums.site import db as tables
from nums.site.folder import OpenSite
from nums.site.records import Application, EvidenceRequestRow, Invoice, ProgrammeLock, Snapshot
from nums.site.states import OPEN, STEPS, Facts, State, Transition, refusal, transition_to
from nums.workspace import LoadedProgramme, ProgrammeFolder, Workspace
from nums.writing import create_new_file

LETTERS_FOLDER = "letters"
LETTER_PAGE = "letter.pdf"
"""The stored letter's address under the programme's page (``/p/ID/letter.pdf``): the mail's link."""
REVIEW_FILE = "review.yaml"
SEEN_BY_ASSESSORS = OPEN | {State.DECIDED}


class Refused(NumsError):
    """A step that may not be made: the reason in words, and the status a page answers with."""

    def __init__(self, reason: str, status: int = 409) -> None:
        from nums.errors import Problem

        super().__init__(Problem(reason))
        self.reason = reason
        self.status = status


@dataclass(frozen=True)
class Moved:
    """Where an application stands after a step: ``{state, since, snapshot_sha256}`` of the API."""

    state: State
    since: datetime | None
    snapshot_sha256: str | None

    def as_json(self) -> dict[str, Any]:
        return {
            "state": self.state.value,
            "since": self.since.isoformat() if self.since else None,
            "snapshot_sha256": self.snapshot_sha256,
        }


# --- reading where a programme stands ---------------------------------------------------------


def current(db: Session, programme_id: str) -> Application | None:
    """The programme's newest application (None: it is a draft, never submitted)."""
    query = select(Application).where(Application.programme == programme_id).order_by(Application.id.desc())
    return db.scalars(query.limit(1)).first()


def state_of(db: Session, programme_id: str) -> State:
    found = current(db, programme_id)
    return State.DRAFT if found is None else State(found.state)


def under_review(db: Session, programme_id: str) -> bool:
    """Whether the programme is "submitted for review" (CONTRACT 7): submitted and after, up to and
    including its decision; not a draft, not withdrawn."""
    return state_of(db, programme_id) in SEEN_BY_ASSESSORS


def programme_thing(db: Session, programme_id: str) -> policy.Programme:
    """The policy's view of a programme: its id parts, and whether it is submitted for review."""
    institution, _, rest = programme_id.partition("/")
    return policy.Programme(institution, rest, submitted=under_review(db, programme_id))


def latest_snapshot(application: Application | None) -> Snapshot | None:
    return application.snapshots[-1] if application is not None and application.snapshots else None


def where(db: Session, programme_id: str) -> Moved:
    found = current(db, programme_id)
    if found is None:
        return Moved(State.DRAFT, None, None)
    snapshot = latest_snapshot(found)
    return Moved(State(found.state), found.since, snapshot.sha256 if snapshot else None)


def state_json(db: Session, programme_id: str) -> dict[str, Any]:
    """``GET /api/programmes/{id}/state``: ``{state, since, snapshot_sha256, requests}``; the
    requests are the current application's, open or answered, not those a resubmission closed."""
    found = current(db, programme_id)
    requests = [r for r in found.requests if not r.closed] if found is not None else []
    return {
        **where(db, programme_id).as_json(),
        "requests": [
            {
                "criterion": r.criterion,
                "message": r.message,
                "answered": r.answered is not None,
                "due": r.due.isoformat(),
                "note": r.answer_note,
            }
            for r in requests
        ],
    }


def beside_criteria(db: Session, person: policy.Person, programme_id: str) -> dict[str, Any] | None:
    """What the site shows beside each criterion of the programme's page and of the review page:
    "each more-evidence decision becomes a request the coordinator sees on the programme's page,
    beside the criterion, with the assessor's words and the response period", and "what changed
    since the last snapshot is shown to the assessor, criterion by criterion".

    ``{state, review, outcome, letter, requests: {criterion: request}, changes: {criterion: change}, awards}``; the
    requests are the latest round's (open, or answered and closed by the resubmission that
    carried them, with the coordinator's note), the changes only for those who see the review,
    the awards the site's decisions made (written into ``history:`` when the next application is
    submitted, so the page shows them before that).
    None for a person who may not see the application's journey."""
    found = current(db, programme_id)  # once: every programme page asks this
    state = State.DRAFT if found is None else State(found.state)
    institution, _, rest = programme_id.partition("/")
    thing = policy.Programme(institution, rest, submitted=state in SEEN_BY_ASSESSORS)
    if not policy.can(person, policy.Action.VIEW_JOURNEY, thing):
        return None
    shown = policy.can(person, policy.Action.VIEW_REVIEW, thing)
    changes = {c.criterion: snapshots.change_json(c) for c in _changes_of(found)} if shown else {}
    return {
        "state": state.value,
        "review": shown,
        "outcome": found.outcome if found is not None and found.state == State.DECIDED.value else None,
        "letter": bool(
            found is not None and found.letter and policy.can(person, policy.Action.VIEW_LETTER, thing)
        ),
        "requests": {r.criterion: _request_json(r) for r in _latest_round(found)},
        "changes": changes,
        # "the award is recorded in the programme's history exactly as the review dates it"
        "awards": [
            {"level": level, "awarded": awarded.isoformat()}
            for level, awarded in decided_awards(db, programme_id)
        ],
    }


def _latest_round(found: Application | None) -> list[EvidenceRequestRow]:
    """The requests of the newest request for evidence (all made on one snapshot)."""
    rows = list(found.requests) if found is not None else []
    newest = max((r.snapshot_id for r in rows), default=None)
    return [r for r in rows if r.snapshot_id == newest]


def _request_json(row: EvidenceRequestRow) -> dict[str, Any]:
    return {
        "criterion": row.criterion,
        "message": row.message,
        "due": row.due.isoformat(),
        "answered": row.answered is not None,
        "note": row.answer_note,
        "closed": row.closed,
    }


def letter_of(site: OpenSite, person: policy.Person, programme_id: str) -> tuple[bytes, str]:
    """The outcome letter stored with the programme's decided application, and its file name:
    "the outcome letter is stored with the application and sent" (the mail's link opens it)."""
    with site.transaction() as db:
        thing = programme_thing(db, programme_id)
        found = current(db, programme_id)
        if found is None or not found.letter:  # a decided application is one an assessor may see
            raise Refused(f"{programme_id} has no decision yet, so no letter")
        if not policy.can(person, policy.Action.VIEW_LETTER, thing):
            raise Refused(f"no programme {programme_id!r} here", 403 if policy.sees(person, thing) else 404)
        stored = site.folder / found.letter
    try:
        data = stored.read_bytes()
    except OSError:
        raise Refused(f"the letter of {programme_id} is missing from the site's folder", 404) from None
    return data, f"{programme_id.replace('/', '-')}-outcome-letter.pdf"


# --- the steps ---------------------------------------------------------------------------------


def move(
    site: OpenSite,
    person: policy.Person,
    programme_id: str,
    to: State | str,
    assessor: str | None = None,
    now: datetime | None = None,
) -> Moved:
    """Move the programme's application ``to`` a state, as ``person`` asks (``assessor``: the email
    an admin's assignment names). The one entry point of the CLI and the web API."""
    moment = now or tables.now()
    with site.transaction() as db:
        place = _place(site, db, person, programme_id)
        found = current(db, programme_id)
        state = State.DRAFT if found is None else State(found.state)
        transition = transition_to(to, state, person, assessor)
        if not isinstance(transition, Transition):
            raise Refused(transition)
        try:
            return STEP_FUNCTIONS[transition](site, db, person, place, found, assessor, moment)
        except IntegrityError:
            raise Refused(AT_THE_SAME_MOMENT) from None


AT_THE_SAME_MOMENT = (
    "another step of this programme's application was made at the same moment: "
    "reload the page to see where it stands now"
)


def _place(site: OpenSite, db: Session, person: policy.Person, programme_id: str) -> ProgrammeFolder:
    """The programme's folder, locked for this step (``lock``) before anything of it is read."""
    place = Workspace(site.workspace).programme_at(programme_id)
    if place is None:
        raise Refused(f"no programme {programme_id!r} here", 404)
    lock(db, place.id)
    if not policy.sees(person, programme_thing(db, programme_id)):
        raise Refused(f"no programme {programme_id!r} here", 404)
    return place


def lock(db: Session, key: str) -> None:
    """Hold the lock row ``key`` (a programme's id) until the transaction ends; a second step of
    the same programme waits here for the first to commit, then reads what it did.

    The row is made on first use (an insert that does nothing when it is there) and then selected
    ``FOR UPDATE``. Being a write, the insert is also the first statement of the transaction on
    SQLite, which takes the database's write lock there and waits for another writer's commit (the
    busy timeout) before anything is read."""
    if db.get_bind().dialect.name == "postgresql":
        from sqlalchemy.dialects.postgresql import insert
    else:
        from sqlalchemy.dialects.sqlite import insert
    db.execute(insert(ProgrammeLock).values(programme=key).on_conflict_do_nothing())
    db.execute(select(ProgrammeLock.programme).where(ProgrammeLock.programme == key).with_for_update())


def _check(
    db: Session,
    person: policy.Person,
    transition: Transition,
    programme_id: str,
    facts: Facts,
    assignee: policy.Person | None = None,
) -> None:
    thing = programme_thing(db, programme_id)
    why = refusal(person, transition, thing, facts, assignee)
    if why is None:
        return
    raise Refused(why, 409 if policy.can(person, STEPS[transition].action, thing) else 403)


def _facts(db: Session, found: Application | None, site: OpenSite, **more: Any) -> Facts:
    state = State.DRAFT if found is None else State(found.state)
    assessor = db.get(tables.Person, found.assessor_id) if found is not None and found.assessor_id else None
    waits = site.settings.site.review_waits_for_payment and not _paid(db, found)
    return Facts(state=state, assessor=assessor.email if assessor else None, awaiting_payment=waits, **more)


def _paid(db: Session, found: Application | None) -> bool:
    if found is None:
        return False
    invoice = db.scalars(select(Invoice).where(Invoice.application_id == found.id)).first()
    return invoice is not None and invoice.paid is not None


def _set_state(
    db: Session,
    person: policy.Person,
    application: Application,
    transition: Transition,
    target: State,
    moment: datetime,
    before: str | None,
    after: str | None,
    **detail: Any,
) -> None:
    old = application.state
    application.state = target.value
    application.since = moment
    db.flush()
    audit.record(
        db,
        person,
        audit.STATE_CHANGED,
        application.programme,
        before,
        after,
        at=moment,
        transition=transition.value,
        state_before=old,
        state=target.value,
        application=application.id,
        **detail,
    )


def _moved(application: Application, sha: str | None) -> Moved:
    return Moved(State(application.state), application.since, sha)


def submit(
    site: OpenSite, db: Session, person: policy.Person, place: ProgrammeFolder, found: Application | None,
    assessor: str | None, moment: datetime,
) -> Moved:  # fmt: skip
    """Submit: "only a submission that validates, with its declaration. It is frozen as a snapshot"
    and "the quote is made at submission from what the application is". A next application gets
    the awards decided before it in its history first: all or nothing, the file is put back as it
    was when the submit is refused (or fails) after that."""
    with _carried_awards(db, person, place, moment):
        return _submit(site, db, person, place, found, moment)


def _submit(
    site: OpenSite, db: Session, person: policy.Person, place: ProgrammeFolder, found: Application | None,
    moment: datetime,
) -> Moved:  # fmt: skip
    loaded = Workspace(site.workspace).load(place, moment.date())
    _check(db, person, Transition.SUBMIT, place.id, _facts(db, found, site, **_document_facts(loaded)))
    application = Application(
        programme=place.id, state=State.DRAFT.value, since=moment, quote_json=json.dumps(_quote(loaded))
    )
    db.add(application)
    db.flush()
    snapshot = _snapshot(site, db, application, loaded, moment)
    _set_state(db, person, application, Transition.SUBMIT, State.SUBMITTED, moment, None, snapshot.sha256)
    thing = programme_thing(db, place.id)
    told = [
        p
        for p in _holders(db, policy.Role.ASSESSOR)
        if policy.may_assess(accounts.as_policy_person(p), thing)
    ]
    told += _holders(db, policy.Role.FINANCE)
    _tell(
        site, db, person, place.id, "application_submitted", told, moment, again="", doing=_doing_submitted()
    )
    return _moved(application, snapshot.sha256)


def _doing_submitted() -> str:
    return (
        "Assessors: take it from the queue if it is not of your own institution. "
        "Finance: its quote is ready for an invoice."
    )


def _document_facts(loaded: LoadedProgramme) -> dict[str, Any]:
    if not loaded.valid or loaded.submission is None:
        problems = tuple(_said(p) for p in loaded.problems) or ("it cannot be read",)
        return {"submission_problems": problems, "declared": False}
    return {"submission_problems": (), "declared": loaded.submission.declaration is not None}


def _said(problem: Any) -> str:
    where = f"line {problem.line}: " if problem.line else ""
    field = f"{problem.field}: " if problem.field else ""
    return f"{where}{field}{problem.message}"


def _quote(loaded: LoadedProgramme) -> dict[str, Any] | None:
    """The quote ``nums quote SUBMISSION`` makes for it (None when nothing can be accredited)."""
    from nums.pack import application_quote
    from nums.render.quote import quote_json

    assert loaded.edition is not None and loaded.submission is not None
    made = application_quote(loaded.edition, loaded.submission)
    return None if made is None else quote_json(made)


def _snapshot(
    site: OpenSite, db: Session, application: Application, loaded: LoadedProgramme, moment: datetime
) -> Snapshot:
    frozen = snapshots.freeze(loaded)
    snapshots.keep_files(frozen, site.folder)
    number = len(application.snapshots) + 1
    snapshot = Snapshot(
        application_id=application.id,
        number=number,
        created=moment,
        sha256=frozen.sha256,
        source_sha256=frozen.source_sha256,
        source=frozen.source,
        items_json=json.dumps(frozen.items, sort_keys=True, ensure_ascii=False),
        assessment_json=json.dumps(frozen.assessment, sort_keys=True, ensure_ascii=False),
    )
    db.add(snapshot)
    db.flush()
    db.expire(application, ["snapshots", "requests"])
    return snapshot


def withdraw(
    site: OpenSite, db: Session, person: policy.Person, place: ProgrammeFolder, found: Application | None,
    assessor: str | None, moment: datetime,
) -> Moved:  # fmt: skip
    """ "The coordinator may withdraw before a decision." The application and its trail are kept."""
    _check(db, person, Transition.WITHDRAW, place.id, _facts(db, found, site))
    assert found is not None
    sha = _sha(found)
    _set_state(db, person, found, Transition.WITHDRAW, State.WITHDRAWN, moment, sha, sha)
    return _moved(found, sha)


def _sha(application: Application) -> str | None:
    snapshot = latest_snapshot(application)
    return snapshot.sha256 if snapshot else None


def assign(
    site: OpenSite, db: Session, person: policy.Person, place: ProgrammeFolder, found: Application | None,
    assessor: str | None, moment: datetime,
) -> Moved:  # fmt: skip
    """ "Assign (admin, ...): never an assessor of the applicant's institution." """
    named = accounts.find_person(db, assessor) if assessor else None
    assignee = accounts.as_policy_person(named) if named is not None and not named.disabled else None
    _check(db, person, Transition.ASSIGN, place.id, _facts(db, found, site), assignee)
    assert found is not None and named is not None
    return _start_review(db, person, found, named, Transition.ASSIGN, moment)


def take(
    site: OpenSite, db: Session, person: policy.Person, place: ProgrammeFolder, found: Application | None,
    assessor: str | None, moment: datetime,
) -> Moved:  # fmt: skip
    """ "... or an assessor taking one from the queue": the assessor assigns it to themself."""
    _check(db, person, Transition.TAKE, place.id, _facts(db, found, site))
    assert found is not None and person.id is not None
    me = db.get(tables.Person, person.id)
    assert me is not None
    return _start_review(db, person, found, me, Transition.TAKE, moment)


def _start_review(
    db: Session,
    person: policy.Person,
    found: Application,
    assessor: tables.Person,
    how: Transition,
    moment: datetime,
) -> Moved:
    found.assessor_id = assessor.id
    sha = _sha(found)
    _set_state(db, person, found, how, State.IN_REVIEW, moment, sha, sha, assessor=assessor.email)
    return _moved(found, sha)


def request_evidence(
    site: OpenSite, db: Session, person: policy.Person, place: ProgrammeFolder, found: Application | None,
    assessor: str | None, moment: datetime,
) -> Moved:  # fmt: skip
    """ "Each more-evidence decision becomes a request the coordinator sees on the programme's page,
    beside the criterion, with the assessor's words and the response period." """
    reviewed, why, _ = _reviewed(site, place, found)
    wanted = tuple(r.criterion for r in reviewed.requests) if reviewed is not None else ()
    facts = _facts(db, found, site, more_evidence=wanted, review_problem=why)
    _check(db, person, Transition.REQUEST_EVIDENCE, place.id, facts)
    assert found is not None and reviewed is not None
    snapshot = latest_snapshot(found)
    assert snapshot is not None
    days = reviewed.edition.rules.assessment.evidence_response_days
    due = reviewed.evidence_due or moment.date() + timedelta(days=days)
    for asked in reviewed.requests:
        db.add(
            EvidenceRequestRow(
                application_id=found.id,
                snapshot_id=snapshot.id,
                criterion=asked.criterion,
                message=asked.comment,
                created=moment,
                due=due,
                answer_note="",
                closed=False,
            )
        )
    _set_state(
        db, person, found, Transition.REQUEST_EVIDENCE, State.EVIDENCE_REQUESTED, moment, snapshot.sha256,
        snapshot.sha256, criteria=list(wanted), due=due.isoformat(),
    )  # fmt: skip
    coordinators = _coordinators(db, place.id)
    _tell(
        site,
        db,
        person,
        place.id,
        "evidence_requested",
        coordinators,
        moment,
        count=str(len(wanted)),
        due=due.isoformat(),
    )
    db.flush()
    db.expire(found, ["requests"])
    return _moved(found, snapshot.sha256)


def answer_request(
    site: OpenSite,
    person: policy.Person,
    programme_id: str,
    criterion: str,
    note: str,
    now: datetime | None = None,
    with_evidence: bool = False,
) -> EvidenceRequestRow:
    """ "The coordinator answers each with evidence and a note": the note is kept with the request;
    the evidence is what they add to the submission before resubmitting (the audit event names
    what the file adds to the criterion since the snapshot, as the answer is given).
    ``with_evidence``: the answer brought a file of its own, already stored and added to the
    submission (``nums.web.answering``); it is asked of the policy as such again here."""
    moment = now or tables.now()
    carried = since_snapshot(site, person, programme_id, moment).get(criterion, {})
    added = [e["target"] for e in carried.get("evidence_added", [])]
    with site.transaction() as db:
        _place(site, db, person, programme_id)
        row, text = _open_request(db, person, programme_id, criterion, note, with_evidence)
        row.answered, row.answer_note = moment, text
        audit.record(
            db, person, audit.REQUEST_ANSWERED, programme_id, at=moment, criterion=criterion, note=text,
            evidence_added=added,
        )  # fmt: skip
        return row


def check_answer(
    site: OpenSite, person: policy.Person, programme_id: str, criterion: str, note: str, with_evidence: bool
) -> None:
    """Whether ``answer_request`` would take this answer now, asked before anything is written: an
    answer that brings its own evidence file (``with_evidence``) first stores the file and saves the
    submission, and neither is done for an answer that would be refused. ``Refused`` with the
    reason; ``answer_request`` asks the same again, under the programme's lock, as it answers."""
    with site.transaction() as db:
        _place(site, db, person, programme_id)
        _open_request(db, person, programme_id, criterion, note, with_evidence)


def _open_request(
    db: Session, person: policy.Person, programme_id: str, criterion: str, note: str, with_evidence: bool
) -> tuple[EvidenceRequestRow, str]:
    """The open request an answer on ``criterion`` answers, and the note as it is kept; else
    ``Refused``: who may answer (with a file: "may both edit the submission and answer", the
    policy's ``ANSWER_WITH_EVIDENCE``), whether evidence is asked now, on that criterion, and
    the note."""
    thing = programme_thing(db, programme_id)
    if not policy.can(person, policy.Action.ANSWER_REQUEST, thing):
        raise Refused("only the programme's coordinators answer its requests for evidence", 403)
    if with_evidence and not policy.can(person, policy.Action.ANSWER_WITH_EVIDENCE, thing):
        raise Refused(
            "only those who may change the programme's submission and evidence attach a file to an answer",
            403,
        )
    found = current(db, programme_id)
    if found is None or State(found.state) is not State.EVIDENCE_REQUESTED:
        raise Refused("no evidence is requested of this programme now")
    open_ = [r for r in found.requests if not r.closed and r.criterion == criterion]
    if not open_:
        raise Refused(f"no request for evidence on {criterion!r}")
    text = " ".join(note.split())
    if not text or len(text) > 2000:
        raise Refused("say in a note (at most 2,000 characters) what the new evidence shows")
    return open_[0], text


def since_snapshot(
    site: OpenSite, person: policy.Person, programme_id: str, now: datetime | None = None
) -> dict[str, dict[str, Any]]:
    """For each criterion with an open request, what the programme's file changes now from the
    snapshot under review (``change_json``): the evidence the coordinator's answer carries ("the
    coordinator answers each with evidence and a note"), shown before they answer and resubmit.
    Empty when nothing is asked, or the file does not validate (its page says why)."""
    moment = now or tables.now()
    with site.transaction() as db:
        place = _place(site, db, person, programme_id)
        found = current(db, programme_id)
        snapshot = latest_snapshot(found)
        asked = {r.criterion for r in found.requests if not r.closed} if found is not None else set()
        if snapshot is None or not asked:
            return {}
        before = json.loads(snapshot.items_json)
    return _changed_since(site, place, before, asked, moment)


def _changed_since(
    site: OpenSite, place: ProgrammeFolder, before: dict[str, Any], asked: set[str], moment: datetime
) -> dict[str, dict[str, Any]]:
    loaded = Workspace(site.workspace).load(place, moment.date())
    if not loaded.valid or loaded.submission is None or loaded.assessment is None or loaded.text is None:
        return {}
    found = snapshots.changes(before, snapshots.freeze(loaded).items)
    return {c.criterion: snapshots.change_json(c) for c in found if c.criterion in asked}


def resubmit(
    site: OpenSite, db: Session, person: policy.Person, place: ProgrammeFolder, found: Application | None,
    assessor: str | None, moment: datetime,
) -> Moved:  # fmt: skip
    """ "... then resubmits: a new snapshot", which the assessor is told of and reviews."""
    loaded = Workspace(site.workspace).load(place, moment.date())
    _check(db, person, Transition.RESUBMIT, place.id, _facts(db, found, site, **_document_facts(loaded)))
    assert found is not None
    before = _sha(found)
    snapshot = _snapshot(site, db, found, loaded, moment)
    for row in found.requests:
        row.closed = True
    _set_state(db, person, found, Transition.RESUBMIT, State.RESUBMITTED, moment, before, snapshot.sha256)
    told = (
        [p for p in [db.get(tables.Person, found.assessor_id)] if p is not None] if found.assessor_id else []
    )
    _tell(
        site,
        db,
        person,
        place.id,
        "application_submitted",
        told,
        moment,
        again="yes",
        doing="What changed is shown beside each criterion.",
    )
    _review_follows(site, db, person, place, loaded, moment)
    return _moved(found, snapshot.sha256)


REVIEW_FOLLOWS = "review follows the resubmission"
REVIEW_SAVE_TRIES = 3  # an assessor saving at the same moment: read their save and carry it over


def _review_follows(
    site: OpenSite, db: Session, person: policy.Person, place: ProgrammeFolder, loaded: LoadedProgramme,
    moment: datetime,
) -> None:  # fmt: skip
    """At a resubmission the review file moves to the new snapshot: "the assessor's earlier
    decisions carry over to what did not change", and a criterion that changed is undecided
    again, so the review is not final until the assessor has looked at it (its request and the
    answer stay beside it on the review page). The file is saved as the review page saves it
    (the version before is kept in its history) and the save is in the audit trail. A review
    that cannot be read is left as it is: deciding says what is wrong with it."""
    from nums.programme_files import REVIEW_HISTORY, Conflict, save_file

    if loaded.submission is None or loaded.edition is None:
        return
    for _ in range(REVIEW_SAVE_TRIES):
        followed = _review_for_snapshot(site, db, place, loaded)
        if followed is None:
            return
        text, before, kept = followed
        try:
            after = save_file(place.folder, REVIEW_FILE, text, before, REVIEW_HISTORY)
        except Conflict:
            continue
        except NumsError:
            return  # a link where the review should be: never written through
        audit.record(db, person, REVIEW_FOLLOWS, place.id, before, after, at=moment, decisions_kept=kept)
        return


def _review_for_snapshot(
    site: OpenSite, db: Session, place: ProgrammeFolder, loaded: LoadedProgramme
) -> tuple[str, str, list[str]] | None:
    """The review file's text for the newest snapshot, the SHA-256 it replaces and the decisions
    kept; None when there is no review, it does not read, or nothing would change."""
    from nums.boundary import read_inside
    from nums.fingerprint import fingerprints
    from nums.skeleton import review_skeleton
    from nums.workspace import file_sha256
    from nums.yamlsource import parse_yaml

    assert loaded.submission is not None and loaded.edition is not None
    try:
        data = read_inside(place.folder / REVIEW_FILE, site.workspace)
        document = parse_yaml(data.decode("utf-8"), str(place.folder / REVIEW_FILE), kind="review file").data
    except (FileNotFoundError, NumsError, UnicodeDecodeError):
        return None
    if not isinstance(document, dict) or not isinstance(document.get("decisions"), dict):
        return None
    decisions = {k: v for k, v in document["decisions"].items() if isinstance(v, dict)}
    kept = snapshots.carried_decisions(decisions, what_changed(db, place.id))
    digest = fingerprints(loaded.submission.raw, (loaded.text or "").encode("utf-8"))[0]
    if kept == decisions and document.get("submission_sha256") == digest:
        return None
    filled = {**document, "decisions": kept, "submission_sha256": digest}
    return review_skeleton(loaded.edition, loaded.submission, digest, filled), file_sha256(data), sorted(kept)


def decide(
    site: OpenSite, db: Session, person: policy.Person, place: ProgrammeFolder, found: Application | None,
    assessor: str | None, moment: datetime,
) -> Moved:  # fmt: skip
    """ "Decide (assessor, on a final review): the outcome letter is stored with the application and
    sent; the award is recorded in the programme's history exactly as the review dates it."

    The award is the application's (``awarded``: its first day, as the review dates it) from now on
    (``decided_awards``: what the reminders and the next application read). A submission's
    ``history:`` lists only awards made before its application date, so the line is written into
    ``submission.yaml`` when the programme's next application is submitted (``_carry_awards``)."""
    reviewed, why, review_sha = _reviewed(site, place, found)
    final = reviewed is not None and reviewed.status == FINAL
    _check(db, person, Transition.DECIDE, place.id, _facts(db, found, site, final=final, review_problem=why))
    assert found is not None and reviewed is not None
    sha, found_id = _sha(found), found.id
    found.letter = _letter_path(found_id)
    outbox.then(db, lambda: _store_letter(site, person, place.id, found_id, reviewed, moment))
    found.outcome = reviewed.outcome or NO_AWARD
    found.awarded = reviewed.valid_from if reviewed.outcome else None
    _set_state(
        db, person, found, Transition.DECIDE, State.DECIDED, moment, sha, sha, outcome=found.outcome,
        awarded=found.awarded.isoformat() if found.awarded else None,
    )  # fmt: skip
    told = _coordinators(db, place.id) + _leads(db, place.id.partition("/")[0])
    letter = mail.page_link(site.settings, place.id) + LETTER_PAGE
    _tell(
        site, db, person, place.id, "application_decided", told, moment, outcome=_outcome_words(reviewed),
        letter=letter,
    )  # fmt: skip
    if found.awarded is not None:
        outbox.then(db, lambda: _issue_award(site, person, place.id, reviewed, review_sha or "", moment))
    return _moved(found, sha)


NO_AWARD = "not accredited"
AWARD_ISSUED, AWARD_NOT_ISSUED = "award issued", "award not issued"


def _issue_award(
    site: OpenSite, person: policy.Person, programme_id: str, reviewed: Any, review_sha: str, moment: datetime
) -> None:
    """Issue the award (certificate, credential, the register's record) through the awards module of
    issue 24, from the outcome the decision read (the review against the snapshot). Run once the
    decision is committed (``outbox.then``): rendering the certificate never holds the step's
    transaction open. A refusal of the issuing does not undo the decision: its words are recorded
    for an admin to act on (``nums award issue`` issues it by hand)."""
    from nums.site.awards import issue_outcome_for_site  # renders the certificate: WeasyPrint only here

    try:
        award = issue_outcome_for_site(site, reviewed, review_sha)
    except NumsError as error:
        what, detail = AWARD_NOT_ISSUED, {"why": _said(error.problems[0])}
    else:
        what, detail = AWARD_ISSUED, {"number": award.number, "page": award.page}
    with site.transaction() as db:
        audit.record(db, person, what, programme_id, at=moment, **detail)


def decided_awards(db: Session, programme_id: str) -> list[tuple[str, date]]:
    """The awards the site's decisions made for a programme: (level, first day), oldest first."""
    query = (
        select(Application)
        .where(Application.programme == programme_id, Application.state == State.DECIDED.value)
        .where(Application.awarded.is_not(None))
        .order_by(Application.id)
    )
    return [(a.outcome or "", a.awarded) for a in db.scalars(query) if a.awarded is not None]


@contextlib.contextmanager
def _carried_awards(
    db: Session, person: policy.Person, place: ProgrammeFolder, moment: datetime
) -> Iterator[None]:
    """``_carry_awards`` for the block, undone when the block fails: the validation that follows
    may refuse the submit, or a mail server roll it back, and then the coordinator's file is as it
    was (the audit event of the carrying rolls back with the transaction). Put back only while the
    file still holds what was written here: a save made meanwhile is never overwritten."""
    original = _bytes_of(place.path)
    _carry_awards(db, person, place, moment)
    written = _bytes_of(place.path)
    try:
        yield
    except BaseException:
        if original is not None and written != original and _bytes_of(place.path) == written:
            from nums.writing import write_bytes_atomically

            write_bytes_atomically(place.path, original)
        raise


def _bytes_of(path: Path) -> bytes | None:
    try:
        return path.read_bytes()
    except OSError:
        return None  # a file that does not read is refused by the validation that follows


def _carry_awards(db: Session, person: policy.Person, place: ProgrammeFolder, moment: datetime) -> None:
    """Before a next application is read: each award the site decided, made on or before its
    application date and not yet in its ``history:``, is added there, as the review dated it."""
    import yaml

    awards = decided_awards(db, place.id)
    if not awards:
        return
    try:
        data = yaml.safe_load(place.path.read_text(encoding="utf-8"))
        applied = date.fromisoformat(str(data["application"]["date"]))
    except (OSError, UnicodeDecodeError, yaml.YAMLError, KeyError, TypeError, ValueError):
        return  # a file that does not read is refused by the validation that follows
    for level, awarded in awards:
        if awarded <= applied:
            _record_award(db, person, place, level, awarded, moment)


def _outcome_words(reviewed: Any) -> str:
    if not reviewed.outcome:
        return "no award this time (the letter says why)"  # NO_AWARD on the application
    level = reviewed.edition.level_name(reviewed.outcome)
    return f"{level}, from {reviewed.valid_from.isoformat()} to {reviewed.valid_until.isoformat()}"


def _letter_path(application_id: int) -> str:
    """Where the application's outcome letter is kept, inside the site folder."""
    return (Path(LETTERS_FOLDER) / f"application-{application_id}-outcome.pdf").as_posix()


LETTER_NOT_STORED = "letter not stored"


def _store_letter(
    site: OpenSite,
    person: policy.Person,
    programme_id: str,
    application_id: int,
    reviewed: Any,
    moment: datetime,
) -> None:
    """Render and keep the decision's outcome letter, once the decision is committed (the letter
    takes a second or two to lay out: never inside the step's transaction, which on SQLite holds
    the whole database). A letter that cannot be written is in the trail, with why."""
    from nums.render.letter_pdf import letter_pdf  # WeasyPrint only when a letter is made
    from nums.writing import write_bytes_atomically

    target = site.folder / _letter_path(application_id)
    try:
        target.parent.mkdir(parents=True, exist_ok=True)
        write_bytes_atomically(target, letter_pdf(reviewed))
    except (OSError, NumsError) as error:
        with site.transaction() as db:
            audit.record(db, person, LETTER_NOT_STORED, programme_id, at=moment, why=str(error))


def _record_award(
    db: Session, person: policy.Person, place: ProgrammeFolder, level: str, awarded: date, moment: datetime
) -> None:
    from nums.site.history import with_award
    from nums.workspace import file_sha256
    from nums.writing import write_text_atomically

    data = place.path.read_bytes()
    text = data.decode("utf-8")
    changed = with_award(text, str(place.path), level, awarded)
    if changed == text:
        return
    write_text_atomically(place.path, changed)
    audit.record(
        db, person, audit.AWARD_RECORDED, place.id, file_sha256(data), file_sha256(changed.encode("utf-8")),
        at=moment, level=level, awarded=awarded.isoformat(),
    )  # fmt: skip


# --- the review of the snapshot ---------------------------------------------------------------


def _reviewed(
    site: OpenSite, place: ProgrammeFolder, found: Application | None
) -> tuple[Any, str | None, str | None]:
    """The outcome of the workspace's review file read against the latest snapshot (never the
    workspace's submission, which may have changed since), or why it cannot be read; and the
    SHA-256 of the review read (the award records which review made it)."""
    from nums.boundary import read_inside
    from nums.outcome import review_outcome
    from nums.review import review_from_text
    from nums.workspace import file_sha256

    snapshot = latest_snapshot(found)
    if snapshot is None:
        return None, "there is no snapshot to review", None
    try:
        data = read_inside(place.folder / REVIEW_FILE, site.workspace)
    except FileNotFoundError:
        return None, "there is no review yet: write one on the programme's review page", None
    except NumsError as error:
        return None, "the review cannot be read: " + _said(error.problems[0]), None
    with snapshot_folder(site, place, snapshot) as loaded:
        if loaded.submission is None or loaded.edition is None or loaded.assessment is None:
            return None, "the snapshot no longer validates against this edition", None
        try:
            review = review_from_text(
                data.decode("utf-8", "replace"), place.folder / REVIEW_FILE, loaded.edition, loaded.submission
            )
        except NumsError as error:
            return None, "the review is not valid: " + _said(error.problems[0]), None
        levels = {pillar_id: p.level for pillar_id, p in loaded.assessment.pillars.items()}
        return review_outcome(loaded.edition, loaded.submission, review, levels), None, file_sha256(data)


class snapshot_folder:
    """The snapshot laid out as a programme folder in a temporary place: its submission.yaml and
    each evidence file it kept, at the path the submission cites. What the assessor reviews, and
    what the snapshot's pack is made from."""

    def __init__(self, site: OpenSite, place: ProgrammeFolder, snapshot: Snapshot) -> None:
        self.site, self.place, self.snapshot = site, place, snapshot
        self._scratch: tempfile.TemporaryDirectory[str] | None = None

    def __enter__(self) -> LoadedProgramme:
        self._scratch = tempfile.TemporaryDirectory(prefix="nums-snapshot-")
        root = Path(self._scratch.name)
        folder = root.joinpath(*self.place.id.split("/"))
        folder.mkdir(parents=True)
        create_new_file(folder / "submission.yaml", self.snapshot.source.encode("utf-8"))
        for item in json.loads(self.snapshot.items_json).values():
            for entry in item.get("evidence", []):
                self._lay(folder, entry)
        workspace = Workspace(root)
        laid = workspace.programme_at(self.place.id)
        assert laid is not None
        return workspace.load(laid, self.snapshot.created.date())

    def _lay(self, folder: Path, entry: dict[str, Any]) -> None:
        if entry.get("kind") != "file" or not entry.get("sha256"):
            return
        kept = snapshots.kept_file(self.site.folder, entry["sha256"])
        target = (folder / entry["target"]).resolve()
        if kept is None or not target.is_relative_to(folder.resolve()) or target.exists():
            return  # outside the programme, or cited twice: laid once
        target.parent.mkdir(parents=True, exist_ok=True)
        try:  # the kept file is never written again (it is named by its hash): a link is a copy
            os.link(kept, target)
        except OSError:  # another file system, or links refused: copy it
            create_new_file(target, kept.read_bytes())

    def __exit__(self, *exc: object) -> None:
        if self._scratch is not None:
            self._scratch.cleanup()


def reviewed_snapshot(site: OpenSite, programme_id: str) -> LoadedProgramme | None:
    """What the assessor's review is read against on the site: "The assessor reviews the
    snapshot, never a file that can still change." While the application is with the assessors
    (submitted, up to and including its decision) that is its newest snapshot, loaded as the
    pack and the decision load it; otherwise (a draft, withdrawn, never submitted) None, and the
    workspace's file is what a review is read against, as under ``nums serve``. The loaded
    programme's place is the snapshot's scratch folder, gone once this returns: a caller keeps
    its data, never its paths."""
    with site.transaction() as db:
        snapshot = _under_review(db, programme_id)
        if snapshot is None:
            return None
        key = (str(site.folder), programme_id, snapshot.id, snapshot.source_sha256, date.today())
        kept = REVIEWED.get(key)
        if kept is not None:
            return kept
        place = ProgrammeFolder(programme_id, site.workspace.joinpath(*programme_id.split("/")))
        with snapshot_folder(site, place, snapshot) as loaded:
            REVIEWED.put(key, loaded)
            return loaded


def _under_review(db: Session, programme_id: str) -> Snapshot | None:
    """The newest snapshot while the application is with the assessors; None otherwise."""
    found = current(db, programme_id)
    if found is None or State(found.state) not in SEEN_BY_ASSESSORS:
        return None
    return latest_snapshot(found)


REVIEWED: Kept[LoadedProgramme] = Kept(64)
"""Snapshots under review as ``reviewed_snapshot`` loaded them, by snapshot and day: a snapshot
never changes (its text and its evidence, kept by hash), so each review page need not lay it out
in a scratch folder and load it again (which missed ``loading_cache`` every time, the scratch
folder's path being new). Keyed by today too, as an assessment says what is due by today. Some
sixty programmes in review at once per worker; the least recently read go first."""


def reviewed_evidence(site: OpenSite, programme_id: str, cited: str) -> Path | None:
    """The kept copy of the evidence file the snapshot under review cites as ``cited`` (its path as
    the submission wrote it): what the review page's evidence links open, so the assessor reads
    the file as it was submitted, as they read the statements. None while no snapshot is under
    review (the workspace's file is what a review is read against then, as ``reviewed_snapshot``
    says); ``Refused`` (404) when the snapshot cites no such file or does not keep it."""
    with site.transaction() as db:
        snapshot = _under_review(db, programme_id)
        if snapshot is None:
            return None
        items = json.loads(snapshot.items_json)
    for item in items.values():
        for entry in item.get("evidence", []):
            if entry.get("kind") == "file" and entry.get("target") == cited and entry.get("sha256"):
                kept = snapshots.kept_file(site.folder, entry["sha256"])
                if kept is not None:
                    return kept
    raise Refused(f"the snapshot under review has no file {cited!r}", 404)


def snapshot_pack(site: OpenSite, programme_id: str, number: int | None = None) -> bytes:
    """The snapshot's document: the pack PDF made from what was frozen (the newest snapshot, or
    ``number``), the evidence embedded, so it is the whole submission as it was submitted."""
    from nums.render.pack_pdf import pack_document
    from nums.render.pdf import render_pdf

    with site.transaction() as db:
        found = current(db, programme_id)
        chosen = [s for s in (found.snapshots if found else []) if number is None or s.number == number]
        if not chosen:
            raise Refused(f"{programme_id} has no snapshot {number or ''}".strip(), 404)
        snapshot = chosen[-1]
        place = ProgrammeFolder(programme_id, site.workspace.joinpath(*programme_id.split("/")))
        with snapshot_folder(site, place, snapshot) as loaded:
            assert loaded.assessment is not None
            return render_pdf(pack_document(loaded.assessment, True))


# --- what changed ------------------------------------------------------------------------------


def what_changed(db: Session, programme_id: str) -> list[snapshots.CriterionChange]:
    """Criterion by criterion, what the newest snapshot changed from the one before it (empty
    before a resubmission)."""
    return _changes_of(current(db, programme_id))


def _changes_of(found: Application | None) -> list[snapshots.CriterionChange]:
    if found is None or len(found.snapshots) < 2:
        return []
    before, after = found.snapshots[-2], found.snapshots[-1]
    return snapshots.changes(json.loads(before.items_json), json.loads(after.items_json))


def carried_over(
    db: Session, programme_id: str, decisions: dict[str, dict[str, Any]]
) -> dict[str, dict[str, Any]]:
    """The assessor's earlier ``decisions`` (review file form) that stand for the resubmission: those
    of criteria it did not change."""
    return snapshots.carried_decisions(decisions, what_changed(db, programme_id))


# --- who is told -------------------------------------------------------------------------------


def _holders(db: Session, role: policy.Role, programme: str | None = None) -> list[tables.Person]:
    query = (
        select(tables.Person)
        .join(tables.Membership)
        .where(tables.Membership.role == role.value, tables.Person.disabled.is_(False))
        .order_by(tables.Person.id)
    )
    if programme is not None:
        query = query.where(tables.Membership.programme == programme)
    return list(dict.fromkeys(db.scalars(query)))


def _coordinators(db: Session, programme_id: str) -> list[tables.Person]:
    return _holders(db, policy.Role.COORDINATOR, programme_id)


def _leads(db: Session, institution: str) -> list[tables.Person]:
    return [
        p
        for p in _holders(db, policy.Role.LEAD)
        if p.institution is not None and p.institution.slug == institution
    ]


def _tell(
    site: OpenSite,
    db: Session,
    actor: policy.Person,
    programme_id: str,
    kind: str,
    people: list[tables.Person],
    moment: datetime,
    **values: str,
) -> None:
    """Mail each person once, in plain words with the page's link, once the step is committed
    (``outbox``: how each went is an audit event of its own)."""
    link = mail.page_link(site.settings, programme_id)
    title = programme_title(site, programme_id)
    for person in dict.fromkeys(people):
        message = mail.compose(
            site.settings, kind, person.email, name=person.name, programme=title, link=link, **values
        )
        subject = ((audit.SUBJECT, audit.person_key(person.email)),)
        outbox.queue(db, outbox.Queued(message, actor.email, programme_id, moment, kind, link, subject))


def programme_title(site: OpenSite, programme_id: str) -> str:
    """The programme's name as its submission gives it, else its id (a message never fails on it).
    The file is parsed through the load cache (``loading_cache.parsed``): a step has just loaded
    it, so its mail costs no second parse."""
    from nums import loading_cache
    from nums.submission import SUBMISSION_FILE as SUBMISSION_KIND  # the kind the load names
    from nums.workspace import file_sha256

    path = site.workspace.joinpath(*programme_id.split("/"), "submission.yaml")
    try:
        data = path.read_bytes()
        document = loading_cache.parsed(data.decode("utf-8"), file_sha256(data), str(path), SUBMISSION_KIND)
        name = document.data["programme"]["name"]
    except (OSError, UnicodeDecodeError, NumsError, KeyError, TypeError):
        return programme_id
    return " ".join(str(name).split())[:200] or programme_id


# --- waiting for you ---------------------------------------------------------------------------


@dataclass(frozen=True)
class Waiting:
    """One thing waiting for a person: which programme, what, since when (or by when), and which
    kind of thing (``request``, ``queue``, ``review``, ``invoice``, ``payment``, ``lapsing``)."""

    programme: str
    what: str
    when: date | None = None
    kind: str = ""


def waiting_for(db: Session, person: policy.Person, on: date | None = None) -> list[Waiting]:
    """What of the applications waits for ``person``: "the coordinator's open requests, the
    assessor's queue, finance's unpaid invoices" (and the assessor's reviews, finance's
    applications without an invoice). The lead's lapsing awards are ``nums.site.waiting``'s part."""
    found: list[Waiting] = []
    for application in _open_applications(db):
        thing = programme_thing(db, application.programme)
        state = State(application.state)
        found += _waiting_on(db, person, application, thing, state)
    return found


def _open_applications(db: Session) -> list[Application]:
    newest: dict[str, Application] = {}
    for application in db.scalars(select(Application).order_by(Application.id)):
        newest[application.programme] = application
    return list(newest.values())


def _waiting_on(
    db: Session, person: policy.Person, application: Application, thing: policy.Programme, state: State
) -> list[Waiting]:
    found = []
    pid = application.programme
    if state is State.EVIDENCE_REQUESTED and policy.can(person, policy.Action.ANSWER_REQUEST, thing):
        found += [
            Waiting(pid, f"evidence requested on {r.criterion}", r.due, "request")
            for r in application.requests
            if not r.closed and r.answered is None
        ]
    if state is State.SUBMITTED and policy.can(person, policy.Action.TAKE_APPLICATION, thing):
        found.append(Waiting(pid, "submitted: waiting for an assessor", application.since.date(), "queue"))
    mine = person.id is not None and application.assessor_id == person.id
    if state in (State.IN_REVIEW, State.RESUBMITTED) and mine:
        found.append(Waiting(pid, f"{state.value}: your review", application.since.date(), "review"))
    if state is not State.WITHDRAWN and policy.can(person, policy.Action.RECORD_INVOICE, thing):
        invoice = db.scalars(select(Invoice).where(Invoice.application_id == application.id)).first()
        if invoice is None and state is not State.DRAFT:
            found.append(Waiting(pid, "no invoice recorded yet", application.since.date(), "invoice"))
        elif invoice is not None and invoice.paid is None:
            found.append(Waiting(pid, f"invoice {invoice.number} not paid", invoice.due, "payment"))
    return found


STEP_FUNCTIONS = {
    Transition.SUBMIT: submit,
    Transition.WITHDRAW: withdraw,
    Transition.ASSIGN: assign,
    Transition.TAKE: take,
    Transition.REQUEST_EVIDENCE: request_evidence,
    Transition.RESUBMIT: resubmit,
    Transition.DECIDE: decide,
}
