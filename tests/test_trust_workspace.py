"""Issue 19, sections 2 and 9: 'Nothing outside the workspace is read or served' and 'The browser
loses nothing'.

The rules, as the person meets them:

- a file nums reads in a workspace (a submission, a review, a kept version, an upload's folder, an
  evidence file) that is a link leading out of the workspace is refused, with
  "is a link that leads outside the workspace, so nums does not read it"; what it points to never
  appears in any listing, page, API answer, portfolio or pack;
- a link that stays inside the workspace is followed for reading; nothing is ever saved through a
  link: "is a symbolic link, and nums never saves through a link; nothing was written";
- a file chosen under "Add evidence" is stored whichever button of the form is pressed;
- a received pack's page is read-only, and a post to it says why instead of "Not found";
- every redirect stays on the site.
"""

from __future__ import annotations

import asyncio
import json
import os
import re
import shutil
from pathlib import Path
from typing import Any
from urllib.parse import unquote, urlsplit

import pytest
from click.testing import CliRunner

from nums import boundary
from nums.boundary import LEADS_OUTSIDE, NOT_SAVED_THROUGH_LINK, OutsideWorkspace, read_inside
from nums.cli import cli
from nums.errors import NumsError
from nums.web.programme_pages import RECEIVED_READ_ONLY
from nums.workspace import Workspace
from tests.web_support import TOKEN, bearer, client_for, copy_examples, form_fields

SECRET = "SECRET-e3b0c44298fc-do-not-show"
SHOWN_LINK = "is a link that leads outside the workspace, so nums does not read it"
SHOWN_SAVE = "is a symbolic link, and nums never saves through a link; nothing was written"


@pytest.fixture()
def root(tmp_path: Path) -> Path:
    return copy_examples(tmp_path)


@pytest.fixture()
def outside(tmp_path: Path, root: Path) -> Path:
    """A folder beside the workspace holding files someone may link to: a valid submission whose
    programme name is the secret (so a reader that followed the link would show it), a review,
    and a password file."""
    folder = tmp_path / "elsewhere"
    folder.mkdir()
    text = (root / "peer-mentoring" / "submission.yaml").read_text(encoding="utf-8")
    (folder / "submission.yaml").write_text(
        text.replace("First-Year Peer Mentoring", SECRET), encoding="utf-8"
    )
    review = (root / "peer-mentoring" / "review.yaml").read_text(encoding="utf-8")
    (folder / "review.yaml").write_text(
        review.replace("reviewer:", f"# {SECRET}\nreviewer:"), encoding="utf-8"
    )
    (folder / "passwd").write_text(f"root:x:0:0:{SECRET}:/root:/bin/bash\n", encoding="utf-8")
    return folder


def link_programme(root: Path, outside: Path, name: str = "linked", target: str = "submission.yaml") -> Path:
    folder = root / name
    folder.mkdir()
    (folder / "submission.yaml").symlink_to(outside / target)
    return folder


def everything_shown(root: Path, ident: str) -> dict[str, Any]:
    """Every answer that lists, shows or serves a programme: pages, API, portfolio, packs."""
    client, _ = client_for(root)
    answers = {
        "home": client.get("/"),
        "page": client.get(f"/p/{ident}"),
        "review page": client.get(f"/p/{ident}/review"),
        "pack.pdf": client.get(f"/p/{ident}/pack.pdf"),
        "pack.html": client.get(f"/p/{ident}/pack.html"),
        "api list": client.get("/api/programmes", headers=bearer()),
        "api submission": client.get(f"/api/programmes/{ident}/submission", headers=bearer()),
        "api assessment": client.get(f"/api/programmes/{ident}/assessment", headers=bearer()),
        "api review": client.get(f"/api/programmes/{ident}/review", headers=bearer()),
        "api outcome": client.get(f"/api/programmes/{ident}/outcome", headers=bearer()),
        "api pack": client.get(f"/api/programmes/{ident}/pack.pdf", headers=bearer()),
        "portfolio.csv": client.get("/portfolio.csv"),
        "portfolio.ics": client.get("/portfolio.ics"),
        "quote": client.get(f"/quote?programme={ident}"),
    }
    runner = CliRunner()
    answers["cli portfolio --json"] = runner.invoke(cli, ["portfolio", str(root), "--json"])
    answers["cli portfolio --csv"] = runner.invoke(cli, ["portfolio", str(root), "--csv"])
    answers["cli portfolio"] = runner.invoke(cli, ["portfolio", str(root)])
    return answers


