-- Retention enforcement: legal holds placed by operators, the one lease that lets a single
-- sweeper run at a time across nodes, the record of each run (counts only, never a person),
-- and the warnings sent before an inactive account is deleted.

-- A hold pauses the retention rules for one person, company, ad or application (a dispute).
-- `subject_id` is a plain number so the history outlives what it names.
CREATE TABLE legal_holds (
    id BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    subject_kind TEXT NOT NULL CHECK (subject_kind IN ('person', 'company', 'ad', 'application')),
    subject_id BIGINT NOT NULL,
    reason TEXT NOT NULL,
    placed_by BIGINT REFERENCES users(id) ON DELETE SET NULL,
    placed_at TIMESTAMPTZ NOT NULL,
    lifted_by BIGINT REFERENCES users(id) ON DELETE SET NULL,
    lifted_at TIMESTAMPTZ
);
CREATE INDEX legal_holds_subject ON legal_holds (subject_kind, subject_id);

-- One row: whoever holds it (until `expires_at`) is the only sweeper running.
CREATE TABLE retention_lease (
    name TEXT PRIMARY KEY,
    holder TEXT,
    expires_at TIMESTAMPTZ
);
INSERT INTO retention_lease (name) VALUES ('sweeper');

CREATE TABLE retention_runs (
    id BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    started_at TIMESTAMPTZ NOT NULL,
    finished_at TIMESTAMPTZ,
    as_of TIMESTAMPTZ NOT NULL,
    counts TEXT NOT NULL DEFAULT '{}',
    duration_ms BIGINT,
    error TEXT
);
CREATE INDEX retention_runs_started ON retention_runs (started_at);

-- "Log in to keep your account": one per person, rule and last activity, so nobody is warned
-- twice and a login (a new activity) starts over.
CREATE TABLE retention_warnings (
    id BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    rule TEXT NOT NULL,
    user_id BIGINT NOT NULL REFERENCES users(id) ON DELETE CASCADE,
    activity_at TIMESTAMPTZ NOT NULL,
    warned_at TIMESTAMPTZ NOT NULL,
    due_at TIMESTAMPTZ NOT NULL,
    UNIQUE (rule, user_id, activity_at)
);
CREATE INDEX retention_warnings_user ON retention_warnings (user_id);

-- The sweeper finds the consent records of each job alert.
CREATE INDEX marketing_consents_alert ON marketing_consents (alert_id, created_at);
