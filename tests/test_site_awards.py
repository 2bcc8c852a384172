"""Issue 24 on the site: "On the site, this happens when an application is decided"; the site's
key pair and issuing folder (made by `nums site init`, kept by backup and restore); an admin's
withdrawal "updates the status list"."""

from __future__ import annotations

import json
import shutil
import stat
from datetime import date
from pathlib import Path

import pytest
from click.testing import CliRunner

from nums.awards.verify import load_register, verify
from nums.cli import cli
from nums.errors import NumsError
from nums.site.awards import issue_for_site, issuing_folder, withdraw_for_site
from nums.site.folder import OpenSite, open_site
from tests.awardkit import PEER, final_review, refusing_review
from tests.site_support import LONG_ENOUGH

ADDRESS = "https://accreditation.example.org"


def make_site(folder: Path) -> OpenSite:
    result = CliRunner().invoke(
        cli,
        ["site", "init", str(folder), "--admin-email", "admin@scheme.org", "--address", ADDRESS],
        input=LONG_ENOUGH + "\n",
    )
    assert result.exit_code == 0, result.output
    return open_site(folder)


def peer_programme(site: OpenSite) -> Path:
    """The peer example as a programme of the site's workspace."""
    target = site.workspace / "harbourside" / "peer-mentoring"
    shutil.copytree(PEER, target)
    (target / "review.yaml").unlink()
    return target


@pytest.fixture()
def site(tmp_path: Path) -> OpenSite:
    return make_site(tmp_path / "site")


def test_init_makes_the_sites_key_pair_and_issuing_folder(site: OpenSite) -> None:
    """The private key readable by its owner only; the issuing folder DIR/awards/."""
    private = site.folder / "keys" / "private-key.pem"
    assert stat.S_IMODE(private.stat().st_mode) == 0o600
    assert stat.S_IMODE((site.folder / "keys").stat().st_mode) == 0o700
    assert json.loads((site.folder / "keys" / "jwks.json").read_text())["keys"]
    published = site.folder / "awards" / "jwks.json"  # the register shows the key from the first day
    assert [p.name for p in (site.folder / "awards").iterdir()] == ["jwks.json"]
    assert published.read_text() == (site.folder / "keys" / "jwks.json").read_text()


def test_a_decision_issues_the_award_into_the_site(site: OpenSite, tmp_path: Path) -> None:
    programme = peer_programme(site)
    award = issue_for_site(site, programme / "submission.yaml", final_review(tmp_path))
    assert (award.level, award.valid_from, award.valid_until) == (
        "silver",
        date(2026, 3, 20),
        date(2027, 3, 19),
    )
    assert award.page == f"{ADDRESS}/register/awards/{award.number}.html"
    assert award.folder.parent.parent == issuing_folder(site)
    verdict = verify(award.path("logo_svg"), load_register(str(issuing_folder(site))), date(2026, 6, 1))
    assert verdict.status == "valid" and verdict.facts is not None and verdict.facts.number == award.number


def test_the_site_refuses_in_words_and_writes_nothing(site: OpenSite, tmp_path: Path) -> None:
    """A review that makes no award, and the same award a second time."""
    programme = peer_programme(site)
    with pytest.raises(NumsError, match="final outcome is no award, so there is no award to issue"):
        issue_for_site(site, programme / "submission.yaml", refusing_review(tmp_path))
    assert [p.name for p in issuing_folder(site).iterdir()] == ["jwks.json"]
    award = issue_for_site(site, programme / "submission.yaml", final_review(tmp_path))
    before = sorted(issuing_folder(site).rglob("*"))
    with pytest.raises(NumsError, match=f"this award is already issued: .* holds certificate {award.number}"):
        issue_for_site(site, programme / "submission.yaml", final_review(tmp_path))
    assert sorted(issuing_folder(site).rglob("*")) == before


def test_an_admins_withdrawal_updates_the_status_list_at_once(site: OpenSite, tmp_path: Path) -> None:
    programme = peer_programme(site)
    award = issue_for_site(site, programme / "submission.yaml", final_review(tmp_path))
    withdraw_for_site(site, award.number, "The programme closed.", date(2026, 9, 1))
    verdict = verify(award.path("logo_png"), load_register(str(issuing_folder(site))), date(2026, 9, 2))
    assert verdict.status == "withdrawn" and verdict.withdrawal is not None
    assert verdict.withdrawal.reason == "The programme closed."


def test_a_site_without_keys_says_how_to_make_them(site: OpenSite, tmp_path: Path) -> None:
    programme = peer_programme(site)
    shutil.rmtree(site.folder / "keys")
    with pytest.raises(NumsError, match="the site has no signing key") as refused:
        issue_for_site(site, programme / "submission.yaml", final_review(tmp_path))
    assert "nums keys init" in str(refused.value.problems[0].suggestion)


def test_backup_and_restore_keep_the_keys_and_the_awards(site: OpenSite, tmp_path: Path) -> None:
    """The restored site's private key is its owner's only; its awards still verify, and it can
    go on withdrawing with the same key."""
    programme = peer_programme(site)
    award = issue_for_site(site, programme / "submission.yaml", final_review(tmp_path))
    archive = tmp_path / "site.tgz"
    runner = CliRunner()
    assert runner.invoke(cli, ["site", "backup", str(site.folder), str(archive)]).exit_code == 0
    restored = tmp_path / "restored"
    result = runner.invoke(cli, ["site", "restore", str(archive), str(restored)])
    assert result.exit_code == 0, result.output
    assert stat.S_IMODE((restored / "keys" / "private-key.pem").stat().st_mode) == 0o600
    again = open_site(restored)
    logo = restored / "awards" / "awards" / award.number / "logo.svg"
    assert verify(logo, load_register(str(issuing_folder(again))), date(2026, 6, 1)).status == "valid"
    withdraw_for_site(again, award.number, "Closed.", date(2026, 9, 1))
    assert verify(logo, load_register(str(issuing_folder(again))), date(2026, 9, 2)).status == "withdrawn"
