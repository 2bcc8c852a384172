"""What the site's people do (issue 22), as library functions on a real site folder, with mail
through a real SMTP server (aiosmtpd): "Registration as the standard describes it: an institution's
lead can ask for an account, and an admin approves it"; "Invitations and password resets by
one-time links mailed to the person, stored hashed, expiring in a day, used once"; the lead
"invites coordinators of that institution"; the admin changes "accounts, roles, institutions,
assignments". Every permission is the policy's."""

from __future__ import annotations

import re
from collections.abc import Iterator
from datetime import timedelta
from pathlib import Path
from urllib.parse import unquote

import pytest

from nums import policy
from nums.errors import NumsError
from nums.site import accounts, people
from nums.site import db as tables
from nums.site.folder import OpenSite
from nums.starting import start_in_workspace
from nums.workspace import Workspace
from tests import site_support, test_site_mail
from tests.site_support import ADMIN_EMAIL, LONG_ENOUGH, open_mailing_site

quick_hashes, inbox = site_support.quick_hashes, test_site_mail.inbox
Inbox = test_site_mail.Inbox
NEW_PASSWORD = "a different long passphrase"


@pytest.fixture()
def site(tmp_path: Path, inbox: tuple[Inbox, int]) -> Iterator[OpenSite]:
    opened = open_mailing_site(tmp_path / "site", smtp_port=inbox[1])
    yield opened
    opened.engine.dispose()


def person(site: OpenSite, email: str) -> policy.Person:
    with site.transaction() as db:
        found = accounts.find_person(db, email)
        assert found is not None
        return accounts.as_policy_person(found)


def token_in(message) -> str:  # type: ignore[no-untyped-def]
    found = re.search(r"\?token=(\S+)", message.get_content())
    assert found, message.get_content()
    return unquote(found.group(1))


def northfield_with_a_programme(site: OpenSite) -> policy.Person:
    """Northfield, its lead Lee (signed up), and its programme northfield/peer-mentoring."""
    admin = person(site, ADMIN_EMAIL)
    people.add_institution(site, admin, "northfield", "Northfield University")
    with site.transaction() as db:
        lee = accounts.add_person(db, "lee@northfield.ac.uk", "Lee", LONG_ENOUGH, "northfield")
        accounts.grant(db, lee, "lead")
    start_in_workspace(Workspace(site.workspace), "northfield/peer-mentoring")
    return person(site, "lee@northfield.ac.uk")


# --- registration ------------------------------------------------------------------------------


def test_a_lead_asks_an_admin_approves_and_the_invitation_arrives(
    site: OpenSite, inbox: tuple[Inbox, int]
) -> None:
    """ "Universities register on the accreditation site": asked, approved, invited, signed in."""
    received, _ = inbox
    delivery = people.ask_registration(
        site, "lee@southgate.ac.uk", "Lee Chan", "University of Southgate", "I run the schemes"
    )
    assert delivery.sent and received.messages[0]["Subject"] == "Your request to register on Test scheme"
    admin = person(site, ADMIN_EMAIL)
    [waiting] = people.registrations(site, admin)
    assert (waiting["email"], waiting["slug"], waiting["message"]) == (
        "lee@southgate.ac.uk",
        "southgate",
        "I run the schemes",
    )
    delivery = people.approve_registration(site, admin, waiting["id"], "southgate")
    assert delivery.words("the invitation") == "the invitation is on its way to lee@southgate.ac.uk"
    assert (site.workspace / "southgate").is_dir()  # the institution's folder in the workspace
    approved = received.messages[1]
    assert approved["Subject"] == "University of Southgate is registered on Test scheme"
    token = token_in(approved)
    assert people.link_holder(site, token, "invitation") == {
        "name": "Lee Chan",
        "email": "lee@southgate.ac.uk",
    }
    session_id = people.accept_invitation(site, token, LONG_ENOUGH, "Lee Chan-Okafor")
    lead = person(site, "lee@southgate.ac.uk")
    assert (
        lead.roles == {policy.Role.LEAD}
        and lead.institution == "southgate"
        and lead.name == "Lee Chan-Okafor"
    )
    assert session_id and people.registrations(site, admin) == []


def test_a_refusal_mails_its_reason_and_makes_no_account(site: OpenSite, inbox: tuple[Inbox, int]) -> None:
    received, _ = inbox
    people.ask_registration(site, "spam@example.com", "Spammer", "Totally A University", "")
    admin = person(site, ADMIN_EMAIL)
    [waiting] = people.registrations(site, admin)
    with pytest.raises(NumsError, match="reason: give the reason"):
        people.refuse_registration(site, admin, waiting["id"], "   ")
    people.refuse_registration(site, admin, waiting["id"], "We could not find this institution.")
    refusal = received.messages[-1]
    assert "We could not find this institution." in refusal.get_content()
    with site.transaction() as db:
        assert accounts.find_person(db, "spam@example.com") is None
    assert people.registrations(site, admin) == []
    with pytest.raises(NumsError, match="no registration request"):
        people.approve_registration(site, admin, waiting["id"], "spam")


