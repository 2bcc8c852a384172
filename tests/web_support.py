"""A test client on a copy of the examples workspace, with the app `nums serve` runs."""

from __future__ import annotations

import re
import shutil
from html.parser import HTMLParser
from pathlib import Path
from typing import Any

from starlette.testclient import TestClient

from nums.web.app import create_app
from nums.web.security import Guard, allowed_hosts
from nums.workspace import Workspace
from tests.conftest import EXAMPLES

TOKEN = "test-token-0123456789abcdef0123456789"
BASE_URL = "http://127.0.0.1:8765"


def copy_examples(tmp_path: Path) -> Path:
    root = tmp_path / "ws"
    shutil.copytree(EXAMPLES, root)
    return root


def client_for(
    root: Path, max_upload: int = 25 * 1024 * 1024, cookie: bool = True
) -> tuple[TestClient, Guard]:
    guard = Guard(TOKEN, allowed_hosts("127.0.0.1", 8765), max_upload)
    client = TestClient(create_app(Workspace(root), guard), base_url=BASE_URL, follow_redirects=False)
    if cookie:
        client.cookies.set(guard.cookie_name, TOKEN)
    return client, guard


def bearer() -> dict[str, str]:
    return {"Authorization": f"Bearer {TOKEN}"}


class FormReader(HTMLParser):
    """The fields a browser would post from a page's form (no files, checked boxes only)."""

    def __init__(self, form_id: str = "programme-form") -> None:
        super().__init__()
        self.form_id = form_id
        self.inside = False
        self.fields: list[tuple[str, str]] = []
        self._textarea: str | None = None
        self._select: str | None = None

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        a = {k: v or "" for k, v in attrs}
        if tag == "form":
            self.inside = a.get("id") == self.form_id
        if not self.inside:
            return
        name = a.get("name")
        if tag == "input" and name and a.get("type") not in {"file", "checkbox", "radio", "submit"}:
            self.fields.append((name, a.get("value", "")))
        elif tag == "input" and name and a.get("type") in {"checkbox", "radio"} and "checked" in a:
            self.fields.append((name, a.get("value", "on")))
        elif tag == "textarea" and name:
            self._textarea = name
            self.fields.append((name, ""))
        elif tag == "select" and name:
            self._select = name
        elif tag == "option" and self._select and "selected" in a:
            self.fields.append((self._select, a.get("value", "")))

    def handle_endtag(self, tag: str) -> None:
        if tag == "form":
            self.inside = False
        elif tag == "textarea":
            self._textarea = None
        elif tag == "select":
            self._select = None

    def handle_data(self, data: str) -> None:
        if self._textarea:
            name, value = self.fields[-1]
            self.fields[-1] = (name, value + data)


def form_fields(html: str) -> dict[str, Any]:
    reader = FormReader()
    reader.feed(html)
    return dict(reader.fields)


def awardable_on(html: str) -> str:
    found = re.search(r'id="awardable">([^<]*)<', html)
    assert found, html[:2000]
    return found.group(1)
