"""Notifications through Airflow's real notifiers to a local SMTP sink (aiosmtpd) and a fake Slack
webhook, both on loopback: a revoked token is told once across three failed runs, and its fix once."""
from __future__ import annotations

import json
import os
import threading
from email import message_from_bytes
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import pytest

from sandbox import Fault

ROOT = Path(__file__).resolve().parents[2]
ACCOUNT = "1234567890"
pytestmark = pytest.mark.integration


def _text(mail) -> str:
    """The decoded text of every part of an e-mail."""
    return "".join(part.get_payload(decode=True).decode() for part in mail.walk() if not part.is_multipart())


class Sink:
    def __init__(self) -> None:
        self.messages: list = []

    async def handle_DATA(self, server, session, envelope):  # noqa: N802 - aiosmtpd's hook name
        self.messages.append((envelope.rcpt_tos, message_from_bytes(envelope.content)))
        return "250 OK"


@pytest.fixture
def smtp_sink():
    import socket

    from aiosmtpd.controller import Controller

    with socket.socket() as probe:  # aiosmtpd's readiness check cannot follow port 0
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    sink = Sink()
    controller = Controller(sink, hostname="127.0.0.1", port=port)
    controller.start()
    try:
        yield sink, port
    finally:
        controller.stop()


@pytest.fixture
def slack_webhook():
    posts: list[dict] = []

    class Hook(BaseHTTPRequestHandler):
        def do_POST(self):  # noqa: N802
            body = self.rfile.read(int(self.headers["Content-Length"]))
            posts.append({"path": self.path, "body": json.loads(body)})
            self.send_response(200)
            self.send_header("Content-Length", "2")
            self.end_headers()
            self.wfile.write(b"ok")

        def log_message(self, *args):
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Hook)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    try:
        yield posts, server.server_address[1]
    finally:
        server.shutdown()
        server.server_close()


REGISTRY = """\
notify:
  email: [ops@example.com]
  email_from: ads-sync@example.com
  smtp_conn_id: smtp_test
  slack_conn_id: slack_test
accounts:
  - platform: google_ads
    account_id: "1234567890"
    name: Nordlicht Outdoor
    timezone: Europe/Berlin
    currency: EUR
    notify:
      email: [nordlicht-team@example.com]
"""


@pytest.fixture
def notified_dag(tmp_path, airflow_db, smtp_sink, slack_webhook, monkeypatch):
    registry = tmp_path / "accounts.yaml"
    registry.write_text(REGISTRY)
    monkeypatch.setenv("ADS_SYNC_REGISTRY", str(registry))
    monkeypatch.setenv("AIRFLOW_CONN_SMTP_TEST", json.dumps({
        "conn_type": "smtp", "host": "127.0.0.1", "port": smtp_sink[1],
        "extra": {"disable_tls": True, "disable_ssl": True}}))
    monkeypatch.setenv("AIRFLOW_CONN_SLACK_TEST", json.dumps({
        "conn_type": "slackwebhook", "host": f"http://127.0.0.1:{slack_webhook[1]}/services",
        "password": "T000/B000/sandbox-webhook-secret"}))
    from airflow.dag_processing.dagbag import DagBag

    bag = DagBag(dag_folder=str(ROOT / "dags"))
    assert not bag.import_errors
    return bag.dags[f"ads_sync__google_ads__{ACCOUNT}__daily"]


def test_a_revoked_token_is_told_once_and_its_fix_once(notified_dag, db, fresh_sandbox, smtp_sink,
                                                        slack_webhook) -> None:
    sink, posts = smtp_sink[0], slack_webhook[0]
    fresh_sandbox.faults.add(Fault(service="oauth", error="invalid_grant", times=-1))
    try:
        for _ in range(3):
            assert notified_dag.test().state == "failed"
    finally:
        fresh_sandbox.faults.clear()

    assert len(sink.messages) == 1 and len(posts) == 1
    rcpt, mail = sink.messages[0]
    assert rcpt == ["nordlicht-team@example.com"]  # the entry's own list over the top-level one
    assert mail["From"] == "ads-sync@example.com"
    assert mail["Subject"] == "[ads-sync] auth_failed: Nordlicht Outdoor (google_ads 1234567890)"
    text = posts[0]["body"]["text"]
    assert posts[0]["path"] == "/services/T000/B000/sandbox-webhook-secret"
    for part in ("Nordlicht Outdoor", "auth_failed since", "refresh token", "What to do: renew the token",
                 "google_ads_default"):
        assert part in text

    assert notified_dag.test().state == "success"
    assert len(sink.messages) == 2 and len(posts) == 2
    assert sink.messages[1][1]["Subject"] == "[ads-sync] recovered: Nordlicht Outdoor (google_ads 1234567890)"
    assert "has recovered: auth_failed since" in posts[1]["body"]["text"]

    assert notified_dag.test().state == "success"  # healthy again: nothing more to say
    assert len(sink.messages) == 2 and len(posts) == 2
    sent = db.execute("SELECT kind, channel, error FROM ads_sync.notifications_sent ORDER BY id").fetchall()
    assert sent == [("alert", "email", None), ("alert", "slack", None),
                    ("recovery", "email", None), ("recovery", "slack", None)]
    state = db.execute("SELECT topic, state FROM ads_sync.notification_state ORDER BY topic").fetchall()
    assert state == [("api_version", "ok"), ("status", "ok")]
    # secrets never land in the bookkeeping
    assert "sandbox-webhook-secret" not in json.dumps([list(r) for r in sent])
    assert os.environ.get("AIRFLOW_CONN_SLACK_TEST")


