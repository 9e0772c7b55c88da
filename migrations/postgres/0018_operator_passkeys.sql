-- Migration 0018: operators' passkeys (WebAuthn), beside the authenticator app.
-- One row per passkey: its credential id (base64url, unique across all accounts: a credential
-- belongs to one account), the name the operator gave it, the public key and signature counter
-- as the WebAuthn library keeps them (JSON; nothing secret: the private key never leaves the
-- authenticator), and when it was added and last used.
CREATE TABLE operator_passkeys (
    id BIGSERIAL PRIMARY KEY,
    user_id BIGINT NOT NULL REFERENCES users(id) ON DELETE CASCADE,
    credential_id TEXT NOT NULL UNIQUE,
    name TEXT NOT NULL,
    passkey TEXT NOT NULL,
    created_at TIMESTAMPTZ NOT NULL,
    last_used_at TIMESTAMPTZ
);
CREATE INDEX operator_passkeys_user ON operator_passkeys (user_id);