def text_of(answer: Any) -> str:
    return answer.output if hasattr(answer, "output") else answer.content.decode("utf-8", "replace")


# --- 2. nothing outside the workspace is read or served ---------------------------------------------


@pytest.mark.parametrize("target", ["submission.yaml", "passwd"])
def test_a_submission_linked_outside_is_refused_by_name_and_never_shown(
    root: Path, outside: Path, target: str
) -> None:
    """'A submission.yaml that is a symbolic link to a file outside the workspace ... is listed,
    served by the API, and shown whole on the programme page.' Now it is listed with the message,
    and what it points to appears in no answer at all."""
    link_programme(root, outside, target=target)
    answers = everything_shown(root, "linked")
    for name, answer in answers.items():
        assert SECRET not in text_of(answer), name
    assert f"linked/submission.yaml: {SHOWN_LINK}" in answers["home"].text
    page = answers["page"]
    assert "This file is a link that leads outside the workspace" in page.text and SHOWN_LINK in page.text
    assert 'action="/p/linked/replace' not in page.text  # no "start again" over a link
    row = next(r for r in answers["api list"].json() if r["id"] == "linked")
    assert row["name"] is None and SHOWN_LINK in row["errors"][0]
    assert answers["api submission"].status_code == 422
    assert SHOWN_LINK in answers["api submission"].json()["errors"][0]["message"]
    assert answers["api pack"].status_code == 422 and answers["pack.pdf"].status_code == 422
    rows = json.loads(answers["cli portfolio --json"].output)["programmes"]
    linked = next(r for r in rows if r["id"] == "linked")
    assert linked["status"] == "invalid" and SHOWN_LINK in " ".join(linked["errors"])
    assert SHOWN_LINK in answers["cli portfolio --csv"].output


def test_a_save_into_a_programme_whose_submission_links_outside_is_refused(root: Path, outside: Path) -> None:
    """'A save must never follow a link out': 409 with the message, the typing kept, the file
    outside and the link left exactly as they were."""
    folder = link_programme(root, outside)
    before = (outside / "submission.yaml").read_bytes()
    client, guard = client_for(root)
    document = client.get("/api/programmes/peer-mentoring/submission", headers=bearer()).json()["submission"]
    for base in (None, boundary_sha(outside / "submission.yaml")):
        put = client.put(
            "/api/programmes/linked/submission",
            json={"base_sha256": base, "submission": document},
            headers=bearer(),
        )
        assert put.status_code == 409 and SHOWN_SAVE in put.json()["error"], put.json()
    fields = form_fields(client.get("/p/peer-mentoring").text)
    fields.update({"action": "save", "p0.name": "Typed before the refusal"})
    posted = client.post(f"/p/linked/save?csrf={guard.csrf}", data=fields)
    assert posted.status_code == 409 and SHOWN_SAVE in posted.text
    assert 'value="Typed before the refusal"' in posted.text  # the typing comes back with the reason
    fresh = client.post(f"/p/linked/replace?csrf={guard.csrf}", data={"confirm": "1", "base_sha256": ""})
    assert fresh.status_code == 409 and SHOWN_SAVE in fresh.text
    assert (outside / "submission.yaml").read_bytes() == before
    assert (folder / "submission.yaml").is_symlink()
    assert not (folder / ".nums").exists()  # nothing of the outside file was kept as a version
    assert SECRET not in posted.text + fresh.text + put.text


def boundary_sha(path: Path) -> str:
    import hashlib

    return hashlib.sha256(path.read_bytes()).hexdigest()