def test_an_api_version_near_its_sunset_is_told_once_and_shows_in_status(db, smtp_sink, monkeypatch) -> None:
    from datetime import UTC, datetime

    from ads_sync import notifications, status, versions
    from ads_sync.registry import Account, Notify

    sink, port = smtp_sink
    monkeypatch.setenv("AIRFLOW_CONN_SMTP_TEST", json.dumps({
        "conn_type": "smtp", "host": "127.0.0.1", "port": port, "extra": {"disable_tls": True, "disable_ssl": True}}))
    # as if we still called Meta v25.0, thirteen days before it expires
    monkeypatch.setattr(versions, "in_use", lambda: {"google_ads": "v26", "meta": "v25.0"})
    account = Account(platform="meta", account_id="104857600123456", name="Fjord & Fell Knitwear",
                      timezone="Europe/Oslo", currency="NOK",
                      notify=Notify(email=("ops@example.com",), email_from="ads-sync@example.com",
                                    smtp_conn_id="smtp_test"))
    day = datetime(2027, 2, 10, 9, tzinfo=UTC)

    (row,) = status.account_rows(db, [account], now=day)
    assert row["api_version"]["level"] == "notify" and row["api_version"]["days_left"] == 13
    table = status.render_table([row])
    assert table.splitlines()[0].split()[-1] == "api_version"
    assert "v25.0 sunsets 2027-02-23 (13d)" in table
    assert json.loads(status.render_json([row]))["accounts"][0]["api_version"]["sunset"] == "2027-02-23"

    assert notifications.process(db, account, now=day) == [
        "[ads-sync] notify: Fjord & Fell Knitwear (meta 104857600123456)"]
    assert notifications.process(db, account, now=day.replace(day=11)) == []  # the next run: no news
    assert len(sink.messages) == 1
    text = _text(sink.messages[0][1])
    assert "Meta Marketing API v25.0 sunsets on 2027-02-23 (13 days)" in text
    assert "upgrade ads-sync / the client library" in text
    # the day it is turned off is news again
    off = notifications.process(db, account, now=datetime(2027, 2, 24, tzinfo=UTC))
    assert off == ["[ads-sync] sunset: Fjord & Fell Knitwear (meta 104857600123456)"] and len(sink.messages) == 2


def test_a_channel_that_fails_is_recorded_and_the_other_still_delivers(db, smtp_sink, monkeypatch) -> None:
    import socket
    from datetime import UTC, datetime

    from ads_sync import notifications
    from ads_sync.registry import Account, Notify

    sink, port = smtp_sink
    with socket.socket() as probe:  # a port nobody listens on
        probe.bind(("127.0.0.1", 0))
        closed = probe.getsockname()[1]
    monkeypatch.setenv("AIRFLOW_CONN_SMTP_TEST", json.dumps({
        "conn_type": "smtp", "host": "127.0.0.1", "port": port, "extra": {"disable_tls": True, "disable_ssl": True}}))
    monkeypatch.setenv("AIRFLOW_CONN_SLACK_DOWN", json.dumps({
        "conn_type": "slackwebhook", "password": f"http://127.0.0.1:{closed}/services/T1/B1/down-webhook-secret"}))
    account = Account(platform="google_ads", account_id="2345678901", name="Kiwi Coffee Roasters",
                      timezone="Pacific/Auckland", currency="NZD",
                      notify=Notify(email=("ops@example.com",), email_from="ads-sync@example.com",
                                    smtp_conn_id="smtp_test", slack_conn_id="slack_down"))
    db.execute("INSERT INTO ads_sync.account_status (platform, account_id, status, last_error)"
               " VALUES ('google_ads', '2345678901', 'failed', 'QuotaExhausted: daily quota')")
    sent = notifications.process(db, account, now=datetime.now(UTC))
    assert sent == ["[ads-sync] failed: Kiwi Coffee Roasters (google_ads 2345678901)"]
    assert len(sink.messages) == 1
    rows = db.execute("SELECT channel, error FROM ads_sync.notifications_sent ORDER BY id").fetchall()
    assert rows[0] == ("email", None)
    assert rows[1][0] == "slack" and rows[1][1] and "down-webhook-secret" not in rows[1][1]
    mail = _text(sink.messages[0][1])
    assert "is failed since" in mail and "QuotaExhausted: daily quota" in mail
