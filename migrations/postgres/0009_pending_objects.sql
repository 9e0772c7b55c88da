-- Objects in file storage that no `files` row owns: an upload is recorded here before its
-- first byte is written (under the lease of its request, renewed while the request lives),
-- and an object whose deletion failed waits here without a lease. Housekeeping deletes the
-- objects of released or expired rows, so nothing a crash or an outage leaves stays for ever.
CREATE TABLE pending_objects (
    storage_key TEXT PRIMARY KEY,
    lease TEXT,
    touched_at TIMESTAMPTZ NOT NULL
);
CREATE INDEX pending_objects_lease ON pending_objects (lease);
CREATE INDEX pending_objects_touched ON pending_objects (touched_at);
