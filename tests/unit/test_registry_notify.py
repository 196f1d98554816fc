"""The registry's `notify:` (issue 16): top-level defaults, an entry's own keys over them, and errors that
name the key without hiding any account."""
from __future__ import annotations

from ads_sync.registry import Notify, parse_registry

ENTRY = {"platform": "google_ads", "account_id": "1234567890", "name": "A", "timezone": "UTC", "currency": "EUR"}


def test_entry_keys_override_the_top_level_ones() -> None:
    reg = parse_registry({
        "notify": {"email": ["ops@example.com"], "slack_conn_id": "slack_ads", "stale_after_days": 5},
        "accounts": [{**ENTRY, "notify": {"email": "team@example.com"}},
                     {**ENTRY, "account_id": "2345678901"}],
    })
    assert not reg.errors
    first, second = reg.accounts
    assert first.notify == Notify(email=("team@example.com",), slack_conn_id="slack_ads", stale_after_days=5)
    assert second.notify == reg.notify == Notify(email=("ops@example.com",), slack_conn_id="slack_ads",
                                                 stale_after_days=5)
    assert first.notify.channels == ("email", "slack")


def test_no_notify_means_nobody_is_told() -> None:
    (account,) = parse_registry({"accounts": [ENTRY]}).accounts
    assert account.notify is None


def test_an_entry_can_turn_email_off() -> None:
    reg = parse_registry({"notify": {"email": ["ops@example.com"]},
                          "accounts": [{**ENTRY, "notify": {"email": []}}]})
    assert reg.accounts[0].notify.channels == ()


def test_bad_entry_notify_names_the_key_and_drops_only_that_entry() -> None:
    reg = parse_registry({"accounts": [{**ENTRY, "notify": {"emial": ["a@b.co"]}},
                                       {**ENTRY, "account_id": "2345678901", "notify": {"email": ["not-an-address"]}},
                                       {**ENTRY, "account_id": "3456789012", "notify": {"stale_after_days": 0}}]})
    assert not reg.accounts
    fields = [(e.field, e.message) for e in reg.errors]
    assert fields[0][0] == "notify.emial" and "did you mean 'email'" in fields[0][1]
    assert fields[1][0] == "notify.email" and "not-an-address" in fields[1][1]
    assert fields[2][0] == "notify.stale_after_days"


def test_bad_top_level_notify_is_a_file_error_that_keeps_the_accounts() -> None:
    reg = parse_registry({"notify": {"slack_conn_id": "bad id!"}, "accounts": [ENTRY]})
    assert len(reg.accounts) == 1 and reg.accounts[0].notify is None
    (error,) = reg.errors
    assert error.field == "notify.slack_conn_id" and "nobody is notified" in error.message
