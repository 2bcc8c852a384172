"""A site for the journey's tests: a folder with settings, a migrated database (SQLite, and
PostgreSQL when NUMS_TEST_POSTGRES_URL is set, through site_support's ``engine``), five people of
the issue's roles, and Harbourside's peer-mentoring programme in the workspace.

A test module takes the fixtures it uses as its own names, as with site_support."""

from __future__ import annotations

import shutil
from dataclasses import dataclass
from pathlib import Path

import pytest
from sqlalchemy import Engine

from nums import policy
from nums.site import SECRET_FILE, WORKSPACE_FOLDER, accounts, sessions
from nums.site.folder import OpenSite
from nums.site.settings import read_settings, settings_template
from tests.conftest import EXAMPLES

INSTITUTION = "harbourside"
PROGRAMME = f"{INSTITUTION}/peer-mentoring"
OTHER = "northfield"

EMAILS = {
    "admin": "admin@scheme.example.org",
    "assessor": "assessor@scheme.example.org",
    "finance": "finance@scheme.example.org",
    "lead": "lead@harbourside.example.ac.uk",
    "coordinator": "coordinator@harbourside.example.ac.uk",
    # an assessor employed by the applicant's own institution: "never an assessor of the
    # applicant's institution"
    "home assessor": "assessor@harbourside.example.ac.uk",
    # a coordinator of another institution's programme
    "stranger": "coordinator@northfield.example.ac.uk",
}


@dataclass(frozen=True)
class JourneySite:
    site: OpenSite
    people: dict[str, policy.Person]

    @property
    def folder(self) -> Path:
        return self.site.workspace / INSTITUTION / "peer-mentoring"

    def person(self, who: str) -> policy.Person:
        return self.people[who]


def write_settings(folder: Path, mail_port: int | None = None, extra_site: str = "") -> None:
    text = settings_template("Mentoring Scheme", "https://nums.example.org", "admin@scheme.example.org")
    if extra_site:
        text = text.replace("[site]\n", f"[site]\n{extra_site}\n", 1)
    if mail_port is not None:
        text += f"""
[mail]
host = "127.0.0.1"
port = {mail_port}
security = "none"
from = "accreditation@scheme.example.org"
"""
    (folder / "site.toml").write_text(text, encoding="utf-8")


def make_site(
    folder: Path, engine: Engine, mail_port: int | None = None, extra_site: str = ""
) -> JourneySite:
    folder.mkdir(parents=True, exist_ok=True)
    write_settings(folder, mail_port, extra_site)
    if not (folder / SECRET_FILE).exists():
        sessions.make_secret(folder)  # the web app's CSRF tokens are made with it
    workspace = folder / WORKSPACE_FOLDER
    shutil.copytree(EXAMPLES / "peer-mentoring", workspace / INSTITUTION / "peer-mentoring")
    shutil.copytree(EXAMPLES / "online-peer-mentoring", workspace / OTHER / "online-peer-mentoring")
    site = OpenSite(folder, read_settings(folder), engine)
    people: dict[str, policy.Person] = {}
    with site.transaction() as db:
        accounts.add_institution(db, INSTITUTION, "Harbourside University")
        accounts.add_institution(db, OTHER, "Northfield University")
        grants = {
            "admin": (None, "admin", None),
            "assessor": (None, "assessor", None),
            "finance": (None, "finance", None),
            "lead": (INSTITUTION, "lead", None),
            "coordinator": (INSTITUTION, "coordinator", "peer-mentoring"),
            "home assessor": (INSTITUTION, "assessor", None),
            "stranger": (OTHER, "coordinator", "online-peer-mentoring"),
        }
        for who, (institution, role, programme) in grants.items():
            row = accounts.add_person(db, EMAILS[who], who.title(), None, institution)
            accounts.grant(db, row, role, programme)
            people[who] = accounts.as_policy_person(row)
    return JourneySite(site, people)


@pytest.fixture()
def journey(engine: Engine, tmp_path: Path) -> JourneySite:
    return make_site(tmp_path / "site", engine)


def final_review(folder: Path) -> None:
    """The example's review with its one more-evidence decision accepted: a final review."""
    path = folder / "review.yaml"
    text = path.read_text(encoding="utf-8")
    path.write_text(text.replace("decision: more-evidence", "decision: accepted"), encoding="utf-8")


def undeclared(folder: Path) -> None:
    """The submission without its declaration."""
    path = folder / "submission.yaml"
    lines = [
        line
        for line in path.read_text(encoding="utf-8").splitlines(True)
        if not line.startswith("declaration:")
    ]
    path.write_text("".join(lines), encoding="utf-8")
