"""An application's journey through the library (issue 23), on SQLite and on PostgreSQL
(site_support), with mail through a real SMTP server (aiosmtpd) read back."""

from __future__ import annotations

import json
from datetime import UTC, date, datetime
from pathlib import Path

import pytest
from sqlalchemy import text
from sqlalchemy.exc import DBAPIError
from sqlalchemy.orm import Session

from nums.site import audit, invoices, journey
from nums.site import db as tables
from nums.site.records import AuditEvent, FrozenRecord, Snapshot
from nums.site.states import State, Transition, replay
from tests import journey_support, site_support
from tests.journey_support import EMAILS, PROGRAMME, JourneySite, final_review, make_site, undeclared
from tests.test_site_mail import inbox

engine, quick_hashes, journey_site = site_support.engine, site_support.quick_hashes, journey_support.journey
__all__ = ["inbox"]

MOMENT = datetime(2026, 3, 21, 9, 0, tzinfo=UTC)


def move(j: JourneySite, who: str, to: str, **options: str) -> journey.Moved:
    return journey.move(j.site, j.person(who), PROGRAMME, to, **options)


def refused(j: JourneySite, who: str, to: str, **options: str) -> journey.Refused:
    with pytest.raises(journey.Refused) as caught:
        move(j, who, to, **options)
    return caught.value


def trail(j: JourneySite) -> list[AuditEvent]:
    with j.site.transaction() as db:
        return audit.events(db, PROGRAMME)


def test_the_whole_journey_tells_each_person_in_time(engine, tmp_path: Path, inbox) -> None:  # type: ignore[no-untyped-def]
    """ "Mail to the people concerned at each step: submitted (assessors, finance), evidence requested
    (the coordinators), resubmitted (the assessor), decided (the coordinators and the lead), invoice
    recorded (the lead), in plain words with a link to the page, never the evidence itself." """
    received, port = inbox
    j = make_site(tmp_path / "site", engine, mail_port=port)

    def told() -> list[tuple[str, str]]:
        got = [(str(m["To"]), str(m["Subject"])) for m in received.messages]
        received.messages.clear()
        return got

    move(j, "coordinator", "submitted")
    # the home assessor is not told: they may never assess it
    assert told() == [
        (EMAILS["assessor"], "Mentoring Scheme: Submitted for review: First-Year Peer Mentoring"),
        (EMAILS["finance"], "Mentoring Scheme: Submitted for review: First-Year Peer Mentoring"),
    ]
    invoices.record_invoice(j.site, j.person("finance"), PROGRAMME, issued=date(2026, 3, 21))
    assert told() == [(EMAILS["lead"], "Mentoring Scheme: Invoice 1 for First-Year Peer Mentoring")]
    move(j, "assessor", "in review")
    assert told() == []
    move(j, "assessor", "evidence requested")
    assert told() == [
        (EMAILS["coordinator"], "Mentoring Scheme: More evidence asked for: First-Year Peer Mentoring")
    ]
    journey.answer_request(j.site, j.person("coordinator"), PROGRAMME, "diversity.2", "The profile is added.")
    move(j, "coordinator", "resubmitted")
    assert told() == [
        (EMAILS["assessor"], "Mentoring Scheme: Submitted for review: First-Year Peer Mentoring")
    ]
    final_review(j.folder)
    move(j, "assessor", "decided")
    decided = list(received.messages)
    assert [(str(m["To"]), str(m["Subject"])) for m in decided] == [
        (EMAILS["coordinator"], "Mentoring Scheme: Decided: First-Year Peer Mentoring"),
        (EMAILS["lead"], "Mentoring Scheme: Decided: First-Year Peer Mentoring"),
    ]
    body = decided[0].get_content()
    assert "https://nums.example.org/p/harbourside/peer-mentoring/" in body
    assert "Silver, from 2026-03-20 to 2027-03-19" in body
    assert not any(m.is_multipart() for m in decided)  # no attachment: never the evidence itself
    sent = [e for e in trail(j) if e.what == audit.MAIL_SENT]
    assert len(sent) == 7 and all(json.loads(e.detail)["to"] for e in sent)


