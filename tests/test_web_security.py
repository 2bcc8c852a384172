"""The local server's refusals: "a local server is still a server" (issue 13)."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.web_support import TOKEN, bearer, client_for, copy_examples


@pytest.fixture()
def root(tmp_path: Path) -> Path:
    return copy_examples(tmp_path)


@pytest.mark.parametrize("path", ["/", "/p/peer-mentoring", "/api/programmes", "/static/app.css"])
def test_every_request_needs_the_token(root: Path, path: str) -> None:
    """ "Without it: 401 or 403 and nothing else.\""""
    client, _ = client_for(root, cookie=False)
    response = client.get(path)
    assert response.status_code == 401
    assert "Peer" not in response.text and "body" not in response.text
    assert client.get(path, headers={"Authorization": "Bearer wrong"}).status_code == 401
    client.cookies.set("nums_token", "wrong")
    assert client.get(path).status_code == 401


def test_the_token_in_the_address_becomes_a_strict_cookie_and_leaves_the_address(root: Path) -> None:
    """ "from the address once (then an HttpOnly, SameSite=Strict cookie, and a redirect that drops it)"."""
    client, guard = client_for(root, cookie=False)
    response = client.get(f"/p/peer-mentoring?token={TOKEN}&x=1")
    assert response.status_code == 303
    assert response.headers["location"] == "/p/peer-mentoring?x=1"
    cookie = response.headers["set-cookie"]
    assert f"{guard.cookie_name}={TOKEN}" in cookie and "HttpOnly" in cookie and "SameSite=Strict" in cookie
    assert client.get("/p/peer-mentoring").status_code == 200
    assert client_for(root, cookie=False)[0].get("/?token=nope").status_code == 401


def test_a_bearer_token_works_without_a_cookie_or_csrf(root: Path) -> None:
    client, _ = client_for(root, cookie=False)
    assert client.get("/api/programmes", headers=bearer()).status_code == 200
    created = client.post("/api/programmes", json={"folder": "new-one"}, headers=bearer())
    assert created.status_code == 201


@pytest.mark.parametrize("host", ["evil.example:8765", "127.0.0.1:9999", "localhost.evil.example:8765", ""])
def test_the_host_header_must_name_the_served_address(root: Path, host: str) -> None:
    """ "The Host header must name the address being served (defeats DNS rebinding)\"."""
    client, _ = client_for(root)
    response = client.get("/api/programmes", headers={"Host": host, **bearer()})
    assert 400 <= response.status_code < 500
    assert "peer" not in response.text
    assert client.get("/api/programmes", headers={"Host": "localhost:8765"}).status_code == 200


def test_cookie_writes_need_the_csrf_token(root: Path) -> None:
    """ "Requests that change anything need a CSRF token ... a cross-site form post is refused.\""""
    client, guard = client_for(root)
    assert client.post("/new", data={"folder": "x1"}).status_code == 403
    assert client.post("/new?csrf=wrong", data={"folder": "x1"}).status_code == 403
    assert client.post("/api/programmes", json={"folder": "x1"}).status_code == 403
    assert not (root / "x1").exists()
    cross_site = client.post(
        f"/new?csrf={guard.csrf}", data={"folder": "x2"}, headers={"Origin": "https://evil.example"}
    )
    assert cross_site.status_code == 403 and not (root / "x2").exists()
    fetched = client.post(
        f"/new?csrf={guard.csrf}", data={"folder": "x2"}, headers={"Sec-Fetch-Site": "cross-site"}
    )
    assert fetched.status_code == 403 and not (root / "x2").exists()
    # under Referrer-Policy: no-referrer a browser's own form post says Origin: null
    own = client.post(f"/new?csrf={guard.csrf}", data={"folder": "x5"}, headers={"Origin": "null"})
    assert own.status_code == 303
    assert client.post(f"/new?csrf={guard.csrf}", data={"folder": "x3"}).status_code == 303
    header = client.post("/api/programmes", json={"folder": "x4"}, headers={"X-CSRF-Token": guard.csrf})
    assert header.status_code == 201


def test_pages_send_a_strict_content_security_policy(root: Path) -> None:
    """ "Every HTML page sends a Content-Security-Policy with no inline script, frame-ancestors 'none',
    and Referrer-Policy: no-referrer.\""""
    client, _ = client_for(root)
    for path in ("/", "/p/peer-mentoring", "/p/no-such"):
        response = client.get(path)
        csp = response.headers["content-security-policy"]
        assert "script-src 'self'" in csp and "unsafe-inline" not in csp and "frame-ancestors 'none'" in csp
        assert response.headers["referrer-policy"] == "no-referrer"
        assert response.headers["x-content-type-options"] == "nosniff"
        assert "<script>" not in response.text and " on" + "click=" not in response.text


@pytest.mark.parametrize(
    "path",
    [
        "/p/..%2F..%2Fetc",
        "/p/%2Fetc/passwd",
        "/p/peer-mentoring%2F..%2F..%2Fsecret",
        "/api/programmes/..%2Fws/submission",
        "/api/programmes/%2e%2e/submission",
        "/api/programmes/peer-mentoring/files/..%2F..%2Fsecret.txt",
        "/api/programmes/peer-mentoring/files/%2e%2e/%2e%2e/secret.txt",
        "/api/programmes/peer-mentoring/files/.nums/history",
        "/p/peer-mentoring/files//etc/passwd",
        "/api/programmes/no-such/submission",
    ],
)
def test_traversal_ids_and_file_names_are_404(root: Path, path: str) -> None:
    """ "Ids with .., absolute paths or encoded separators are 404.\""""
    (root.parent / "secret.txt").write_text("secret")
    client, _ = client_for(root)
    response = client.get(path)
    assert response.status_code == 404
    assert "secret" not in response.text


def test_evidence_is_served_only_as_a_download(root: Path) -> None:
    """ "an uploaded HTML file cannot run in the app's origin\"."""
    client, _ = client_for(root)
    response = client.get("/api/programmes/academic-mentoring/files/evidence/web-page-capture.html")
    assert response.status_code == 200
    assert response.headers["content-disposition"].startswith("attachment")
    assert response.headers["x-content-type-options"] == "nosniff"
    assert "html" not in response.headers["content-type"]


def test_an_oversize_upload_is_413_and_writes_nothing(root: Path) -> None:
    """ "a larger one gets 413 and writes nothing\"."""
    client, _ = client_for(root, max_upload=1000)
    before = sorted((root / "peer-mentoring" / "evidence").iterdir())
    too_big = client.post(
        "/api/programmes/peer-mentoring/evidence", files={"file": ("big.pdf", b"x" * 1001)}, headers=bearer()
    )
    assert too_big.status_code == 413
    huge = client.post(
        "/api/programmes/peer-mentoring/evidence",
        files={"file": ("huge.pdf", b"x" * (2 * 1024 * 1024))},
        headers=bearer(),
    )
    assert huge.status_code == 413
    assert sorted((root / "peer-mentoring" / "evidence").iterdir()) == before
    fits = client.post(
        "/api/programmes/peer-mentoring/evidence", files={"file": ("ok.pdf", b"x" * 1000)}, headers=bearer()
    )
    assert fits.status_code == 201
