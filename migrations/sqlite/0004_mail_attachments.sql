-- Files to attach to a queued e-mail (applications forwarded as attachments). The worker reads
-- and decrypts them at sending time; the rows go once the message is sent.
CREATE TABLE outbox_attachments (
    outbox_id INTEGER NOT NULL REFERENCES outbox(id) ON DELETE CASCADE,
    file_id INTEGER NOT NULL REFERENCES files(id) ON DELETE CASCADE,
    PRIMARY KEY (outbox_id, file_id)
);
