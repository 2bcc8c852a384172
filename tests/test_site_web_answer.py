"""An answer to a request for evidence that brings its own file (issue 23: "The coordinator answers
each with evidence and a note, then resubmits"), on the journey page with JavaScript off: one plain
multipart form post, as the page's own form sends it (its action carrying the csrf, the hidden
field beside it), and its JSON twin.

Choosing a file and answering in one step stores the file under the programme's ``evidence/`` as
the programme page's upload does (audited as "evidence added"), adds it as an evidence item of that
criterion's claim in ``submission.yaml`` by the programme page's audited, conflict-checked save,
then records the answer with its note; "what changed since the snapshot" then shows it."""

from __future__ import annotations

import hashlib
import html
import re
import shutil
from pathlib import Path
from typing import Any

import pytest
import yaml
from starlette.testclient import TestClient

from nums import policy
from nums.site import accounts, audit, journey, sessions
from nums.web import answering, files
from nums.web.app import create_site_app
from tests import journey_support, site_support
from tests.journey_support import EMAILS, PROGRAMME, JourneySite

engine, quick_hashes, journey_site = site_support.engine, site_support.quick_hashes, journey_support.journey
ADDRESS = "https://nums.example.org"
API = f"/api/programmes/{PROGRAMME}"
PAGE = f"/p/{PROGRAMME}"
LIMIT = 64 * 1024  # the site's upload limit in these tests
PROFILE = b"group,participants,first year\nall,120,3100\ndeclared disability,14,290\n"
NOTE = "The profile by ethnicity and declared disability, beside the whole first year."
TRAIL = (audit.EVIDENCE_ADDED, audit.SUBMISSION_SAVED, audit.REQUEST_ANSWERED)


class Person:
    """One person's session on the site (upload limit ``LIMIT``), and the journey page's forms."""

    def __init__(self, j: JourneySite, who: str) -> None:
        app = create_site_app(j.site, max_upload=LIMIT)
        self.client = TestClient(app, base_url=ADDRESS, follow_redirects=False)
        with j.site.transaction() as db:
            found = accounts.find_person(db, EMAILS[who])
            assert found is not None
            session_id = sessions.start(db, found.id)
        self.client.cookies.set(app.state.session_cookie.name, session_id)
        self.token = sessions.csrf_token(app.state.site_secret, session_id)

    def step(self, to: str) -> Any:
        return self.client.post(f"{API}/transitions", json={"to": to}, headers={"X-CSRF-Token": self.token})

    def answer(
        self, criterion: str, note: str, *chosen: tuple[str, bytes], page: str | None = None, **fields: Any
    ) -> Any:
        """The answer form of ``criterion`` as the journey page (or ``page``, a page that came back)
        sends it: multipart to its own action (which carries the csrf), its hidden fields as the
        page holds them, the files chosen."""
        page = self.client.get(f"{PAGE}/journey").text if page is None else page
        form = answer_form(page, criterion)
        action = html.unescape(re.search(r'action="([^"]+)"', form).group(1))  # type: ignore[union-attr]
        assert 'enctype="multipart/form-data"' in form and "?csrf=" in action
        hidden = dict(re.findall(r'<input type="hidden" name="(csrf|criterion)" value="([^"]*)"', form))
        stored = re.findall(r'<input type="hidden" name="stored" value="([^"]*)"', form)
        data: dict[str, Any] = {**hidden, "note": note, "title": "", **fields}
        if stored:
            data["stored"] = stored
        uploads = [("file", (name, body, "text/csv")) for name, body in chosen] or [
            ("file", ("", b"", "application/octet-stream"))  # a file input left empty, as browsers send it
        ]
        return self.client.post(action, data=data, files=uploads)

    def get(self, path: str) -> Any:
        return self.client.get(path)


def answer_form(page: str, criterion: str) -> str:
    """The answer form inside the request's item on the journey page."""
    item = page[page.index(f'id="answer-{criterion.replace(".", "-")}"') :]
    return item[item.index("<form") : item.index("</form>")]


@pytest.fixture()
def people(journey_site: JourneySite) -> dict[str, Person]:
    return {who: Person(journey_site, who) for who in ("coordinator", "assessor", "lead", "stranger")}


@pytest.fixture()
def asked(journey_site: JourneySite, people: dict[str, Person]) -> JourneySite:
    """Submitted, taken, and evidence requested on diversity.2 (the example review's one ask)."""
    assert people["coordinator"].step("submitted").status_code == 200
    assert people["assessor"].step("in review").status_code == 200
    assert people["assessor"].step("evidence requested").json()["state"] == "evidence requested"
    return journey_site