def test_a_decision_records_the_award_as_the_review_dates_it(journey_site: JourneySite) -> None:
    """ "the award is recorded in the programme's history exactly as the review dates it [...] so the
    portfolio, the next application and the register follow without anyone editing a file". A
    history lists awards made before its application, so the next application gets the line."""
    from nums.workspace import Workspace

    j = journey_site
    final_review(j.folder)
    move(j, "coordinator", "submitted")
    move(j, "assessor", "in review")
    moved = move(j, "assessor", "decided")
    assert moved.state is State.DECIDED
    with j.site.transaction() as db:
        found = journey.current(db, PROGRAMME)
        assert found is not None and found.letter
        assert journey.decided_awards(db, PROGRAMME) == [("silver", date(2026, 3, 20))]  # the review's date
    assert (j.site.folder / found.letter).read_bytes().startswith(b"%PDF")
    # the next application, a year on: nobody adds the award to its history by hand
    path = j.folder / "submission.yaml"
    path.write_text(
        path.read_text(encoding="utf-8").replace("date: 2026-03-02", "date: 2027-02-01"), encoding="utf-8"
    )
    assert move(j, "coordinator", "submitted").state is State.SUBMITTED
    workspace = Workspace(j.site.workspace)
    loaded = workspace.load(workspace.programme_at(PROGRAMME))  # type: ignore[arg-type]
    assert loaded.submission is not None
    history = [(a.level, a.awarded) for a in loaded.submission.history]
    assert history == [("bronze", date(2025, 5, 12)), ("silver", date(2026, 3, 20))]
    recorded = [e for e in trail(j) if e.what == audit.AWARD_RECORDED]
    assert len(recorded) == 1 and recorded[0].before != recorded[0].after


def test_a_decision_issues_the_award_and_the_register_follows(journey_site: JourneySite) -> None:
    """Issue 24: "On the site, this happens when an application is decided"; the register "follows
    every decision at once". Issue 23: the decision is recorded in the audit trail."""
    from nums.awards.keys import init_keys
    from nums.awards.verify import load_register, verify
    from nums.site.awards import issuing_folder, keys_folder

    j = journey_site
    init_keys(keys_folder(j.site))
    final_review(j.folder)
    move(j, "coordinator", "submitted")
    move(j, "assessor", "in review")
    move(j, "assessor", "decided")
    [issued] = [e for e in trail(j) if e.what == journey.AWARD_ISSUED]
    number = json.loads(issued.detail)["number"]
    logo = next(issuing_folder(j.site).glob(f"**/{number}/logo.svg"))
    verdict = verify(logo, load_register(str(issuing_folder(j.site))), date(2026, 4, 1))
    assert verdict.status == "valid" and verdict.facts is not None and verdict.facts.level == "silver"


def test_a_decision_without_a_key_stands_and_says_why_no_award_was_issued(journey_site: JourneySite) -> None:
    """A refusal of the issuing does not undo the decision: its words are in the audit trail."""
    j = journey_site
    final_review(j.folder)
    move(j, "coordinator", "submitted")
    move(j, "assessor", "in review")
    assert move(j, "assessor", "decided").state is State.DECIDED
    [refused_issue] = [e for e in trail(j) if e.what == journey.AWARD_NOT_ISSUED]
    assert "no signing key" in refused_issue.detail


def test_only_a_submission_that_validates_with_its_declaration_is_submitted(
    journey_site: JourneySite,
) -> None:
    """ "Submit (coordinator): only a submission that validates, with its declaration." """
    j = journey_site
    made = [e.id for e in trail(j)]  # the coordinator's role, given as the site was made
    undeclared(j.folder)
    why = refused(j, "coordinator", "submitted")
    assert why.status == 409 and "no declaration" in why.reason
    (j.folder / "submission.yaml").write_text("programme: [not, a, mapping\n", encoding="utf-8")
    why = refused(j, "coordinator", "submitted")
    assert why.status == 409 and "does not validate" in why.reason
    assert [e.id for e in trail(j)] == made  # nothing happened, nothing recorded
    with j.site.transaction() as db:
        assert journey.state_of(db, PROGRAMME) is State.DRAFT


