"""Telling people when an account needs them, once per change, through Airflow's notifiers.

After every run of an account's DAG (the DAG's success and failure callbacks: they fire once a run has
finished, after its task retries, never per try) the account's state is derived again with
`status.account_rows`, the same function `ads-sync status` uses, so statuses other modules add (mismatch,
disabled) flow in here unchanged. Two topics are watched:

- `status`: auth_failed, failed, mismatch, disabled, or stale for more than `stale_after_days`;
- `api_version`: the platform's API version in use is within `versions.NOTIFY_DAYS` of its sunset.

The last state told is kept in `ads_sync.notification_state` (row-locked while deciding, so the daily and
weekly DAGs finishing together send one message); a message goes out only when the state changes, plus one
recovery message when it returns to ok. Messages go through `SmtpNotifier` (the registry's `notify.email`,
over the `smtp_conn_id` connection) and `SlackWebhookNotifier` (when `notify.slack_conn_id` names a
connection): secrets stay in Airflow Connections.
"""
from __future__ import annotations

import html
import logging
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    import psycopg

    from ads_sync.registry import Account, Notify

log = logging.getLogger(__name__)

#: derived statuses that are news (most serious first, as in status.py)
ALERT_STATUSES = ("auth_failed", "failed", "disabled", "mismatch")


@dataclass(frozen=True)
class Observation:
    topic: str
    #: "ok" or what is wrong
    state: str
    since: datetime
    #: what happened, in one sentence
    what: str
    #: the one thing to do
    action: str


def observe(conn: psycopg.Connection[Any], account: Account, *, now: datetime) -> list[Observation]:
    """The account's state on each topic, now."""
    from ads_sync import status, versions

    notify = account.notify
    stale_after = notify.stale_after_days if notify else 3
    (row,) = status.account_rows(conn, [account], now=now)
    derived = row["status"]
    error = (row.get("last_error") or "").replace("\n", " ")[:500]
    daily = account.dag_id("daily")
    if derived in ALERT_STATUSES:
        what, action = {
            "auth_failed": (f"the platform refused the credentials: {error}",
                            f"renew the token or grant access in the Airflow connection {account.conn_id!r}, "
                            f"then trigger {daily}"),
            "failed": (f"the last sync failed after its retries: {error}",
                       f"read the failed run's log, fix the cause, then trigger {daily}"),
            "disabled": ("the platform says the account is cancelled or suspended",
                         "reactivate it on the platform, or set `active: false` for it in include/accounts.yaml"),
            "mismatch": ("the loaded totals differ from the platform's account totals",
                         f"run {account.dag_id('force_sync')} for the days `ads-sync status` shows"),
        }[derived]
        state = Observation("status", derived, now, what, action)
    elif row.get("days_behind") is not None and row["days_behind"] > stale_after:
        newest = row["newest_date"]
        state = Observation("status", "stale", datetime.combine(newest + timedelta(days=1), datetime.min.time(), UTC),
                            f"the newest loaded day is {newest} ({row['days_behind']} days behind, more than "
                            f"{stale_after})", f"check that {daily} is unpaused and its runs succeed")
    else:
        state = Observation("status", "ok", now, f"status {derived}", "")
    version = versions.current(account.platform, today=now.date())
    if version.level in ("notify", "sunset"):
        api = Observation("api_version", version.level, now, version.message,
                          "upgrade ads-sync / the client library")
    else:
        api = Observation("api_version", "ok", now, version.message, "")
    return [state, api]


