-- Limits that hold under parallel requests and do not lock the owner out: registrations and the
-- e-mails an attempt on someone's address triggers are counted like logins, an account past its
-- login limit is opened with an e-mailed unlock link, and every "end all sessions" raises the
-- account's session epoch, which each session carries and every request checks.
-- SQLite cannot change a CHECK constraint in place, so both tables are rebuilt.

CREATE TABLE auth_attempts_new (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    action TEXT NOT NULL CHECK (action IN ('login', 'password_reset', 'register', 'account_notice', 'unlock_notice')),
    account_key TEXT NOT NULL,
    ip_key TEXT NOT NULL,
    user_id INTEGER REFERENCES users(id) ON DELETE CASCADE,
    succeeded BOOLEAN NOT NULL,
    created_at TEXT NOT NULL
);
INSERT INTO auth_attempts_new (id, action, account_key, ip_key, user_id, succeeded, created_at)
    SELECT id, action, account_key, ip_key, user_id, succeeded, created_at FROM auth_attempts;
DROP TABLE auth_attempts;
ALTER TABLE auth_attempts_new RENAME TO auth_attempts;
CREATE INDEX auth_attempts_account ON auth_attempts (action, account_key, created_at);
CREATE INDEX auth_attempts_ip ON auth_attempts (action, ip_key, created_at);

CREATE TABLE account_tokens_new (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    user_id INTEGER NOT NULL REFERENCES users(id) ON DELETE CASCADE,
    purpose TEXT NOT NULL CHECK (purpose IN ('verify_email', 'reset_password', 'change_email', 'unlock_login')),
    token_hash TEXT NOT NULL UNIQUE,
    new_email TEXT,
    expires_at TEXT NOT NULL,
    used_at TEXT,
    created_at TEXT NOT NULL
);
INSERT INTO account_tokens_new (id, user_id, purpose, token_hash, new_email, expires_at, used_at, created_at)
    SELECT id, user_id, purpose, token_hash, new_email, expires_at, used_at, created_at FROM account_tokens;
DROP TABLE account_tokens;
ALTER TABLE account_tokens_new RENAME TO account_tokens;
CREATE INDEX account_tokens_user_id ON account_tokens (user_id);

ALTER TABLE users ADD COLUMN session_epoch INTEGER NOT NULL DEFAULT 0;