def test_a_review_linked_outside_is_refused_everywhere(root: Path, outside: Path) -> None:
    review = root / "peer-mentoring" / "review.yaml"
    review.unlink()
    review.symlink_to(outside / "review.yaml")
    before = (outside / "review.yaml").read_bytes()
    answers = everything_shown(root, "peer-mentoring")
    for name, answer in answers.items():
        assert SECRET not in text_of(answer), name
    assert f"peer-mentoring/review.yaml: {SHOWN_LINK}" in answers["home"].text
    assert SHOWN_LINK in answers["review page"].text
    assert answers["api review"].status_code == 422 and answers["api outcome"].status_code == 422
    assert SHOWN_LINK in answers["api review"].json()["errors"][0]["message"]
    client, guard = client_for(root)
    valid = {"reviewer": {"name": "A. Assessor"}, "date": "2026-04-01", "decisions": {}, "overrides": {}}
    put = client.put(
        "/api/programmes/peer-mentoring/review", json={"base_sha256": None, "review": valid}, headers=bearer()
    )
    assert put.status_code == 409 and SHOWN_SAVE in put.json()["error"], put.json()
    posted = client.post(
        f"/p/peer-mentoring/review/save?csrf={guard.csrf}",
        data={"reviewer.name": "Typed Reviewer", "date": "2026-04-01", "base_sha256": ""},
    )
    assert posted.status_code == 409 and SHOWN_SAVE in posted.text
    assert 'value="Typed Reviewer"' in posted.text
    assert (outside / "review.yaml").read_bytes() == before and review.is_symlink()


def test_a_link_inside_the_workspace_is_read_but_never_saved_through(root: Path) -> None:
    """Decided: a link that stays inside the workspace is followed for reading (git keeps such
    links on purpose); a save never replaces a link, inside or out."""
    alias = root / "alias"
    alias.mkdir()
    (alias / "submission.yaml").symlink_to(Path("..") / "peer-mentoring" / "submission.yaml")
    target = root / "peer-mentoring" / "submission.yaml"
    before = target.read_bytes()
    client, _ = client_for(root)
    assert "First-Year Peer Mentoring" in client.get("/p/alias").text
    got = client.get("/api/programmes/alias/submission", headers=bearer()).json()
    put = client.put(
        "/api/programmes/alias/submission",
        json={"base_sha256": got["sha256"], "submission": got["submission"]},
        headers=bearer(),
    )
    assert put.status_code == 409 and f"alias/submission.yaml: {SHOWN_SAVE}" in put.json()["error"]
    assert target.read_bytes() == before and (alias / "submission.yaml").is_symlink()


def test_linked_programme_folders_are_no_programmes(root: Path, outside: Path, tmp_path: Path) -> None:
    """A programme folder that is a link, or a folder above one that leads out, names no programme:
    not listed, and its address is 404 (as evidence and folders were already)."""
    group = tmp_path / "group-elsewhere" / "prog"
    group.mkdir(parents=True)
    shutil.copy(outside / "submission.yaml", group / "submission.yaml")
    (root / "linked-folder").symlink_to(outside, target_is_directory=True)
    (root / "group").symlink_to(group.parent, target_is_directory=True)
    ids = [place.id for place in Workspace(root).programmes()]
    assert not any(i.startswith(("linked-folder", "group")) for i in ids)
    client, _ = client_for(root)
    for ident in ("linked-folder", "group/prog"):
        assert client.get(f"/p/{ident}").status_code == 404
        assert client.get(f"/api/programmes/{ident}/submission", headers=bearer()).status_code == 404
    for name, answer in everything_shown(root, "group/prog").items():
        assert SECRET not in text_of(answer), name


def test_kept_versions_that_are_links_are_never_offered_or_restored(root: Path, outside: Path) -> None:
    folder = root / "peer-mentoring"
    history = folder / ".nums" / "history"
    history.mkdir(parents=True)
    planted = "20260101T000000000000Z-0123456789ab.yaml"
    (history / planted).symlink_to(outside / "submission.yaml")
    client, guard = client_for(root)
    page = client.get("/p/peer-mentoring").text
    assert planted not in page and SECRET not in page
    sha = client.get("/api/programmes/peer-mentoring/submission", headers=bearer()).json()["sha256"]
    restored = client.post(
        f"/p/peer-mentoring/restore?csrf={guard.csrf}", data={"version": planted, "base_sha256": sha}
    )
    assert restored.status_code == 409 and "is a link, and nums reads no link here" in restored.text
    assert SECRET not in (folder / "submission.yaml").read_text(encoding="utf-8") + restored.text


