-- The operator audit log becomes a hash chain: each entry names the operator, the action, whose
-- data (an account number), which record (kind and number) and the reason code, and carries
-- the hash of the entry before it and its own. The operator is a plain number (no foreign key):
-- nothing may change a written entry, not even the deletion of an operator's account.
-- Entries written before this migration get their hashes when the application first starts.
CREATE TABLE operator_audit_new (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    operator_id INTEGER NOT NULL,
    action TEXT NOT NULL,
    subject_user_id INTEGER,
    object_kind TEXT,
    object_id INTEGER,
    reason TEXT,
    created_at TEXT NOT NULL,
    prev_hash TEXT,
    hash TEXT
);
INSERT INTO operator_audit_new (id, operator_id, action, subject_user_id, object_kind, object_id, created_at)
SELECT id, COALESCE(operator_id, 0), action, subject_user_id,
       CASE WHEN request_id IS NULL THEN NULL ELSE 'privacy_request' END, request_id, created_at
FROM operator_audit ORDER BY id;
DROP TABLE operator_audit;
ALTER TABLE operator_audit_new RENAME TO operator_audit;
CREATE INDEX operator_audit_subject ON operator_audit (subject_user_id, created_at);
CREATE INDEX operator_audit_operator ON operator_audit (operator_id);

-- The chain's one row: its head (the newest entry's number and hash, moved by every append, so
-- that removing the newest entries is found too) and the checkpoint the retention sweeper
-- leaves (the last entry it deleted), from which the chain is verified.
CREATE TABLE audit_chain (
    id INTEGER PRIMARY KEY CHECK (id = 1),
    head_id INTEGER,
    head_hash TEXT,
    checkpoint_id INTEGER,
    checkpoint_hash TEXT,
    checkpoint_at TEXT
);
INSERT INTO audit_chain (id) VALUES (1);
