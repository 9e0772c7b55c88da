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
