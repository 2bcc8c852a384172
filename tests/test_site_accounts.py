"""Signing in, done as the best sites do (issue 22): Argon2id passwords of at least 12 characters;
failures slowed per account and per address; sign-in never says whether an account exists; a new
session id at every sign-in; idle and absolute lifetimes; one-time links stored hashed, expiring
in a day, used once; a reset bound to the password it replaces; sign-out everywhere when a
password changes or an account is disabled. Each test runs on SQLite, and on PostgreSQL too when
NUMS_TEST_POSTGRES_URL is set."""

from __future__ import annotations

import logging
from datetime import timedelta

import pytest
from argon2 import PasswordHasher
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sqlalchemy import select
from sqlalchemy.orm import Session

from nums import policy
from nums.errors import NumsError
from nums.site import accounts, sessions
from nums.site import db as tables
from tests import site_support
from tests.site_support import LONG_ENOUGH, MOMENT

engine, db, quick_hashes = site_support.engine, site_support.db, site_support.quick_hashes
ADDRESS = "203.0.113.7"
NEW_PASSWORD = "a different long passphrase"


@pytest.fixture()
def ana(db: Session) -> tables.Person:
    accounts.add_institution(db, "northfield", "Northfield University", now=MOMENT)
    person = accounts.add_person(db, "ana@northfield.ac.uk", "Ana", LONG_ENOUGH, "northfield", now=MOMENT)
    accounts.grant(db, person, "lead")
    return person


def refusal(
    db: Session, email: str, password: str, when=MOMENT, address: str = ADDRESS
) -> accounts.SignInRefused:
    with pytest.raises(accounts.SignInRefused) as caught:
        accounts.sign_in(db, email, password, address, now=when)
    return caught.value


# --- passwords ---------------------------------------------------------------------------


def test_a_password_is_at_least_12_characters(db: Session) -> None:
    with pytest.raises(NumsError, match="password: must be at least 12 characters long"):
        accounts.add_person(db, "b@example.org", "B", "elevenchars")
    accounts.add_person(db, "b@example.org", "B", "twelve chars")


def test_a_password_is_stored_as_an_argon2id_hash(db: Session, ana: tables.Person) -> None:
    assert ana.password_hash.startswith("$argon2id$")
    assert LONG_ENOUGH not in ana.password_hash


