-- Limits that hold under parallel requests and do not lock the owner out: registrations and the
-- e-mails an attempt on someone's address triggers are counted like logins, an account past its
-- login limit is opened with an e-mailed unlock link, and every "end all sessions" raises the
-- account's session epoch, which each session carries and every request checks.

ALTER TABLE auth_attempts DROP CONSTRAINT auth_attempts_action_check,
    ADD CONSTRAINT auth_attempts_action_check
    CHECK (action IN ('login', 'password_reset', 'register', 'account_notice', 'unlock_notice'));

ALTER TABLE account_tokens DROP CONSTRAINT account_tokens_purpose_check,
    ADD CONSTRAINT account_tokens_purpose_check
    CHECK (purpose IN ('verify_email', 'reset_password', 'change_email', 'unlock_login'));

ALTER TABLE users ADD COLUMN session_epoch BIGINT NOT NULL DEFAULT 0;
