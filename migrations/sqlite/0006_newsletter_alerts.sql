-- Newsletter subscriptions with double opt-in, the append-only record of every marketing
-- consent step, the newsletters operators send, job alerts (saved searches), and extra headers
-- on outgoing mail (List-Unsubscribe, RFC 8058).

ALTER TABLE outbox ADD COLUMN extra_headers TEXT NOT NULL DEFAULT '[]';

CREATE TABLE newsletter_subscribers (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    email TEXT NOT NULL UNIQUE,
    user_id INTEGER REFERENCES users(id) ON DELETE SET NULL,
    lang TEXT NOT NULL,
    status TEXT NOT NULL CHECK (status IN ('pending', 'confirmed', 'unsubscribed')),
    requested_at TEXT NOT NULL,
    confirmed_at TEXT,
    unsubscribed_at TEXT,
    updated_at TEXT NOT NULL
);
CREATE INDEX newsletter_subscribers_status ON newsletter_subscribers (status);

-- One row per step (sign-up, confirmation, withdrawal, automatic stop). Never updated.
CREATE TABLE marketing_consents (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    purpose TEXT NOT NULL CHECK (purpose IN ('newsletter', 'job_alert')),
    action TEXT NOT NULL CHECK (action IN ('requested', 'confirmed', 'withdrawn', 'stopped')),
    email TEXT NOT NULL,
    user_id INTEGER,
    alert_id INTEGER,
    text_shown TEXT NOT NULL,
    text_sha256 TEXT NOT NULL,
    policy_version TEXT NOT NULL,
    lang TEXT NOT NULL,
    source TEXT NOT NULL,
    ip_masked TEXT,
    reason TEXT,
    created_at TEXT NOT NULL
);
CREATE INDEX marketing_consents_email ON marketing_consents (email, created_at);
CREATE INDEX marketing_consents_user ON marketing_consents (user_id, created_at);
CREATE TRIGGER marketing_consents_append_only BEFORE UPDATE ON marketing_consents
BEGIN
    SELECT RAISE(ABORT, 'marketing_consents is append-only');
END;

CREATE TABLE newsletter_issues (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    subject TEXT NOT NULL,
    body_markdown TEXT NOT NULL,
    created_by INTEGER REFERENCES users(id) ON DELETE SET NULL,
    created_at TEXT NOT NULL,
    sent_by INTEGER REFERENCES users(id) ON DELETE SET NULL,
    sent_at TEXT,
    recipient_count INTEGER
);

CREATE TABLE job_alerts (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    user_id INTEGER NOT NULL REFERENCES users(id) ON DELETE CASCADE,
    query TEXT NOT NULL,
    frequency TEXT NOT NULL CHECK (frequency IN ('daily', 'weekly')),
    status TEXT NOT NULL CHECK (status IN ('active', 'paused', 'stopped')),
    stop_reason TEXT,
    covered_until TEXT NOT NULL,
    last_run_at TEXT NOT NULL,
    last_sent_at TEXT,
    created_at TEXT NOT NULL,
    updated_at TEXT NOT NULL
);
CREATE INDEX job_alerts_user ON job_alerts (user_id);
CREATE INDEX job_alerts_due ON job_alerts (status, last_run_at);