def test_a_history_or_evidence_folder_that_leads_out_is_never_written_into(
    root: Path, outside: Path, tmp_path: Path
) -> None:
    """A save keeps the version it replaces under .nums/history, and an upload goes into evidence/:
    through a link, either would write outside the workspace. Both are refused by name."""
    away = tmp_path / "away"
    away.mkdir()
    folder = root / "peer-mentoring"
    (folder / ".nums").symlink_to(away, target_is_directory=True)
    client, guard = client_for(root)
    fields = form_fields(client.get("/p/peer-mentoring").text)
    fields.update({"action": "save", "p0.purpose": "typed, and kept on refusal"})
    saved = client.post(f"/p/peer-mentoring/save?csrf={guard.csrf}", data=fields)
    assert saved.status_code == 409 and "is a link, and nums writes into no linked folder" in saved.text
    assert "typed, and kept on refusal" in saved.text
    assert list(away.iterdir()) == []
    (folder / ".nums").unlink()
    shutil.rmtree(folder / "evidence")
    (folder / "evidence").symlink_to(away, target_is_directory=True)
    api = client.post(
        "/api/programmes/peer-mentoring/evidence", files={"file": ("x.txt", b"x")}, headers=bearer()
    )
    assert api.status_code == 409 and "leads out of the programme's folder; nothing was stored" in api.text
    fields = form_fields(client.get("/p/peer-mentoring").text)
    fields.update({"action": "save", "p0.purpose": "typed with an upload"})
    form = client.post(
        f"/p/peer-mentoring/save?csrf={guard.csrf}",
        data=fields,
        files={"c.aims.1.upload": ("a.pdf", b"%PDF")},
    )
    assert form.status_code == 409 and "typed with an upload" in form.text
    assert list(away.iterdir()) == []


def test_evidence_linked_outside_is_neither_served_nor_packed(
    root: Path, outside: Path, tmp_path: Path
) -> None:
    folder = root / "peer-mentoring"
    (folder / "evidence" / "leak.txt").symlink_to(outside / "passwd")
    client, _ = client_for(root)
    got = client.get("/api/programmes/peer-mentoring/submission", headers=bearer()).json()
    got["submission"]["criteria"]["aims.1"]["evidence"].append({"title": "Leak", "file": "evidence/leak.txt"})
    put = client.put(
        "/api/programmes/peer-mentoring/submission",
        json={"base_sha256": got["sha256"], "submission": got["submission"]},
        headers=bearer(),
    )
    assert put.status_code == 200, put.json()
    page = client.get("/p/peer-mentoring").text
    assert "the file is outside the submission&#39;s folder, so it does not count" in page
    assert SECRET not in page
    assert client.get("/p/peer-mentoring/files/evidence/leak.txt").status_code == 404
    assert (
        client.get("/api/programmes/peer-mentoring/files/evidence/leak.txt", headers=bearer()).status_code
        == 404
    )
    from nums.packfile import pack_attachments

    target = tmp_path / "pack.pdf"
    result = CliRunner().invoke(
        cli, ["pack", str(folder / "submission.yaml"), "-o", str(target), "--attach-evidence"]
    )
    assert result.exit_code == 0, result.output
    assert not any("leak" in name for name in pack_attachments(target))
    assert SECRET.encode() not in target.read_bytes()