def test_a_hash_made_with_other_parameters_is_replaced_at_sign_in(
    db: Session, ana: tables.Person, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The issue: "rehash when parameters change": the hash made with today's small test parameters is
    replaced by one with argon2-cffi's defaults when Ana next signs in."""
    old = ana.password_hash
    monkeypatch.setattr(accounts, "HASHER", PasswordHasher())
    accounts.sign_in(db, "ana@northfield.ac.uk", LONG_ENOUGH, ADDRESS, now=MOMENT)
    assert ana.password_hash != old and not PasswordHasher().check_needs_rehash(ana.password_hash)
    accounts.sign_in(db, "ana@northfield.ac.uk", LONG_ENOUGH, ADDRESS, now=MOMENT)


# --- signing in --------------------------------------------------------------------------


def test_signing_in_gives_a_session_of_that_person(db: Session, ana: tables.Person) -> None:
    signed = accounts.sign_in(db, "ANA@northfield.ac.uk", LONG_ENOUGH, ADDRESS, now=MOMENT)
    assert sessions.person_for(db, signed.session_id, now=MOMENT) is ana
    me = accounts.as_policy_person(ana)
    assert me.roles == {policy.Role.LEAD} and me.institution == "northfield"


def test_sign_in_never_says_whether_the_account_exists(db: Session, ana: tables.Person) -> None:
    """The issue: "the message never says whether the account exists"."""
    wrong_password = refusal(db, "ana@northfield.ac.uk", "not her password at all")
    no_account = refusal(db, "nobody@northfield.ac.uk", "not her password at all")
    assert str(wrong_password) == str(no_account) == "the email address or the password is not right"


def test_an_invited_account_without_a_password_cannot_sign_in(db: Session) -> None:
    accounts.invite(db, "new@example.org", "New", "finance", now=MOMENT)
    assert str(refusal(db, "new@example.org", "")) == accounts.BAD_SIGN_IN


def test_throttling_per_account_waits_longer_after_each_failure(db: Session, ana: tables.Person) -> None:
    """The issue: "a few tries, then growing delays": 5 free failures, then 2 s, 4 s, 8 s, ... up to 15 minutes."""
    when = MOMENT
    for _ in range(accounts.FREE_TRIES_PER_ACCOUNT):
        refusal(db, "ana@northfield.ac.uk", "wrong wrong wrong", when)
    waits = []
    for _ in range(12):
        refused = refusal(db, "ana@northfield.ac.uk", "wrong wrong wrong", when)
        assert refused.retry_after is not None
        waits.append(refused.retry_after)
        assert str(refused) == f"too many tries: wait {refused.retry_after} seconds, then try again"
        when += timedelta(seconds=refused.retry_after)
        refusal(db, "ana@northfield.ac.uk", "wrong wrong wrong", when)  # a real try, wrong
    assert waits[:4] == [2, 4, 8, 16]
    assert max(waits) == 15 * 60 and waits == sorted(waits)


def test_a_throttled_account_is_refused_even_with_the_right_password(db: Session, ana: tables.Person) -> None:
    for _ in range(accounts.FREE_TRIES_PER_ACCOUNT):
        assert refusal(db, "ana@northfield.ac.uk", "wrong wrong wrong").retry_after is None
    assert refusal(db, "ana@northfield.ac.uk", LONG_ENOUGH).retry_after == 2
    assert refusal(db, "ana@northfield.ac.uk", LONG_ENOUGH, MOMENT + timedelta(seconds=1)).retry_after == 1
    later = MOMENT + timedelta(seconds=2)
    accounts.sign_in(db, "ana@northfield.ac.uk", LONG_ENOUGH, ADDRESS, now=later)
    # a success clears the account's count: the next slip is free again
    refusal(db, "ana@northfield.ac.uk", "wrong wrong wrong", later)
    assert accounts.throttle_wait(db, "ana@northfield.ac.uk", ADDRESS, now=later) == 0


def test_an_account_that_does_not_exist_is_throttled_the_same(db: Session, ana: tables.Person) -> None:
    for email in ("ana@northfield.ac.uk", "nobody@northfield.ac.uk"):
        for _ in range(accounts.FREE_TRIES_PER_ACCOUNT + 1):
            refusal(db, email, "wrong wrong wrong", address="198.51.100.1")
    assert (
        refusal(db, "ana@northfield.ac.uk", "x").retry_after
        == refusal(db, "nobody@northfield.ac.uk", "x").retry_after
    )


def test_one_address_guessing_many_accounts_is_throttled(db: Session, ana: tables.Person) -> None:
    """Per address: 20 free failures across any accounts, then the same growing waits."""
    for number in range(accounts.FREE_TRIES_PER_ADDRESS):
        assert refusal(db, f"guess{number}@northfield.ac.uk", "wrong wrong wrong").retry_after is None
    assert refusal(db, "ana@northfield.ac.uk", LONG_ENOUGH).retry_after == 2
    # from another address, Ana signs in at once
    accounts.sign_in(db, "ana@northfield.ac.uk", LONG_ENOUGH, "192.0.2.44", now=MOMENT)


def test_an_ipv6_address_is_throttled_by_its_64(db: Session) -> None:
    assert accounts.address_key("2001:db8:1:2:3:4:5:6") == accounts.address_key("2001:db8:1:2:ffff::1")
    assert accounts.address_key("::ffff:203.0.113.7") == "203.0.113.7"


def test_failures_older_than_a_day_no_longer_count(db: Session, ana: tables.Person) -> None:
    for _ in range(accounts.FREE_TRIES_PER_ACCOUNT + 3):
        refusal(db, "ana@northfield.ac.uk", "wrong wrong wrong")
    tomorrow = MOMENT + accounts.FAILURE_MEMORY + timedelta(seconds=1)
    assert accounts.throttle_wait(db, "ana@northfield.ac.uk", ADDRESS, now=tomorrow) == 0


# --- sessions ----------------------------------------------------------------------------


def test_every_sign_in_makes_a_new_session_id(db: Session, ana: tables.Person) -> None:
    """No session fixation: an id a browser held before signing in is never the signed-in one."""
    planted = "an-id-an-attacker-chose"
    first = accounts.sign_in(db, "ana@northfield.ac.uk", LONG_ENOUGH, ADDRESS, now=MOMENT).session_id
    second = accounts.sign_in(db, "ana@northfield.ac.uk", LONG_ENOUGH, ADDRESS, now=MOMENT).session_id
    assert len({planted, first, second}) == 3
    assert sessions.person_for(db, planted, now=MOMENT) is None


def test_the_database_holds_only_a_hash_of_a_session_id(db: Session, ana: tables.Person) -> None:
    session_id = accounts.sign_in(db, "ana@northfield.ac.uk", LONG_ENOUGH, ADDRESS, now=MOMENT).session_id
    stored = db.scalars(select(tables.SignInSession.id_hash)).all()
    assert session_id not in stored and sessions.digest(session_id) in stored


def test_a_session_ends_when_idle_too_long(db: Session, ana: tables.Person) -> None:
    session_id = sessions.start(db, ana.id, now=MOMENT)
    almost = MOMENT + sessions.IDLE_LIFETIME
    assert sessions.person_for(db, session_id, now=almost) is ana  # used: idle time starts again
    assert (
        sessions.person_for(db, session_id, now=almost + sessions.IDLE_LIFETIME - timedelta(seconds=1)) is ana
    )
    gone = almost + 2 * sessions.IDLE_LIFETIME
    assert sessions.person_for(db, session_id, now=gone) is None
    assert sessions.person_for(db, session_id, now=MOMENT) is None  # deleted, not just refused


def test_the_lookup_each_request_makes_says_what_person_for_says(db: Session, ana: tables.Person) -> None:
    """The site's middleware asks ``policy_person_for`` (one plain query) on every request, not
    ``person_for`` (ORM objects): for a lead with coordinator roles too, for a person with no
    institution and no role, and for one disabled later, at every moment of both lifetimes, the
    two say the same (each asked of its own session, as both touch and end the one they read)."""
    accounts.grant(db, ana, "coordinator", "northfield/peer-mentoring")
    accounts.grant(db, ana, "coordinator", "northfield/buddies")
    bo = accounts.add_person(db, "bo@scheme.example", "Bo", LONG_ENOUGH, now=MOMENT)
    used_all_day = [MOMENT + timedelta(minutes=m) for m in (0, 0.5, 1, 61, 170, 280, 390, 500, 610, 719, 721)]
    left_idle = [
        MOMENT,
        MOMENT + timedelta(minutes=1),
        MOMENT + sessions.IDLE_LIFETIME + timedelta(minutes=2),
    ]
    answers = []
    for person in (ana, bo):
        for moments in (used_all_day, left_idle):
            one, two = sessions.start(db, person.id, now=MOMENT), sessions.start(db, person.id, now=MOMENT)
            for when in moments:
                found = sessions.person_for(db, one, now=when)
                expected = None if found is None else accounts.as_policy_person(found)
                assert sessions.policy_person_for(db, two, now=when) == expected, (person.email, when)
                answers.append(expected is not None)
    assert True in answers and False in answers  # both lifetimes were walked to their end
    assert accounts.as_policy_person(bo) == policy.person_from(bo.id, bo.email, "Bo", None, [])
    three = sessions.start(db, ana.id, now=MOMENT)
    assert sessions.policy_person_for(db, three, now=MOMENT) == accounts.as_policy_person(ana)
    accounts.disable(db, "ana@northfield.ac.uk")
    assert sessions.policy_person_for(db, three, now=MOMENT) is None
    assert sessions.policy_person_for(db, "no such session", now=MOMENT) is None
    assert sessions.policy_person_for(db, None, now=MOMENT) is None


def test_a_session_ends_when_too_old_however_much_it_is_used(db: Session, ana: tables.Person) -> None:
    session_id = sessions.start(db, ana.id, now=MOMENT)
    when = MOMENT
    while when < MOMENT + sessions.ABSOLUTE_LIFETIME:
        assert sessions.person_for(db, session_id, now=when) is ana
        when += timedelta(hours=1)
    assert (
        sessions.person_for(db, session_id, now=MOMENT + sessions.ABSOLUTE_LIFETIME + timedelta(seconds=1))
        is None
    )


def test_disabling_an_account_ends_its_sessions_and_its_sign_ins(db: Session, ana: tables.Person) -> None:
    one = sessions.start(db, ana.id, now=MOMENT)
    two = sessions.start(db, ana.id, now=MOMENT)
    accounts.disable(db, "ana@northfield.ac.uk")
    assert (
        sessions.person_for(db, one, now=MOMENT) is None and sessions.person_for(db, two, now=MOMENT) is None
    )
    assert sessions.count_for(db, ana.id) == 0
    assert str(refusal(db, "ana@northfield.ac.uk", LONG_ENOUGH)) == (
        "this account is disabled; ask the scheme's administrator"
    )


def test_changing_a_password_ends_every_other_session(db: Session, ana: tables.Person) -> None:
    here = sessions.start(db, ana.id, now=MOMENT)
    elsewhere = sessions.start(db, ana.id, now=MOMENT)
    with pytest.raises(NumsError, match="current password: is not your current password"):
        accounts.change_password(db, ana, "not the password", NEW_PASSWORD, keep_session=here)
    accounts.change_password(db, ana, LONG_ENOUGH, NEW_PASSWORD, keep_session=here)
    assert sessions.person_for(db, here, now=MOMENT) is ana
    assert sessions.person_for(db, elsewhere, now=MOMENT) is None


def test_a_csrf_token_belongs_to_one_session(tmp_path) -> None:  # type: ignore[no-untyped-def]
    sessions.make_secret(tmp_path)
    secret = sessions.read_secret(tmp_path)
    assert (tmp_path / "site.secret").stat().st_mode & 0o777 == 0o600
    token = sessions.csrf_token(secret, "session-one")
    assert sessions.csrf_ok(secret, "session-one", token)
    assert not sessions.csrf_ok(secret, "session-two", token)
    assert not sessions.csrf_ok(secret, "session-one", None)
    assert not sessions.csrf_ok(b"another site's secret, 32 bytes!", "session-one", token)


@given(st.text(max_size=80))
def test_no_string_but_the_csrf_token_is_accepted(forged: str) -> None:
    secret = b"s" * 32
    token = sessions.csrf_token(secret, "a session")
    assert sessions.csrf_ok(secret, "a session", forged) is (forged == token)


# --- one-time links ----------------------------------------------------------------------


def test_an_invitation_sets_the_first_password_once(db: Session) -> None:
    token = accounts.invite(db, "cora@example.org", "Cora", "finance", now=MOMENT)
    assert sessions.digest(token) in db.scalars(select(tables.OneTimeToken.token_hash)).all()
    assert token not in db.scalars(select(tables.OneTimeToken.token_hash)).all()
    person = accounts.accept_invitation(db, token, LONG_ENOUGH, now=MOMENT + timedelta(hours=1))
    accounts.sign_in(db, "cora@example.org", LONG_ENOUGH, ADDRESS, now=MOMENT + timedelta(hours=1))
    with pytest.raises(NumsError, match="this link cannot be used: it has been used already"):
        accounts.accept_invitation(db, token, NEW_PASSWORD, now=MOMENT + timedelta(hours=2))
    assert accounts.HASHER.verify(person.password_hash, LONG_ENOUGH)


def test_an_invitation_expires_in_a_day(db: Session) -> None:
    token = accounts.invite(db, "late@example.org", "Late", "assessor", now=MOMENT)
    with pytest.raises(NumsError, match="has expired"):
        accounts.accept_invitation(db, token, LONG_ENOUGH, now=MOMENT + timedelta(days=1))


def test_a_reset_link_works_once_and_signs_out_everywhere(db: Session, ana: tables.Person) -> None:
    before = sessions.start(db, ana.id, now=MOMENT)
    _, token = accounts.request_reset(db, "ana@northfield.ac.uk", now=MOMENT)
    accounts.reset_password(db, token, NEW_PASSWORD, now=MOMENT)
    assert sessions.person_for(db, before, now=MOMENT) is None
    with pytest.raises(NumsError, match="has been used already"):
        accounts.reset_password(db, token, "yet another long password", now=MOMENT)
    accounts.sign_in(db, "ana@northfield.ac.uk", NEW_PASSWORD, ADDRESS, now=MOMENT)


def test_a_reset_link_is_dead_once_the_password_has_changed(db: Session, ana: tables.Person) -> None:
    """Bound to the password it replaces, as Django's are: an old link in a mailbox opens nothing."""
    _, old_link = accounts.request_reset(db, "ana@northfield.ac.uk", now=MOMENT)
    _, newer_link = accounts.request_reset(db, "ana@northfield.ac.uk", now=MOMENT)
    accounts.reset_password(db, newer_link, NEW_PASSWORD, now=MOMENT)
    with pytest.raises(NumsError, match="was replaced"):
        accounts.reset_password(db, old_link, "an attacker's new password", now=MOMENT)
    here = sessions.start(db, ana.id, now=MOMENT)
    _, third = accounts.request_reset(db, "ana@northfield.ac.uk", now=MOMENT)
    accounts.change_password(db, ana, NEW_PASSWORD, LONG_ENOUGH, keep_session=here)
    with pytest.raises(NumsError):
        accounts.reset_password(db, third, NEW_PASSWORD, now=MOMENT)


def test_a_reset_for_no_account_gives_nothing_to_send(db: Session, ana: tables.Person) -> None:
    assert accounts.request_reset(db, "nobody@northfield.ac.uk", now=MOMENT) is None
    accounts.disable(db, "ana@northfield.ac.uk")
    assert accounts.request_reset(db, "ana@northfield.ac.uk", now=MOMENT) is None


def test_an_invitation_is_not_a_reset(db: Session) -> None:
    token = accounts.invite(db, "x@example.org", "X", "finance", now=MOMENT)
    with pytest.raises(NumsError, match="this link cannot be used"):
        accounts.reset_password(db, token, LONG_ENOUGH, now=MOMENT)


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(forged=st.text(max_size=60))
def test_no_string_but_the_issued_token_opens_an_invitation(db: Session, forged: str) -> None:
    email = f"p{abs(hash(forged)) % 10**12}@example.org"
    if accounts.find_person(db, email) is None:
        token = accounts.invite(db, email, "P", "finance", now=MOMENT)
        if forged != token:
            with pytest.raises(NumsError, match="this link cannot be used"):
                accounts.accept_invitation(db, forged, LONG_ENOUGH, now=MOMENT)
        assert accounts.accept_invitation(db, token, LONG_ENOUGH, now=MOMENT).email == email


# --- registration ------------------------------------------------------------------------


def test_a_lead_asks_for_an_account_and_an_admin_approves_it(db: Session) -> None:
    """The issue: "an institution's lead can ask for an account, and an admin approves it"."""
    admin = accounts.add_person(db, "admin@scheme.org", "Ada", LONG_ENOUGH)
    accounts.grant(db, admin, "admin")
    request = accounts.request_registration(
        db, "lee@southgate.ac.uk", "Lee", "Southgate University", now=MOMENT
    )
    assert accounts.pending_registrations(db) == [request]
    assert accounts.find_person(db, "lee@southgate.ac.uk") is None  # nothing until approved
    lead, token = accounts.approve_registration(db, request.id, "southgate", admin, now=MOMENT)
    assert accounts.pending_registrations(db) == []
    accounts.accept_invitation(db, token, LONG_ENOUGH, now=MOMENT)
    me = accounts.as_policy_person(lead)
    assert me.roles == {policy.Role.LEAD} and me.institution == "southgate"
    assert policy.can(me, policy.Action.INVITE_COORDINATOR, policy.Institution("southgate"))
    with pytest.raises(NumsError, match="no registration request"):
        accounts.approve_registration(db, request.id, "southgate", admin, now=MOMENT)


# --- never in the logs -------------------------------------------------------------------


def test_a_password_is_never_logged(db: Session, caplog: pytest.LogCaptureFixture) -> None:
    caplog.set_level(logging.DEBUG)
    logging.getLogger("sqlalchemy.engine").setLevel(logging.INFO)  # every statement and parameter
    try:
        person = accounts.add_person(db, "log@example.org", "Log", LONG_ENOUGH)
        accounts.sign_in(db, "log@example.org", LONG_ENOUGH, ADDRESS, now=MOMENT)
        refusal(db, "log@example.org", "a wrong but secret guess")
        accounts.change_password(db, person, LONG_ENOUGH, NEW_PASSWORD, keep_session="x")
    finally:
        logging.getLogger("sqlalchemy.engine").setLevel(logging.WARNING)
    assert caplog.text  # the statements were logged ...
    for secret in (LONG_ENOUGH, NEW_PASSWORD, "a wrong but secret guess"):
        assert secret not in caplog.text  # ... and no password with them


def test_an_invited_person_whose_link_expired_can_be_invited_again(db: Session) -> None:
    first = accounts.invite(db, "slow@example.org", "Slow", "finance", now=MOMENT)
    later = MOMENT + timedelta(days=2)
    _, second = accounts.reinvite(db, "slow@example.org", now=later)
    with pytest.raises(NumsError, match="has expired"):
        accounts.accept_invitation(db, first, LONG_ENOUGH, now=later)
    accounts.accept_invitation(db, second, LONG_ENOUGH, now=later)
    with pytest.raises(NumsError, match="is not an invited account waiting for its password"):
        accounts.reinvite(db, "slow@example.org", now=later)


def test_attempts_that_no_longer_count_are_forgotten(db: Session, ana: tables.Person) -> None:
    for _ in range(3):
        refusal(db, "ana@northfield.ac.uk", "wrong wrong wrong")
    assert accounts.forget_old_attempts(db, now=MOMENT + accounts.FAILURE_MEMORY) == 0
    assert accounts.forget_old_attempts(db, now=MOMENT + accounts.FAILURE_MEMORY + timedelta(seconds=1)) == 3


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(email=st.text(max_size=400), password=st.text(max_size=40), address=st.text(max_size=80))
def test_any_sign_in_is_refused_in_words(
    db: Session, ana: tables.Person, email: str, password: str, address: str
) -> None:
    """Whatever arrives in the form (NUL, a megabyte-long address, any script), the answer is a
    refusal in words: never an error from the database, on SQLite or PostgreSQL."""
    if password == LONG_ENOUGH:
        return
    with pytest.raises(accounts.SignInRefused):
        accounts.sign_in(db, email, password, address, now=MOMENT)
    assert accounts.request_reset(db, email, now=MOMENT) is None or email_key_is_anas(email)


def email_key_is_anas(email: str) -> bool:
    return accounts.email_key(email) == "ana@northfield.ac.uk"


def test_a_refused_registration_makes_no_account(db: Session) -> None:
    admin = accounts.add_person(db, "admin@scheme.org", "Ada", LONG_ENOUGH)
    request = accounts.request_registration(db, "spam@example.org", "Spam", "Not A University", now=MOMENT)
    accounts.refuse_registration(db, request.id, admin, now=MOMENT)
    assert accounts.pending_registrations(db) == [] and accounts.find_person(db, "spam@example.org") is None
    with pytest.raises(NumsError, match=f"there is no registration request {request.id} waiting"):
        accounts.approve_registration(db, request.id, "spam", admin, now=MOMENT)


def test_sessions_that_are_over_are_swept_away(db: Session, ana: tables.Person) -> None:
    old = sessions.start(db, ana.id, now=MOMENT)
    fresh = sessions.start(db, ana.id, now=MOMENT + sessions.IDLE_LIFETIME)
    assert sessions.end_expired(db, now=MOMENT + sessions.IDLE_LIFETIME + timedelta(seconds=1)) == 1
    assert sessions.person_for(db, fresh, now=MOMENT + sessions.IDLE_LIFETIME) is ana
    assert sessions.person_for(db, old, now=MOMENT) is None