def test_refusals_say_who_may_and_answer_403_or_404(journey_site: JourneySite) -> None:
    j = journey_site
    assert refused(j, "stranger", "submitted").status == 404  # not theirs to know of
    assert refused(j, "lead", "submitted").status == 403  # theirs to see, not to submit
    move(j, "coordinator", "submitted")
    why = refused(j, "home assessor", "in review")
    assert why.status == 403 and "may not take" in why.reason
    why = refused(j, "admin", "in review", assessor=EMAILS["home assessor"])
    assert why.status == 409 and "never an assessor of the applicant's institution" in why.reason
    why = refused(j, "coordinator", "decided")
    assert why.status == 403 and "Decide (assessor, on a final review)" in why.reason
    move(j, "admin", "in review", assessor=EMAILS["assessor"])
    why = refused(j, "assessor", "decided")
    assert why.status == 409 and "not final" in why.reason


def test_the_assessor_reviews_the_snapshot_never_the_file_that_can_still_change(
    journey_site: JourneySite,
) -> None:
    """ "It is frozen as a snapshot [...] The assessor reviews the snapshot, never a file that can
    still change." The pack PDF made from it is the same whatever the workspace holds now."""
    from nums.packfile import read_pack

    j = journey_site
    submitted = move(j, "coordinator", "submitted")
    handbook = next((j.folder / "evidence").iterdir())
    handbook.write_bytes(b"changed after submission")
    (j.folder / "submission.yaml").write_text("changed: after submission\n", encoding="utf-8")
    move(j, "assessor", "in review")
    assert move(j, "assessor", "evidence requested").snapshot_sha256 == submitted.snapshot_sha256
    pack = j.site.folder / "pack.pdf"
    pack.write_bytes(journey.snapshot_pack(j.site, PROGRAMME))
    embedded = read_pack(pack)
    from nums.fingerprint import fingerprints

    assert fingerprints(embedded["submission"])[0] == submitted.snapshot_sha256
    with j.site.transaction() as db, pytest.raises(FrozenRecord):
        snapshot = db.scalars(__import__("sqlalchemy").select(Snapshot)).first()
        assert snapshot is not None
        snapshot.source = "rewritten"
        db.flush()


def test_what_changed_is_shown_criterion_by_criterion_and_decisions_carry_over(
    journey_site: JourneySite,
) -> None:
    """ "What changed since the last snapshot is shown to the assessor, criterion by criterion
    (statement changed, evidence added or removed, with hashes), and the assessor's earlier
    decisions carry over to what did not change." """
    j = journey_site
    move(j, "coordinator", "submitted")
    move(j, "assessor", "in review")
    move(j, "assessor", "evidence requested")
    path = j.folder / "submission.yaml"
    source = path.read_text(encoding="utf-8")
    (j.folder / "evidence" / "diversity-profile.txt").write_text("Profile by ethnicity and disability.\n")
    cited = "      - {title: Mentee survey analysis 2024-25, file: evidence/survey-analysis-2024-25.csv}\n"
    head, tail = source.split("  diversity.2:\n", 1)
    added = "      - {title: Diversity profile, file: evidence/diversity-profile.txt}\n"
    path.write_text(head + "  diversity.2:\n" + tail.replace(cited, cited + added, 1), encoding="utf-8")
    move(j, "coordinator", "resubmitted")
    with j.site.transaction() as db:
        changes = {c.criterion: c for c in journey.what_changed(db, PROGRAMME)}
        decisions = {"diversity.2": {"decision": "more-evidence"}, "aims.1": {"decision": "accepted"}}
        carried = journey.carried_over(db, PROGRAMME, decisions)
    changed = changes["diversity.2"]
    assert not changed.unchanged and [e.target for e in changed.added] == ["evidence/diversity-profile.txt"]
    assert changed.added[0].sha256 and len(changed.added[0].sha256) == 64
    assert changes["aims.1"].unchanged
    assert carried == {"aims.1": {"decision": "accepted"}}