def test_read_inside_refuses_a_folder_swapped_for_a_link_after_the_check(
    tmp_path: Path, outside: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The race: the path is checked, then a folder on it becomes a link leading out before the
    open. The open walks down from the workspace following no link, so it refuses, never reads."""
    root = tmp_path / "space"
    (root / "prog").mkdir(parents=True)
    (root / "prog" / "submission.yaml").write_text("programme: {}\n", encoding="utf-8")
    checked = os.path.realpath(root / "prog" / "submission.yaml")
    shutil.rmtree(root / "prog")
    (root / "prog").symlink_to(outside, target_is_directory=True)
    real = os.path.realpath
    monkeypatch.setattr(
        boundary.os.path, "realpath", lambda p: checked if str(p).endswith("yaml") else real(p)
    )
    with pytest.raises(NumsError) as refused:
        read_inside(root / "prog" / "submission.yaml", root)
    assert "so nums does not read it" in str(refused.value) and SECRET not in str(refused.value)


def test_read_inside_names_the_link_and_reads_no_pipe(tmp_path: Path, outside: Path) -> None:
    root = tmp_path / "space"
    root.mkdir()
    (root / "out.yaml").symlink_to(outside / "passwd")
    with pytest.raises(OutsideWorkspace) as refused:
        read_inside(root / "out.yaml", root)
    assert str(refused.value) == f"{root / 'out.yaml'}: {LEADS_OUTSIDE} ({boundary.LEADS_OUTSIDE_HELP})"
    os.mkfifo(root / "pipe.yaml")
    with pytest.raises(OSError, match="not a regular file"):
        read_inside(root / "pipe.yaml", root)  # returns at once: a FIFO with no writer never blocks
    assert NOT_SAVED_THROUGH_LINK == SHOWN_SAVE


# --- 9. the browser loses nothing --------------------------------------------------------------------


def actions_of(html: str) -> list[str]:
    """One button of each kind on the programme form (add or remove a row), besides Save."""
    seen: dict[str, str] = {}
    for value in re.findall(r'name="action" value="([^"]+)"', html):
        seen.setdefault(value.split(":")[0], value)
    return [value for kind, value in seen.items() if kind not in {"save", "overwrite"}]


@pytest.mark.parametrize("programme", ["peer-mentoring", "department-combined"])
def test_a_chosen_file_is_stored_whichever_button_is_pressed(root: Path, programme: str) -> None:
    """'A file chosen under "Add evidence" is silently dropped when the coordinator then presses any
    other add or remove button before saving.' Every button of the form stores it, and the form that
    comes back holds it as an evidence row, marked as not yet saved."""
    client, guard = client_for(root)
    page = client.get(f"/p/{programme}").text
    actions = actions_of(page)
    assert {a.split(":")[0] for a in actions} >= {"add-programme", "add-award", "remove-evidence"}
    before = (root / programme / "submission.yaml").read_bytes()
    item = "aims.1"
    for number, action in enumerate(actions):
        fields = {**form_fields(page), "action": action}
        name = f"chosen {number}.pdf"
        answer = client.post(
            f"/p/{programme}/save?csrf={guard.csrf}",
            data=fields,
            files={f"c.{item}.upload": (name, b"%PDF-1.4 chosen")},
        )
        stored = f"evidence/chosen-{number}.pdf"
        assert answer.status_code == 200, (action, answer.text[:1500])
        assert (root / programme / stored).read_bytes() == b"%PDF-1.4 chosen", action
        assert f"Stored <code>{stored}</code> and added it to the form below." in answer.text
        kept = form_fields(answer.text)
        assert stored in kept.values(), action
        assert "Stored; not in the saved file until you save" in answer.text
    assert (root / programme / "submission.yaml").read_bytes() == before  # nothing saved by those buttons


def test_a_chosen_file_survives_two_buttons_and_is_saved(root: Path) -> None:
    client, guard = client_for(root)
    page = client.get("/p/peer-mentoring").text
    added = client.post(
        f"/p/peer-mentoring/save?csrf={guard.csrf}",
        data={**form_fields(page), "action": "add-award", "c.aims.2.new.title": "Welcome leaflet"},
        files={"c.aims.2.upload": ("welcome leaflet.pdf", b"%PDF-1.4 leaflet")},
    )
    history = int(form_fields(added.text)["history-count"])
    removed = client.post(
        f"/p/peer-mentoring/save?csrf={guard.csrf}",
        data={**form_fields(added.text), "action": f"remove-award:{history - 1}"},
    )
    saved = client.post(
        f"/p/peer-mentoring/save?csrf={guard.csrf}", data={**form_fields(removed.text), "action": "save"}
    )
    assert saved.status_code == 303, saved.text[:2000]
    text = (root / "peer-mentoring" / "submission.yaml").read_text(encoding="utf-8")
    assert '{title: "Welcome leaflet", file: "evidence/welcome-leaflet.pdf"}' in text
    assert "Stored; not in the saved file" not in client.get("/p/peer-mentoring").text


@pytest.fixture()
def received(root: Path, tmp_path: Path) -> str:
    target = tmp_path / "pack.pdf"
    made = CliRunner().invoke(
        cli,
        ["pack", str(root / "peer-mentoring" / "submission.yaml"), "-o", str(target), "--attach-evidence"],
    )
    assert made.exit_code == 0, made.output
    client, _ = client_for(root)
    got = client.post(
        "/api/packs", files={"file": ("sent.pdf", target.read_bytes(), "application/pdf")}, headers=bearer()
    )
    return got.json()["id"]


def test_a_received_packs_page_is_read_only_and_says_what_to_do(root: Path, received: str) -> None:
    """'A received pack's page looks editable; saving it leads to "Not found" and the typing is lost.'
    Its page has nothing to type into and no save; it says why, and what to do instead."""
    client, _ = client_for(root)
    page = client.get(f"/p/{received}").text
    main = page.split('<main id="main">', 1)[1]
    for control in ("<input", "<textarea", "<select", "<button", "<form"):
        assert control not in main, control
    assert "its submission is read-only here, as it was sent, so nothing on this page can be changed" in page
    assert "ask the applicant to send a new pack" in page and f'href="/p/{received}/review"' in page
    assert "First-Year Peer Mentoring" in page and "evidence/mentee-leaflet.md" in page


@pytest.mark.parametrize("rest", ["save", "restore", "replace"])
def test_a_post_to_a_received_pack_says_why_it_was_not_saved(root: Path, received: str, rest: str) -> None:
    client, guard = client_for(root)
    before = (root / received / "submission.yaml").read_bytes()
    answer = client.post(f"/p/{received}/{rest}?csrf={guard.csrf}", data={"p0.name": "typed", "confirm": "1"})
    assert answer.status_code == 409
    assert RECEIVED_READ_ONLY in answer.text and "Not found" not in answer.text
    assert (root / received / "submission.yaml").read_bytes() == before


def test_a_failed_save_comes_back_with_the_typing_and_the_reason(root: Path) -> None:
    """No post answers in a way that loses what was typed: a mistake (422), a change on disk (409)
    and a file too large (413) each show the form again with the typing and why."""
    client, guard = client_for(root, max_upload=1000)
    page = client.get("/p/peer-mentoring").text
    typed = "Typed by the coordinator, not to be lost"
    cases = {
        422: ({"p0.mentors": "lots"}, None),
        409: ({"base_sha256": "0" * 64}, None),
        413: ({}, {"c.aims.1.upload": ("big.pdf", b"x" * 1001)}),
    }
    for status, (changes, upload) in cases.items():
        fields = {**form_fields(page), "action": "save", "c.aims.1.statement": typed, **changes}
        answer = client.post(f"/p/peer-mentoring/save?csrf={guard.csrf}", data=fields, files=upload)
        assert answer.status_code == status
        assert typed in answer.text, status
    review = client.post(
        f"/p/peer-mentoring/review/save?csrf={guard.csrf}",
        data={"reviewer.name": "", "date": "not a date", "d.aims.1.comment": typed, "d.aims.1.decision": "x"},
    )
    assert review.status_code == 422 and typed in review.text


def test_an_upload_over_the_limit_is_stopped_in_the_page_before_sending(root: Path) -> None:
    """Over the limit a body is refused before it is read (a plain 413), so the page knows the limit
    and app.js stops such a form from being sent; tests/test_browser.py watches it happen."""
    client, _ = client_for(root, max_upload=1000)
    assert 'data-max-upload="1000"' in client.get("/p/peer-mentoring").text


# --- 9. redirects stay on the site -------------------------------------------------------------------

HOSTILE = [
    b"//evil.example/",
    b"/\\evil.example",
    b"/%2F%2Fevil.example",
    b"/%2f%2fevil.example",
    b"///evil",
    b"//evil.example/p/peer-mentoring",
    b"/%5Cevil.example",
    b"/\t/evil.example",
    b"/%09/evil.example",
    b"/./evil.example",
    b"//evil.example//",
    b"/http://evil.example/",
    b"//evil.example/quote/",
    b"//evil.example/static",
    b"/quote/",
    b"/static",
]


def raw_request(app: Any, raw: bytes, method: str = "GET", cookie: bool = True) -> tuple[int, str | None]:
    """One request with exactly this path (a test client would read ``//host`` as a host)."""
    path, _, query = raw.partition(b"?")
    headers = [(b"host", b"127.0.0.1:8765")]
    if cookie:
        headers.append((b"cookie", f"nums_token={TOKEN}".encode()))
    scope = {
        "type": "http",
        "asgi": {"version": "3.0"},
        "http_version": "1.1",
        "method": method,
        "scheme": "http",
        "path": unquote(path.decode("latin-1")),
        "raw_path": path,
        "query_string": query,
        "root_path": "",
        "headers": headers,
        "client": ("127.0.0.1", 40000),
        "server": ("127.0.0.1", 8765),
    }
    started: dict[str, Any] = {}

    async def receive() -> dict[str, Any]:
        return {"type": "http.request", "body": b"", "more_body": False}

    async def send(message: dict[str, Any]) -> None:
        if message["type"] == "http.response.start":
            started.update(message)

    asyncio.run(app(scope, receive, send))
    location = dict(started["headers"]).get(b"location")
    return started["status"], location.decode("latin-1") if location is not None else None


def assert_same_site(location: str) -> None:
    parts = urlsplit(location)
    assert not parts.scheme and not parts.netloc, location
    assert location.startswith("/") and not location.startswith(("//", "/\\")), location
    assert not re.search(r"[\x00-\x20\\]", location), location


@pytest.mark.parametrize("raw", HOSTILE)
def test_the_token_redirect_stays_on_the_site(root: Path, raw: bytes) -> None:
    """'GET //evil.example/?token=... redirects off the site.' It redirects to a path here."""
    client, _ = client_for(root, cookie=False)
    status, location = raw_request(client.app, raw + f"?token={TOKEN}&next=1".encode(), cookie=False)
    assert status in {303, 404}
    if location is not None:
        assert_same_site(location)
        assert location.endswith("?next=1")


@pytest.mark.parametrize("raw", HOSTILE)
def test_every_redirect_of_the_app_stays_on_the_site(root: Path, raw: bytes) -> None:
    client, _ = client_for(root)
    for method in ("GET", "POST", "HEAD"):
        _, location = raw_request(client.app, raw, method=method)
        if location is not None:
            assert_same_site(location)
    for suffix in (b"", b"/", b"/review/", b"/save"):
        _, location = raw_request(client.app, raw.rstrip(b"/") + b"/p/peer-mentoring" + suffix)
        if location is not None:
            assert_same_site(location)


def test_the_apps_own_redirects_are_same_site_paths(root: Path, received: str) -> None:
    """The redirects the pages answer with (after creating, saving, restoring, receiving a pack)."""
    client, guard = client_for(root)
    answers = [
        client.post(f"/new?csrf={guard.csrf}", data={"folder": "fresh"}),
        client.post(
            f"/p/peer-mentoring/save?csrf={guard.csrf}",
            data={**form_fields(client.get("/p/peer-mentoring").text), "action": "save"},
        ),
        client.get(f"/quote/?token={TOKEN}"),
        client.get("/quote/"),
    ]
    for answer in answers:
        assert answer.status_code in {303, 307}, answer.text[:500]
        assert_same_site(answer.headers["location"])


def test_a_pipe_planted_as_a_received_packs_marker_never_hangs_the_home_page(root: Path) -> None:
    """Every workspace file is read without blocking: a FIFO where nums keeps a received pack's note
    is skipped, and the home page answers."""
    import threading

    marker = root / "received" / "planted" / ".nums" / "received-pack"
    marker.parent.mkdir(parents=True)
    os.mkfifo(marker)
    (root / "sent.pdf").write_bytes(b"%PDF-1.4\n")
    client, _ = client_for(root)
    answers: list[int] = []
    worker = threading.Thread(target=lambda: answers.append(client.get("/").status_code), daemon=True)
    worker.start()
    worker.join(timeout=60)
    assert answers == [200]