def process(conn: psycopg.Connection[Any], account: Account, *, now: datetime, context: Any = None) -> list[str]:
    """Compare each topic with what was last told and send on a change; return the subjects sent."""
    from ads_sync.warehouse import run_sql, sql_text

    sent: list[str] = []
    for seen in observe(conn, account, now=now):
        with conn.transaction():
            key = {"platform": account.platform, "account_id": account.account_id, "topic": seen.topic}
            run_sql(conn, "notifications/ensure_state.sql", {**key, "since": now})
            previous, since = conn.execute(sql_text("notifications/lock_state.sql"), key).fetchone()  # type: ignore[misc]
            if previous == seen.state:
                continue
            if seen.state == "ok":
                kind = "recovery"
                subject = f"[ads-sync] recovered: {account.name} ({account.platform} {account.account_id})"
                body = (f"{account.name} ({account.platform} {account.account_id}) has recovered: {previous} "
                        f"since {_when(since)} is resolved ({seen.what}). Nothing to do.")
                since = now
            else:
                kind = "alert"
                subject = f"[ads-sync] {seen.state}: {account.name} ({account.platform} {account.account_id})"
                since = seen.since
                body = (f"{account.name} ({account.platform} {account.account_id}) is {seen.state} since "
                        f"{_when(since)}: {seen.what.rstrip('. ')}. What to do: {seen.action}.")
            delivered = _send(conn, account, seen, kind, subject, body, context)
            if not delivered:
                continue  # nobody heard it: keep the old state so the next run tries again
            run_sql(conn, "notifications/save_state.sql", {**key, "state": seen.state, "since": since,
                                                           "message": body, "notified": now})
            sent.append(subject)
    return sent


def _when(moment: datetime) -> str:
    return moment.astimezone(UTC).strftime("%Y-%m-%d %H:%M UTC")


def _send(
    conn: psycopg.Connection[Any], account: Account, seen: Observation, kind: str, subject: str, body: str,
    context: Any,
) -> bool:
    """Through each configured channel; every attempt is recorded. True when at least one delivered."""
    from ads_sync.warehouse import run_sql

    notify = account.notify
    if notify is None or not notify.channels:
        log.info("%s: %s (no notify channels configured)", account.key, subject)
        return True
    delivered = False
    for channel in notify.channels:
        error = None
        try:
            _notifier(channel, notify, subject, body).notify(context or {})
            delivered = True
            log.info("Notified %s by %s: %s", account.key, channel, subject)
        except Exception as exc:  # noqa: BLE001 - one channel failing must not silence the other
            error = _scrub(f"{type(exc).__name__}: {exc}", notify)[:1000]
            log.error("Could not notify %s by %s: %s", account.key, channel, error)
        run_sql(conn, "notifications/record_sent.sql", {
            "platform": account.platform, "account_id": account.account_id, "topic": seen.topic,
            "state": seen.state, "kind": kind, "channel": channel, "subject": subject, "error": error,
        })
    return delivered


def _scrub(text: str, notify: Notify) -> str:
    """An error may quote a webhook URL or a login: drop the connections' passwords before it is kept."""
    from airflow.sdk import BaseHook

    for conn_id in (notify.smtp_conn_id, notify.slack_conn_id):
        try:
            password = BaseHook.get_connection(conn_id).password if conn_id else None
        except Exception:  # noqa: BLE001 - a connection that cannot be read has nothing to hide here
            password = None
        if password:
            text = text.replace(password, "***")
    return text


def _notifier(channel: str, notify: Notify, subject: str, body: str) -> Any:
    """The Airflow notifier for a channel. `notify()` is called directly, not `__call__`, so account names
    and API error texts are never rendered as Jinja templates."""
    if channel == "email":
        from airflow.providers.smtp.notifications.smtp import SmtpNotifier

        return SmtpNotifier(to=list(notify.email), from_email=notify.email_from, subject=subject,
                            html_content=f"<p>{html.escape(body)}</p>", smtp_conn_id=notify.smtp_conn_id)
    from airflow.providers.slack.notifications.slack_webhook import SlackWebhookNotifier

    return SlackWebhookNotifier(slack_webhook_conn_id=str(notify.slack_conn_id), text=f"*{subject}*\n{body}")


class AccountNotifications:
    """The DAG-level success and failure callback of one account's DAGs."""

    def __init__(self, account: Account, *, warehouse_conn_id: str = "ads_warehouse") -> None:
        self.account = account
        self.warehouse_conn_id = warehouse_conn_id

    def __call__(self, context: Any) -> None:
        from ads_sync import warehouse

        try:
            with warehouse.connect(self.warehouse_conn_id) as conn:
                warehouse.migrate(conn)
                process(conn, self.account, now=datetime.now(UTC), context=context)
        except Exception:  # a callback that raises helps nobody: the run's own state stands
            log.exception("Notifications for %s could not be processed", self.account.key)
