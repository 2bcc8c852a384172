"""The site's awards: its key pair, its issuing folder, issuing on decision, an admin's withdrawal.

A site folder holds::

    DIR/keys/private-key.pem, DIR/keys/jwks.json   the site's signing key (nums site init makes it)
    DIR/awards/                                   the issuing folder: records, status lists, key set

The awards stay files (no tables): the register at ``/register`` is built from ``DIR/awards/``
on request, by the same functions ``nums register`` writes its pages with. The register's public
address is the site's own (``[site] address`` + ``/register``), so every credential the site
issues names the site's register as the place to check it.

``issue_for_site`` is what the journey calls when an application is decided; ``withdraw_for_site``
is what the admin's page calls. Both are the CLI's functions (``issuing.issue``,
``issuing.withdraw_award``) with the site's key and folders filled in.
"""

from __future__ import annotations

from datetime import date
from pathlib import Path

from nums.awards.issuing import Issued, file_sha256, issue, refusal_for, withdraw_award
from nums.awards.keys import PRIVATE_KEY_FILE, load_signing_key
from nums.awards.settings import award_settings
from nums.awards.status import Withdrawal
from nums.errors import NumsError, Problem
from nums.outcome import Outcome
from nums.site import AWARDS_FOLDER, KEYS_FOLDER
from nums.site.folder import OpenSite

REGISTER_PATH = "/register"
SiteAward = Issued
"""What ``issue_for_site`` returns: ``number``, ``level``, ``valid_from``, ``valid_until``,
``page`` (the award's public address), ``folder`` (its files), ``facts`` (everything)."""


def keys_folder(site: OpenSite) -> Path:
    return site.folder / KEYS_FOLDER


def issuing_folder(site: OpenSite) -> Path:
    return site.folder / AWARDS_FOLDER


def register_address(site: OpenSite) -> str:
    return site.settings.site.address.rstrip("/") + REGISTER_PATH


def decided_outcome(submission_path: Path, review_path: Path) -> Outcome:
    """The outcome a review of a submission decides, computed as ``nums review`` computes it:
    the submission's own edition (an installed one, by its ``standard:``), the coordinator's
    evidence levels from ``assess``, the review checked as written for this submission."""
    from nums.edition_loading import load_edition
    from nums.editions import installed_edition_folder
    from nums.evaluation import assess
    from nums.outcome import review_outcome
    from nums.review import load_review
    from nums.submission import SUBMISSION_FILE, submission_from_document
    from nums.yamlsource import load_yaml

    doc = load_yaml(submission_path, kind=SUBMISSION_FILE)
    declared = doc.data.get("standard") if isinstance(doc.data, dict) else None
    edition = load_edition(installed_edition_folder(str(declared) if declared is not None else None))
    sub = submission_from_document(doc, edition, Path(submission_path))
    levels = {pillar_id: p.level for pillar_id, p in assess(edition, sub).pillars.items()}
    return review_outcome(edition, sub, load_review(review_path, edition, sub), levels)


def issue_for_site(site: OpenSite, submission_path: Path, review_path: Path) -> SiteAward:
    """Issue the award a final review makes, into the site's issuing folder, signed with the
    site's key: what happens "when an application is decided" (issue 24). Refused in words
    (``NumsError``), with nothing written, for a provisional review, a final one with no award,
    a review of another submission, or an award already issued."""
    outcome = decided_outcome(submission_path, review_path)
    return issue_outcome_for_site(site, outcome, file_sha256(review_path))


def issue_outcome_for_site(site: OpenSite, outcome: Outcome, review_sha256: str) -> SiteAward:
    """Issue the award of a decision's ``outcome`` (the review read against the snapshot, as the
    journey's decision read it), refused in words as ``issue_for_site`` is."""
    refusal = refusal_for(outcome)
    if refusal:
        raise NumsError(Problem(refusal, file=str(outcome.review.path)))
    settings = award_settings(outcome.edition, outcome.review.date, register_address(site))
    return issue(outcome, settings, _signing(site), issuing_folder(site), review_sha256)


def withdraw_for_site(site: OpenSite, number: str, reason: str, on: date, public: bool = True) -> Withdrawal:
    """Withdraw an award the site issued: both status lists say so from ``on``, at once."""
    return withdraw_award(issuing_folder(site), number, reason, on, public=public, signing=_signing(site))


def _signing(site: OpenSite):  # type: ignore[no-untyped-def]
    folder = keys_folder(site)
    if not (folder / PRIVATE_KEY_FILE).exists():
        raise NumsError(
            Problem(
                "the site has no signing key, so it cannot issue or withdraw awards",
                file=str(folder / PRIVATE_KEY_FILE),
                suggestion=f"make one with: nums keys init {folder}",
            )
        )
    return load_signing_key(folder)