def test_only_an_admin_sees_or_decides_registration_requests(site: OpenSite) -> None:
    lee = northfield_with_a_programme(site)
    people.ask_registration(site, "x@example.org", "X", "Xavier College", "")
    for who in (lee, policy.ANONYMOUS if hasattr(policy, "ANONYMOUS") else lee):
        with pytest.raises(people.Refused):
            people.registrations(site, who)
        with pytest.raises(people.Refused):
            people.approve_registration(site, who, 1, "xavier")


# --- resets and invitations -------------------------------------------------------------------


def test_a_reset_is_mailed_only_to_an_account_and_works_once(
    site: OpenSite, inbox: tuple[Inbox, int]
) -> None:
    """The page says the same either way; only an account gets a message; the link is one-time."""
    received, _ = inbox
    people.ask_reset(site, "nobody@example.org")
    assert received.messages == []
    people.ask_reset(site, ADMIN_EMAIL)
    [message] = received.messages
    assert message["To"] == ADMIN_EMAIL and "/account/reset?token=" in message.get_content()
    token = token_in(message)
    people.reset_password(site, token, NEW_PASSWORD)
    with pytest.raises(NumsError, match="this link cannot be used"):
        people.reset_password(site, token, "yet another long passphrase")
    with pytest.raises(NumsError, match="this link cannot be used"):
        people.link_holder(site, token, "reset")
    with site.transaction() as db:
        assert accounts.sign_in(db, ADMIN_EMAIL, NEW_PASSWORD, "127.0.0.1").session_id


def test_a_reset_with_the_mail_server_down_still_says_nothing(tmp_path: Path) -> None:
    port = test_site_mail.free_port()  # nothing listens there
    site = open_mailing_site(tmp_path / "site", smtp_port=port)
    people.ask_reset(site, ADMIN_EMAIL)  # no error: the page must not tell an account by its failure


def test_an_invitation_is_used_once_and_expires_in_a_day(site: OpenSite, inbox: tuple[Inbox, int]) -> None:
    received, _ = inbox
    admin = person(site, ADMIN_EMAIL)
    people.invite(site, admin, "fin@scheme.org", "Fin", "finance", None, None)
    token = token_in(received.messages[-1])
    people.accept_invitation(site, token, LONG_ENOUGH, None)
    with pytest.raises(NumsError, match="this link cannot be used"):
        people.accept_invitation(site, token, LONG_ENOUGH, None)
    people.invite(site, admin, "late@scheme.org", "Late", "assessor", None, None)
    late = token_in(received.messages[-1])
    with site.transaction() as db:  # a day passes
        for row in db.query(tables.OneTimeToken):
            row.expires = row.created + timedelta(seconds=1) - timedelta(days=1)
    with pytest.raises(NumsError, match="this link cannot be used"):
        people.link_holder(site, late, "invitation")
    people.reinvite(site, admin, "late@scheme.org")
    people.accept_invitation(site, token_in(received.messages[-1]), LONG_ENOUGH, None)


# --- the lead ------------------------------------------------------------------------------------


def test_a_lead_sees_their_institution_and_invites_a_coordinator(
    site: OpenSite, inbox: tuple[Inbox, int]
) -> None:
    received, _ = inbox
    lee = northfield_with_a_programme(site)
    page = people.institution_page(site, lee, "northfield")
    assert page.name == "Northfield University" and page.may_invite
    assert [row["id"] for row in page.programmes] == ["northfield/peer-mentoring"]
    people.invite_coordinator(site, lee, "northfield", "peer-mentoring", "cam@northfield.ac.uk", "Cam")
    people.accept_invitation(site, token_in(received.messages[-1]), LONG_ENOUGH, None)
    cam = person(site, "cam@northfield.ac.uk")
    assert cam.programmes == {"northfield/peer-mentoring"} and cam.institution == "northfield"
    assert policy.can(cam, policy.Action.EDIT_SUBMISSION, policy.Programme("northfield", "peer-mentoring"))
    assert people.institution_page(site, lee, "northfield").programmes[0]["coordinators"] == ["Cam"]


def test_a_lead_cannot_reach_another_institution(site: OpenSite) -> None:
    lee = northfield_with_a_programme(site)
    admin = person(site, ADMIN_EMAIL)
    people.add_institution(site, admin, "southgate", "Southgate University")
    start_in_workspace(Workspace(site.workspace), "southgate/buddies")
    with pytest.raises(people.Refused) as caught:
        people.institution_page(site, lee, "southgate")
    assert caught.value.decision is policy.Decision.NOT_FOUND
    with pytest.raises(people.Refused):
        people.invite_coordinator(site, lee, "southgate", "buddies", "x@southgate.ac.uk", "X")
    # naming the other institution's programme from their own is not there either
    with pytest.raises(NumsError, match="there is no programme 'northfield/southgate/buddies'"):
        people.invite_coordinator(site, lee, "northfield", "southgate/buddies", "x@example.org", "X")


def test_a_coordinator_is_invited_only_to_a_programme_that_exists(site: OpenSite) -> None:
    lee = northfield_with_a_programme(site)
    with pytest.raises(NumsError, match="there is no programme 'northfield/not-started'"):
        people.invite_coordinator(site, lee, "northfield", "not-started", "x@example.org", "X")