def _add_diversity_profile(j: JourneySite) -> None:
    """The coordinator's answer to the request on diversity.2: one more evidence file cited."""
    path = j.folder / "submission.yaml"
    source = path.read_text(encoding="utf-8")
    (j.folder / "evidence" / "diversity-profile.txt").write_text("Profile by ethnicity and disability.\n")
    cited = "      - {title: Mentee survey analysis 2024-25, file: evidence/survey-analysis-2024-25.csv}\n"
    added = "      - {title: Diversity profile, file: evidence/diversity-profile.txt}\n"
    head, tail = source.split("  diversity.2:\n", 1)
    path.write_text(head + "  diversity.2:\n" + tail.replace(cited, cited + added, 1), encoding="utf-8")


def test_a_resubmission_carries_the_review_over_to_what_did_not_change(journey_site: JourneySite) -> None:
    """ "the assessor's earlier decisions carry over to what did not change": at the resubmission
    the review file follows the new snapshot; the criterion the answer changed (diversity.2) is
    undecided again, so the review is not final until the assessor looks at it; every other
    decision stands, word for word. The version before is kept and the save is in the trail."""
    import yaml

    from nums.fingerprint import fingerprints
    from nums.programme_files import REVIEW_HISTORY, versions

    j = journey_site
    move(j, "coordinator", "submitted")
    move(j, "assessor", "in review")
    move(j, "assessor", "evidence requested")
    before = yaml.safe_load((j.folder / "review.yaml").read_text(encoding="utf-8"))
    assert before["decisions"]["diversity.2"]["decision"] == "more-evidence"
    _add_diversity_profile(j)
    moved = move(j, "coordinator", "resubmitted")
    after = yaml.safe_load((j.folder / "review.yaml").read_text(encoding="utf-8"))
    assert not (after["decisions"].get("diversity.2") or {}).get("decision")
    kept = {k: v for k, v in before["decisions"].items() if k != "diversity.2" and v}
    assert {k: v for k, v in after["decisions"].items() if v and v.get("decision")} == kept
    source = (j.folder / "submission.yaml").read_bytes()
    assert after["submission_sha256"] == fingerprints(yaml.safe_load(source), source)[0]
    assert len(versions(j.folder, REVIEW_HISTORY)) == 1  # the review as it was, kept
    with j.site.transaction() as db:
        event = [e for e in audit.events(db, PROGRAMME) if e.what == journey.REVIEW_FOLLOWS]
        assert len(event) == 1 and event[0].after != event[0].before
        assert "diversity.2" not in json.loads(event[0].detail)["decisions_kept"]
    assert moved.state == "resubmitted"
    refusal = refused(j, "assessor", "decided")  # diversity.2 is undecided: the review is not final
    assert "final" in refusal.reason


def test_the_audit_trail_cannot_be_rewritten(journey_site: JourneySite) -> None:
    """ "Nothing in the app can rewrite it": the ORM refuses, and so does the database itself."""
    j = journey_site
    move(j, "coordinator", "submitted")
    with j.site.transaction() as db, pytest.raises(FrozenRecord):
        event = audit.events(db, PROGRAMME)[0]
        event.actor = "someone else"
        db.flush()
    for statement in ("UPDATE audit_events SET actor = 'x'", "DELETE FROM audit_events"):
        with pytest.raises(DBAPIError, match="append-only"), j.site.engine.begin() as connection:
            connection.execute(text(statement))
    assert len(trail(j)) >= 1


def test_withdrawing_keeps_the_trail_and_hides_it_from_assessors(journey_site: JourneySite) -> None:
    """ "The coordinator may withdraw before a decision"; the trail is "kept when a programme is
    withdrawn"; CONTRACT 7: a withdrawn programme is not submitted for review."""
    j = journey_site
    seen = {}
    with j.site.transaction() as db:
        seen["draft"] = journey.under_review(db, PROGRAMME)
    move(j, "coordinator", "submitted")
    with j.site.transaction() as db:
        seen["submitted"] = journey.under_review(db, PROGRAMME)
    move(j, "coordinator", "withdrawn")
    with j.site.transaction() as db:
        seen["withdrawn"] = journey.under_review(db, PROGRAMME)
    assert seen == {"draft": False, "submitted": True, "withdrawn": False}
    assert [json.loads(e.detail)["state"] for e in trail(j) if e.what == audit.STATE_CHANGED] == [
        "submitted",
        "withdrawn",
    ]
    assert refused(j, "coordinator", "withdrawn").status == 409