def claim(folder: Path, criterion: str = "diversity.2") -> list[dict[str, Any]]:
    document = yaml.safe_load((folder / "submission.yaml").read_text(encoding="utf-8"))
    return document["criteria"][criterion]["evidence"]


def evidence_names(folder: Path) -> set[str]:
    return {p.name for p in (folder / "evidence").iterdir()}


def trail(person: Person) -> list[dict[str, Any]]:
    """The programme's audit trail as its JSON API gives it, oldest first, the saves and answers only."""
    events = person.get(f"{API}/audit").json()["events"]
    return [e for e in reversed(events) if e["what"] in TRAIL]


def sha256(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def test_a_file_chosen_in_the_answer_is_stored_added_to_the_claim_and_answered_in_one_step(
    asked: JourneySite, people: dict[str, Person]
) -> None:
    """ "The coordinator answers each with evidence and a note": the file goes to evidence/ (the
    upload, audited), into diversity.2's claim (the save, audited with the SHA-256 before and
    after), and the answer is recorded; after the resubmission the assessor's "what changed since
    the last snapshot" shows the evidence added, with its SHA-256."""
    coordinator, assessor, folder = people["coordinator"], people["assessor"], asked.folder
    before = files.current_sha256(folder / "submission.yaml")
    form = answer_form(coordinator.get(f"{PAGE}/journey").text, "diversity.2")
    assert 'type="file"' in form and "multiple" in form and 'name="title"' in form
    answered = coordinator.answer(
        "diversity.2", NOTE, ("participant-profile.csv", PROFILE), title="Participant profile 2025-26"
    )
    assert answered.status_code == 303, answered.text
    assert answered.headers["location"] == f"{PAGE}/journey"
    # 1. stored in evidence/, byte for byte
    assert (folder / "evidence" / "participant-profile.csv").read_bytes() == PROFILE
    # 2. an evidence item of that criterion's claim, and of no other
    assert claim(folder)[-1] == {
        "title": "Participant profile 2025-26",
        "file": "evidence/participant-profile.csv",
    }
    submission = coordinator.get(f"{API}/submission").json()["submission"]
    cited = [
        (criterion, item["file"])
        for criterion, c in submission["criteria"].items()
        for item in c.get("evidence", [])
        if item.get("file") == "evidence/participant-profile.csv"
    ]
    assert cited == [("diversity.2", "evidence/participant-profile.csv")]
    # 3. answered, with the note
    state = coordinator.get(f"{API}/state").json()
    assert [(r["criterion"], r["answered"], r["note"]) for r in state["requests"]] == [
        ("diversity.2", True, NOTE)
    ]
    page = coordinator.get(f"{PAGE}/journey").text
    assert f"The answer: {NOTE}" in page and 'name="file"' not in page  # nothing left to answer
    carries = page[page.index("It carries what the file changes on diversity.2") :]
    assert "evidence added: Participant profile 2025-26" in carries[: carries.index("</div>")]
    # the trail: the upload, then the save (before and after), then the answer naming what it carries
    after = files.current_sha256(folder / "submission.yaml")
    steps = trail(coordinator)
    assert [e["what"] for e in steps] == list(TRAIL)
    upload, save, answer = steps
    assert upload["detail"]["file"] == "evidence/participant-profile.csv" and upload["after"] == sha256(
        PROFILE
    )
    assert (save["before"], save["after"]) == (before, after) and save["detail"]["answering"] == "diversity.2"
    assert answer["detail"]["evidence_added"] == ["evidence/participant-profile.csv"]
    assert all(e["actor"] == EMAILS["coordinator"] for e in steps)
    # what changed, on the assessor's side, once resubmitted
    assert coordinator.step("resubmitted").json()["state"] == "resubmitted"
    changes = {c["criterion"]: c for c in assessor.get(f"{API}/changes").json()["changes"]}
    assert changes["diversity.2"]["evidence_added"] == [
        {
            "title": "Participant profile 2025-26",
            "kind": "file",
            "target": "evidence/participant-profile.csv",
            "sha256": sha256(PROFILE),
        }
    ]
    assert [k for k, c in changes.items() if not c["unchanged"]] == ["diversity.2"]


def test_several_files_with_one_title_are_each_their_own_item(
    asked: JourneySite, people: dict[str, Person]
) -> None:
    """ "one or more files, with an optional title": each file is an item; one title given to
    several is told apart by each file's name in words; with no title, the file's name in words (as
    the programme page's upload names it); a clashing name gets -2, never overwriting."""
    coordinator, folder = people["coordinator"], asked.folder
    (folder / "evidence" / "profile.csv").write_bytes(b"an older file of that name\n")
    sent = coordinator.answer(
        "diversity.2",
        NOTE,
        ("profile.csv", PROFILE),
        ("by-year.csv", b"year,n\n2025,120\n"),
        title="Profiles",
    )
    assert sent.status_code == 303, sent.text
    assert (folder / "evidence" / "profile.csv").read_bytes() == b"an older file of that name\n"
    assert claim(folder)[-2:] == [
        {"title": "Profiles: profile", "file": "evidence/profile-2.csv"},
        {"title": "Profiles: by year", "file": "evidence/by-year.csv"},
    ]
    assert [e["what"] for e in trail(coordinator)] == [audit.EVIDENCE_ADDED, *TRAIL]


def test_a_file_over_the_upload_limit_is_413_and_nothing_is_written(
    asked: JourneySite, people: dict[str, Person]
) -> None:
    """ "413 for too large with nothing written": a file one byte over the limit is refused in words
    before anything is stored or saved, and the request stays open; a body far over it is refused
    before it is read at all."""
    coordinator, folder = people["coordinator"], asked.folder
    text, names = (folder / "submission.yaml").read_bytes(), evidence_names(folder)
    big = coordinator.answer("diversity.2", NOTE, ("recording.csv", b"x" * (LIMIT + 1)))
    assert big.status_code == 413
    assert "recording.csv is larger than the 65,536 bytes a file may be" in big.text
    assert "Nothing was stored or saved" in big.text
    assert NOTE in answer_form(big.text, "diversity.2")  # the note typed comes back in the form
    huge = coordinator.answer("diversity.2", NOTE, ("recording.csv", b"x" * (LIMIT + 2 * 1024 * 1024)))
    assert huge.status_code == 413 and "Too large" in huge.text
    assert (folder / "submission.yaml").read_bytes() == text and evidence_names(folder) == names
    assert trail(coordinator) == []
    assert coordinator.get(f"{API}/state").json()["requests"][0]["answered"] is False


def test_only_who_may_both_edit_the_submission_and_answer_attaches_a_file(
    asked: JourneySite, people: dict[str, Person], monkeypatch: pytest.MonkeyPatch
) -> None:
    """ "coordinator: those programmes' submissions and evidence"; the lead sees the programme but
    answers nothing (403), a coordinator of another institution does not see it (404). And the
    library asks the policy's ANSWER_WITH_EVIDENCE itself: a coordinator who may answer but not
    change the submission gets 403 with the reason for an answer with a file, nothing written,
    while the same answer without a file is taken."""
    coordinator, folder = people["coordinator"], asked.folder
    text, names = (folder / "submission.yaml").read_bytes(), evidence_names(folder)
    lead = people["lead"].client.post(
        f"{PAGE}/requests?csrf={people['lead'].token}",
        data={"criterion": "diversity.2", "note": NOTE},
        files=[("file", ("profile.csv", PROFILE, "text/csv"))],
    )
    assert lead.status_code == 403
    stranger = people["stranger"].client.post(
        f"{PAGE}/requests?csrf={people['stranger'].token}",
        data={"criterion": "diversity.2", "note": NOTE},
        files=[("file", ("profile.csv", PROFILE, "text/csv"))],
    )
    assert stranger.status_code == 404
    monkeypatch.setattr(policy, "RULES", {**policy.RULES, policy.Action.EDIT_SUBMISSION: ()})
    refused = coordinator.answer("diversity.2", NOTE, ("profile.csv", PROFILE))
    assert refused.status_code == 403
    assert (
        "only those who may change the programme&#39;s submission and evidence attach a file" in refused.text
    )
    assert (folder / "submission.yaml").read_bytes() == text and evidence_names(folder) == names
    assert trail(coordinator) == []
    assert coordinator.answer("diversity.2", NOTE).status_code == 303  # no file: an answer as before
    assert coordinator.get(f"{API}/state").json()["requests"][0]["answered"] is True


def test_answering_without_a_file_is_as_it_was(asked: JourneySite, people: dict[str, Person]) -> None:
    """The answer with a note alone: the urlencoded form of before still answers, the submission
    is not touched, and the trail has the answer only."""
    coordinator, folder = people["coordinator"], asked.folder
    text = (folder / "submission.yaml").read_bytes()
    page = coordinator.get(f"{PAGE}/journey").text
    csrf = re.search(r'name="csrf" value="([^"]+)"', page).group(1)  # type: ignore[union-attr]
    sent = coordinator.client.post(
        f"{PAGE}/requests", data={"csrf": csrf, "criterion": "diversity.2", "note": NOTE}
    )
    assert sent.status_code == 303
    assert coordinator.get(f"{API}/state").json()["requests"][0]["note"] == NOTE
    assert (folder / "submission.yaml").read_bytes() == text
    assert [e["what"] for e in trail(coordinator)] == [audit.REQUEST_ANSWERED]
    elsewhere = coordinator.client.post(
        f"{PAGE}/requests", data={"csrf": csrf, "criterion": "aims.1", "note": "Not asked."}
    )
    assert elsewhere.status_code == 409 and "no request for evidence on &#39;aims.1&#39;" in elsewhere.text


def test_a_file_stored_but_not_saved_is_listed_as_stored_and_added_when_sent_again(
    asked: JourneySite, people: dict[str, Person], monkeypatch: pytest.MonkeyPatch
) -> None:
    """ "Nothing is lost": the submission changes on disk while the file is stored (a colleague's
    save at that moment), so the save is refused as stale (409) and the file is left as it is. The
    page says the file is stored but not in the submission, and its form lists it as stored
    (as the programme page's form does); sent again, the same file is added, not stored twice."""
    coordinator, folder = people["coordinator"], asked.folder
    store = files.save_upload

    def colleague_saves_meanwhile(*args: Any, **kwargs: Any) -> Path:
        path = folder / "submission.yaml"
        path.write_text(path.read_text(encoding="utf-8") + "# a colleague's note\n", encoding="utf-8")
        return store(*args, **kwargs)

    monkeypatch.setattr(files, "save_upload", colleague_saves_meanwhile)
    stale = coordinator.answer("diversity.2", NOTE, ("participant-profile.csv", PROFILE), title="Profile")
    monkeypatch.setattr(files, "save_upload", store)
    assert stale.status_code == 409
    said = html.unescape(stale.text)
    assert "the submission changed on disk since it was read" in said
    assert (
        "evidence/participant-profile.csv is stored in the programme's evidence folder but not in the submission"
        in said
    )
    form = answer_form(stale.text, "diversity.2")
    assert 'name="stored" value="evidence/participant-profile.csv"' in form
    assert (
        "Stored; not in the submission until you answer" in form
        and NOTE in form
        and 'value="Profile"' in form
    )
    assert "evidence/participant-profile.csv" not in str(claim(folder))
    assert "# a colleague's note" in (folder / "submission.yaml").read_text(encoding="utf-8")
    assert [e["what"] for e in trail(coordinator)] == [
        audit.EVIDENCE_ADDED
    ]  # the stale save recorded nothing
    too_big = coordinator.answer("diversity.2", NOTE, ("more.csv", b"x" * (LIMIT + 1)), page=stale.text)
    assert too_big.status_code == 413  # refused before anything is written; the stored file stays listed
    assert 'name="stored" value="evidence/participant-profile.csv"' in answer_form(
        too_big.text, "diversity.2"
    )
    # the form that came back, sent again
    again = coordinator.answer("diversity.2", NOTE, page=too_big.text, title="Profile")
    assert again.status_code == 303, again.text
    assert claim(folder)[-1] == {"title": "Profile", "file": "evidence/participant-profile.csv"}
    assert sorted(n for n in evidence_names(folder) if n.startswith("participant")) == [
        "participant-profile.csv"
    ]
    assert [e["what"] for e in trail(coordinator)] == list(TRAIL)


def test_a_file_added_whose_answer_is_refused_says_so(
    asked: JourneySite, people: dict[str, Person], monkeypatch: pytest.MonkeyPatch
) -> None:
    """Two steps at once are made one after the other and the second is refused in words (409): a
    resubmission goes in while the file is being added, so the answer is refused; the page says
    the file is stored and added to the submission, but the answer was not recorded."""
    coordinator, folder = people["coordinator"], asked.folder
    check = answering.check_document
    calls: list[int] = []

    def resubmitted_meanwhile(*args: Any, **kwargs: Any) -> Any:
        calls.append(1)
        if len(calls) == 2:  # after the file is stored, before it is saved into the submission
            journey.move(asked.site, asked.person("coordinator"), PROGRAMME, "resubmitted")
        return check(*args, **kwargs)

    monkeypatch.setattr(answering, "check_document", resubmitted_meanwhile)
    late = coordinator.answer("diversity.2", NOTE, ("participant-profile.csv", PROFILE))
    assert late.status_code == 409
    said = html.unescape(late.text)
    assert (
        "evidence/participant-profile.csv is stored and added to the submission, but the answer was not "
        "recorded: no evidence is requested of this programme now." in said
    )
    assert claim(folder)[-1]["file"] == "evidence/participant-profile.csv"
    assert [e["what"] for e in trail(coordinator)] == [audit.EVIDENCE_ADDED, audit.SUBMISSION_SAVED]


def test_the_json_twin_takes_the_answer_with_files_as_multipart(
    asked: JourneySite, people: dict[str, Person]
) -> None:
    """The JSON contract stays: ``{"criterion", "note"}`` answers with the state as before; the
    same fields as multipart, with ``file``, answer with the state and ``evidence`` (each file as
    ``POST .../evidence`` names it); a refusal is ``{"error"}`` with what it left (``stored``,
    ``added``)."""
    coordinator, folder = people["coordinator"], asked.folder
    headers = {"X-CSRF-Token": coordinator.token}
    too_big = coordinator.client.post(
        f"{API}/requests",
        data={"criterion": "diversity.2", "note": NOTE},
        files=[("file", ("big.csv", b"x" * (LIMIT + 1), "text/csv"))],
        headers=headers,
    )
    assert too_big.status_code == 413
    assert too_big.json()["stored"] == [] and too_big.json()["added"] is False
    assert "big.csv is larger than" in too_big.json()["error"]
    sent = coordinator.client.post(
        f"{API}/requests",
        data={"criterion": "diversity.2", "note": NOTE, "title": "Profile"},
        files=[("file", ("participant-profile.csv", PROFILE, "text/csv"))],
        headers=headers,
    )
    assert sent.status_code == 200, sent.text
    answer = sent.json()
    assert set(answer) == {"state", "since", "snapshot_sha256", "requests", "evidence"}
    assert answer["evidence"] == [
        {"file": "evidence/participant-profile.csv", "sha256": sha256(PROFILE), "size": len(PROFILE)}
    ]
    assert answer["requests"][0]["answered"] is True
    assert claim(folder)[-1] == {"title": "Profile", "file": "evidence/participant-profile.csv"}
    plain = coordinator.client.post(
        f"{API}/requests", json={"criterion": "aims.1", "note": NOTE}, headers=headers
    )
    assert plain.status_code == 409 and set(plain.json()) == {"error"}  # as before: no request on aims.1
    again = coordinator.client.post(
        f"{API}/requests", json={"criterion": "diversity.2", "note": "The note, mended."}, headers=headers
    )
    assert again.status_code == 200 and set(again.json()) == {"state", "since", "snapshot_sha256", "requests"}
    assert again.json()["requests"][0]["note"] == "The note, mended."


def test_a_hostile_answer_writes_nothing_outside_and_cites_nothing_it_should_not(
    asked: JourneySite, people: dict[str, Person], tmp_path: Path
) -> None:
    """The trust boundary: "nums never reads outside the workspace", "nothing is saved through a
    link". A ``stored`` field naming anything but a plain file nums stored in the programme's
    evidence/ is refused (422/409) and nothing is cited; an evidence/ folder that is a link out of
    the programme is refused by name (409) and nothing is written where it leads."""
    coordinator, folder = people["coordinator"], asked.folder
    text = (folder / "submission.yaml").read_bytes()
    for name in ("evidence/../submission.yaml", "evidence/.nums", "/etc/passwd", "review.yaml"):
        hostile = coordinator.answer("diversity.2", NOTE, stored=[name])
        assert hostile.status_code == 422, (name, hostile.status_code)
        assert "is not a file stored in the programme&#39;s evidence folder" in hostile.text
    outside = tmp_path / "outside"
    outside.mkdir()
    (outside / "secret.csv").write_text("not the programme's\n", encoding="utf-8")
    (folder / "evidence" / "secret.csv").symlink_to(outside / "secret.csv")
    linked = coordinator.answer("diversity.2", NOTE, stored=["evidence/secret.csv"])
    assert linked.status_code == 409 and "is not a file in the programme's evidence folder" in html.unescape(
        linked.text
    )
    shutil.move(folder / "evidence", tmp_path / "evidence-elsewhere")
    (folder / "evidence").symlink_to(outside, target_is_directory=True)
    out = coordinator.answer("diversity.2", NOTE, ("profile.csv", PROFILE))
    assert out.status_code == 409
    assert "evidence is a link that leads out of the programme&#39;s folder; nothing was stored" in out.text
    assert sorted(p.name for p in outside.iterdir()) == ["secret.csv"]
    assert (folder / "submission.yaml").read_bytes() == text and trail(coordinator) == []
    assert coordinator.get(f"{API}/state").json()["requests"][0]["answered"] is False
