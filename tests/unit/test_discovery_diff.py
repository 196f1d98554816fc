"""The discovery diff against the registry, and its write, on made-up walks (no API)."""
from __future__ import annotations

from pathlib import Path

from ads_sync.discovery import Discovery, Found
from ads_sync.discovery.diff import compare, render_json, render_text
from ads_sync.discovery.registry_write import apply
from ads_sync.registry import load_registry, parse_registry

MCC = "9990001112"


def g(account_id: str, name: str = "Acme", status: str = "ENABLED", apart=None, **kw) -> Found:
    return Found("google_ads", account_id, name, kw.get("tz", "Europe/Berlin"), kw.get("cur", "EUR"), status,
                 apart, MCC, MCC)


def entry(account_id: str, **kw) -> dict:
    return {"platform": "google_ads", "account_id": account_id, "name": "Acme", "timezone": "Europe/Berlin",
            "currency": "EUR", "login_customer_id": MCC, **kw}


def test_new_changed_gone_and_apart() -> None:
    registry = parse_registry({"accounts": [
        entry("1000000001"), entry("1000000002", name="Old name"), entry("1000000003"),
        entry("1000000004", active=False), {**entry("1000000005"), "login_customer_id": None},
        entry("1000000006"),
    ]})
    walk = Discovery("google_ads", MCC, [
        g("1000000001"), g("1000000002", tz="Europe/Vienna"), g("1000000004"),
        g("1000000006", status="CANCELED", apart="cancelled"),
        g("2000000001"), g("2000000002", status="SUSPENDED", apart="suspended"), g("2000000003", apart="test"),
    ], managers=[MCC])
    diff = compare(walk, registry)
    assert [f.account_id for f in diff.new] == ["2000000001"]
    assert [f.account_id for f in diff.apart] == ["2000000002", "2000000003"]
    changed = {f.account_id: {c.field: (c.registry, c.platform) for c in cs} for f, cs in diff.changed}
    assert changed == {
        "1000000002": {"name": ("Old name", "Acme"), "timezone": ("Europe/Berlin", "Europe/Vienna")},
        "1000000004": {"status": ("inactive", "ENABLED")},
        "1000000006": {"status": ("active", "CANCELED")},
    }
    # 1000000005 logs in directly, not through this manager: outside the walk, never "gone"
    assert [a.account_id for a in diff.gone] == ["1000000003"]
    assert diff.unchanged == 1
    assert "- gone     google_ads 1000000003" in render_text([diff])
    assert '"gone"' in render_json([diff])


def test_flags_propose_the_accounts_listed_apart() -> None:
    walk = Discovery("google_ads", MCC, [g("2000000002", apart="suspended"), g("2000000003", apart="test")])
    registry = parse_registry({"accounts": []})
    assert [f.account_id for f in compare(walk, registry, include_inactive=True).new] == ["2000000002"]
    assert [f.account_id for f in compare(walk, registry, include_test=True).new] == ["2000000003"]


def test_a_business_walk_never_calls_an_account_gone() -> None:
    registry = parse_registry({"accounts": [{"platform": "meta", "account_id": "1", "name": "M", "timezone": "UTC",
                                             "currency": "USD"}]})
    assert compare(Discovery("meta", "3000000000001", []), registry).gone == []
    assert [a.account_id for a in compare(Discovery("meta", "me", []), registry).gone] == ["1"]


def test_write_keeps_comments_and_hand_fields_and_never_deletes(tmp_path: Path) -> None:
    path = tmp_path / "accounts.yaml"
    path.write_text(
        "# the agency's accounts\n"
        "accounts:\n"
        "  - platform: google_ads  # first\n"
        '    account_id: "1000000002"\n'
        "    name: Old name\n"
        "    timezone: Europe/Berlin\n"
        "    currency: EUR\n"
        '    login_customer_id: "9990001112"\n'
        "    lookback_days: 30   # hand-set\n"
        "\n"
        "  - platform: google_ads\n"
        '    account_id: "1000000003"\n'
        "    name: Gone Inc\n"
        "    timezone: UTC\n"
        "    currency: USD\n"
        '    login_customer_id: "9990001112"\n'
    )
    walk = Discovery("google_ads", MCC, [g("1000000002", name="New name"), g("2000000001", name="Fresh")],
                     managers=[MCC])
    counts = apply(path, [compare(walk, load_registry(path))])
    assert counts == {"added": 1, "updated": 1, "deactivated": 1}
    text = path.read_text()
    assert text.startswith("# the agency's accounts\n")
    assert "  - platform: google_ads  # first\n" in text and "lookback_days: 30   # hand-set" in text
    reg = load_registry(path)
    assert not reg.errors
    by_id = {a.account_id: a for a in reg.accounts}
    assert by_id["1000000002"].name == "New name" and by_id["1000000002"].lookback_days == 30
    assert by_id["1000000003"].active is False and by_id["1000000003"].name == "Gone Inc"
    assert by_id["2000000001"].option("login_customer_id") == MCC and by_id["2000000001"].active is True
    assert text.index("1000000002") < text.index("1000000003") < text.index("2000000001")  # order kept