def test_invoices_are_numbered_in_sequence_with_vat_and_the_price_lists_terms(
    journey_site: JourneySite,
) -> None:
    """ "finance, who records an invoice (a sequential number, VAT, a due date from the price list's
    terms) and, later, that it was paid" """
    j = journey_site
    from nums.prices import load_price_lists

    terms = load_price_lists()[0]
    move(j, "coordinator", "submitted")
    with pytest.raises(journey.Refused) as caught:
        invoices.record_invoice(j.site, j.person("coordinator"), PROGRAMME)
    assert caught.value.status == 403
    first = invoices.record_invoice(j.site, j.person("finance"), PROGRAMME, issued=date(2026, 3, 21))
    assert first.number == 1 and first.net == terms.bands[0].initial
    assert (
        first.vat == (first.net * terms.vat_rate / 100).quantize(first.net)
        and first.total == first.net + first.vat
    )
    assert (first.due - first.issued).days == terms.payment_due_days
    with pytest.raises(journey.Refused, match="recorded already"):
        invoices.record_invoice(j.site, j.person("finance"), PROGRAMME)
    paid = invoices.record_payment(j.site, j.person("finance"), PROGRAMME, date(2026, 4, 1))
    assert paid.paid == date(2026, 4, 1)
    with j.site.transaction() as db:
        assert [e.what for e in audit.events(db, PROGRAMME)][-2:] == [audit.MAIL_NOT_SENT, audit.INVOICE_PAID]


def test_review_may_wait_for_payment_when_the_site_says_so(engine, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    """ "Whether review waits for payment is a site setting, off by default." """
    j = make_site(tmp_path / "site", engine, extra_site="review_waits_for_payment = true")
    move(j, "coordinator", "submitted")
    assert "waits for payment" in refused(j, "assessor", "in review").reason
    invoices.record_invoice(j.site, j.person("finance"), PROGRAMME)
    invoices.record_payment(j.site, j.person("finance"), PROGRAMME, date.today())
    assert move(j, "assessor", "in review").state is State.IN_REVIEW


def test_each_person_sees_what_is_waiting_for_them(journey_site: JourneySite) -> None:
    """ "the coordinator's open requests, the assessor's queue, finance's unpaid invoices" """
    j = journey_site

    def waiting(who: str) -> list[str]:
        with j.site.transaction() as db:
            return [w.what for w in journey.waiting_for(db, j.person(who))]

    move(j, "coordinator", "submitted")
    assert waiting("assessor") == ["submitted: waiting for an assessor"]
    assert waiting("home assessor") == []
    assert waiting("finance") == ["no invoice recorded yet"]
    move(j, "assessor", "in review")
    move(j, "assessor", "evidence requested")
    assert waiting("coordinator") == ["evidence requested on diversity.2"]
    assert waiting("stranger") == []
    invoices.record_invoice(j.site, j.person("finance"), PROGRAMME)
    assert waiting("finance") == ["invoice 1 not paid"]


def test_the_audit_trail_replays_to_each_programmes_state(journey_site: JourneySite) -> None:
    j = journey_site
    move(j, "coordinator", "submitted")
    move(j, "assessor", "in review")
    move(j, "assessor", "evidence requested")
    steps = replayed(j.site.transaction, PROGRAMME)
    with j.site.transaction() as db:
        assert steps is journey.state_of(db, PROGRAMME) is State.EVIDENCE_REQUESTED


def replayed(transaction, programme: str) -> State:  # type: ignore[no-untyped-def]
    with transaction() as db:
        return replay_in(db, programme)


def replay_in(db: Session, programme: str) -> State:
    recorded = [json.loads(e.detail) for e in audit.events(db, programme) if e.what == audit.STATE_CHANGED]
    return replay([(Transition(d["transition"]), State(d["state"])) for d in recorded])


def test_moments_are_kept_in_utc(journey_site: JourneySite) -> None:
    j = journey_site
    moved = journey.move(j.site, j.person("coordinator"), PROGRAMME, "submitted", now=MOMENT)
    assert moved.since == MOMENT
    with j.site.transaction() as db:
        assert journey.where(db, PROGRAMME).since == MOMENT
        assert tables.now().tzinfo is not None
