-- Migration 0015: the audit log as a hash chain, and operators' second factor.

-- The operator audit log becomes a hash chain: each entry names the operator, the action, whose
-- data (an account number), which record (kind and number) and the reason code, and carries
-- the hash of the entry before it and its own. The operator is a plain number (no foreign key):
-- nothing may change a written entry, not even the deletion of an operator's account.
-- Entries written before this migration get their hashes when the application first starts.
ALTER TABLE operator_audit DROP CONSTRAINT IF EXISTS operator_audit_operator_id_fkey;
UPDATE operator_audit SET operator_id = 0 WHERE operator_id IS NULL;
ALTER TABLE operator_audit ALTER COLUMN operator_id SET NOT NULL;
ALTER TABLE operator_audit
    ADD COLUMN object_kind TEXT,
    ADD COLUMN object_id BIGINT,
    ADD COLUMN reason TEXT,
    ADD COLUMN prev_hash TEXT,
    ADD COLUMN hash TEXT;
UPDATE operator_audit SET object_kind = 'privacy_request', object_id = request_id WHERE request_id IS NOT NULL;
ALTER TABLE operator_audit DROP COLUMN request_id;

-- The chain's one row: its head (the newest entry's number and hash, moved by every append, so
-- that removing the newest entries is found too) and the checkpoint the retention sweeper
-- leaves (the last entry it deleted), from which the chain is verified.
CREATE TABLE audit_chain (
    id BIGINT PRIMARY KEY CHECK (id = 1),
    head_id BIGINT,
    head_hash TEXT,
    checkpoint_id BIGINT,
    checkpoint_hash TEXT,
    checkpoint_at TIMESTAMPTZ
);
INSERT INTO audit_chain (id) VALUES (1);

-- Operators' second factor: the TOTP secret, sealed (AES-256-GCM) under a key derived from the
-- master key, with the last time step accepted (a code works once); and the recovery codes,
-- stored only as hashes and marked when used.
CREATE TABLE operator_factors (
    user_id BIGINT PRIMARY KEY REFERENCES users(id) ON DELETE CASCADE,
    totp_secret BYTEA NOT NULL,
    last_step BIGINT NOT NULL DEFAULT 0,
    enrolled_at TIMESTAMPTZ NOT NULL
);
CREATE TABLE operator_recovery_codes (
    id BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    user_id BIGINT NOT NULL REFERENCES users(id) ON DELETE CASCADE,
    code_hash TEXT NOT NULL,
    used_at TIMESTAMPTZ,
    created_at TIMESTAMPTZ NOT NULL
);
CREATE INDEX operator_recovery_codes_user ON operator_recovery_codes (user_id);