def test_an_account_of_another_institution_is_not_made_a_coordinator(site: OpenSite) -> None:
    lee = northfield_with_a_programme(site)
    admin = person(site, ADMIN_EMAIL)
    people.add_institution(site, admin, "southgate", "Southgate University")
    people.invite(site, admin, "sam@southgate.ac.uk", "Sam", "lead", "southgate", None)
    with pytest.raises(NumsError, match=re.escape("sam@southgate.ac.uk already has an account")):
        people.invite_coordinator(site, lee, "northfield", "peer-mentoring", "sam@southgate.ac.uk", "Sam")
    assert person(site, "sam@southgate.ac.uk").programmes == frozenset()


# --- the admin -----------------------------------------------------------------------------------


def test_an_admin_gives_and_takes_roles_and_assigns_coordinators(site: OpenSite) -> None:
    northfield_with_a_programme(site)
    admin = person(site, ADMIN_EMAIL)
    people.grant_role(site, admin, "lee@northfield.ac.uk", "assessor", None)
    assert person(site, "lee@northfield.ac.uk").roles == {policy.Role.LEAD, policy.Role.ASSESSOR}
    people.revoke_role(site, admin, "lee@northfield.ac.uk", "lead", None)
    assert person(site, "lee@northfield.ac.uk").roles == {policy.Role.ASSESSOR}
    assert people.assign_coordinator(site, admin, "lee@northfield.ac.uk", "northfield/peer-mentoring") == (
        "lee@northfield.ac.uk now coordinates northfield/peer-mentoring"
    )
    assert person(site, "lee@northfield.ac.uk").programmes == {"northfield/peer-mentoring"}
    people.revoke_role(site, admin, "lee@northfield.ac.uk", "coordinator", "peer-mentoring")
    assert person(site, "lee@northfield.ac.uk").programmes == frozenset()
    with pytest.raises(NumsError, match="is not lead"):
        people.revoke_role(site, admin, "lee@northfield.ac.uk", "lead", None)
    with pytest.raises(NumsError, match="you cannot take your own admin role"):
        people.revoke_role(site, admin, ADMIN_EMAIL, "admin", None)
    with pytest.raises(NumsError, match="you cannot disable your own account"):
        people.disable(site, admin, ADMIN_EMAIL)


def test_only_an_admin_manages_people_and_institutions(site: OpenSite) -> None:
    lee = northfield_with_a_programme(site)
    for attempt in (
        lambda: people.people_view(site, lee),
        lambda: people.invite(site, lee, "x@example.org", "X", "admin", None, None),
        lambda: people.grant_role(site, lee, "lee@northfield.ac.uk", "admin", None),
        lambda: people.disable(site, lee, ADMIN_EMAIL),
        lambda: people.add_institution(site, lee, "mine", "Mine"),
        lambda: people.assign_coordinator(site, lee, "lee@northfield.ac.uk", "northfield/peer-mentoring"),
    ):
        with pytest.raises(people.Refused):
            attempt()
    assert person(site, "lee@northfield.ac.uk").roles == {policy.Role.LEAD}


def test_institutions_list_their_people_and_programmes(site: OpenSite) -> None:
    northfield_with_a_programme(site)
    [row] = people.institutions_view(site, person(site, ADMIN_EMAIL))
    assert row == {"slug": "northfield", "name": "Northfield University", "people": 1, "programmes": 1}


def test_the_home_page_leads_each_role_where_it_may_go(site: OpenSite) -> None:
    lee = northfield_with_a_programme(site)
    admin = person(site, ADMIN_EMAIL)
    assert [p.href for p in people.reachable(admin)][:3] == [
        "/admin/people",
        "/admin/institutions",
        "/admin/registrations",
    ]
    assert [p.href for p in people.reachable(lee)] == ["/institutions/northfield", "/account"]
    cam = policy.Person(
        1,
        "c@x",
        "C",
        frozenset({policy.Role.COORDINATOR}),
        "northfield",
        frozenset({"northfield/peer-mentoring"}),
    )
    assert [p.href for p in people.reachable(cam)] == ["/p/northfield/peer-mentoring", "/account"]
    finance = policy.Person(2, "f@x", "F", frozenset({policy.Role.FINANCE}))
    assert [p.href for p in people.reachable(finance)] == ["/", "/quote", "/account"]


def test_a_mail_server_that_refuses_is_reported_but_the_invitation_stands(tmp_path: Path) -> None:
    site = open_mailing_site(tmp_path / "site", smtp_port=test_site_mail.free_port())
    delivery = people.invite(site, person(site, ADMIN_EMAIL), "fin@scheme.org", "Fin", "finance", None, None)
    assert delivery.problem and "could not be mailed to fin@scheme.org" in delivery.words("the invitation")
    assert person(site, "fin@scheme.org").roles == {policy.Role.FINANCE}  # then: send it again
    assert people.reinvite(site, person(site, ADMIN_EMAIL), "fin@scheme.org").problem
