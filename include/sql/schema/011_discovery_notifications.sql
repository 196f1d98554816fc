-- Issue 16: what discovery found (the DAG never edits the registry: it writes its diff here), and the
-- state each account was last notified about, so people hear once per change, not once per run.
CREATE TABLE ads_sync.discovered_accounts (
    id                 bigserial PRIMARY KEY,
    discovered_at      timestamptz NOT NULL DEFAULT now(),
    run_id             text NOT NULL,
    platform           text NOT NULL,
    root               text NOT NULL,          -- the manager, business or "me" the walk started from
    account_id         text NOT NULL,
    change             text NOT NULL CHECK (change IN ('new', 'changed', 'gone', 'apart')),
    name               text,
    timezone           text,
    currency           text,
    status             text,
    login_customer_id  text,
    details            jsonb NOT NULL DEFAULT jsonb_build_object()
);
CREATE INDEX ON ads_sync.discovered_accounts (platform, account_id, discovered_at DESC);

CREATE TABLE ads_sync.notification_state (
    platform     text NOT NULL,
    account_id   text NOT NULL,
    topic        text NOT NULL CHECK (topic IN ('status', 'api_version')),
    state        text NOT NULL,               -- 'ok' or what went wrong (auth_failed, failed, stale, ...)
    since        timestamptz NOT NULL,
    message      text,
    notified_at  timestamptz,
    PRIMARY KEY (platform, account_id, topic)
);

CREATE TABLE ads_sync.notifications_sent (
    id          bigserial PRIMARY KEY,
    sent_at     timestamptz NOT NULL DEFAULT now(),
    platform    text NOT NULL,
    account_id  text NOT NULL,
    topic       text NOT NULL,
    state       text NOT NULL,
    kind        text NOT NULL CHECK (kind IN ('alert', 'recovery')),
    channel     text NOT NULL,                -- email or slack
    subject     text NOT NULL,
    error       text                          -- null when delivered
);
