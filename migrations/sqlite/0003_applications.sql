-- Job seekers' profiles, their files (encrypted with a per-person key), saved jobs, and
-- applications with the employer's pipeline, notes, and the record of who received what.

ALTER TABLE companies ADD COLUMN forward_attachments BOOLEAN NOT NULL DEFAULT 0;

CREATE TABLE seeker_profiles (
    user_id INTEGER PRIMARY KEY REFERENCES users(id) ON DELETE CASCADE,
    address TEXT,
    phone TEXT,
    interest_occupations TEXT NOT NULL DEFAULT '',
    interest_municipalities TEXT NOT NULL DEFAULT '',
    interest_employment_types TEXT NOT NULL DEFAULT '',
    visible_to_employers BOOLEAN NOT NULL DEFAULT 0,
    photo_file_id INTEGER,
    photo_consent_at TEXT,
    updated_at TEXT NOT NULL
);

-- A person's data key, wrapped by the master key. Deleting the row makes every copy of the
-- person's files unreadable (crypto-shredding).
CREATE TABLE data_keys (
    user_id INTEGER PRIMARY KEY REFERENCES users(id) ON DELETE CASCADE,
    wrapped_key BLOB NOT NULL,
    created_at TEXT NOT NULL
);

CREATE TABLE files (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    owner_id INTEGER NOT NULL REFERENCES users(id) ON DELETE CASCADE,
    kind TEXT NOT NULL CHECK (kind IN ('cv', 'attachment', 'photo', 'application')),
    name TEXT NOT NULL,
    safe_name TEXT NOT NULL,
    content_type TEXT NOT NULL,
    size_bytes BIGINT NOT NULL,
    storage_key TEXT NOT NULL UNIQUE,
    is_default BOOLEAN NOT NULL DEFAULT 0,
    created_at TEXT NOT NULL
);
CREATE INDEX files_owner ON files (owner_id, kind);

CREATE TABLE saved_ads (
    user_id INTEGER NOT NULL REFERENCES users(id) ON DELETE CASCADE,
    ad_id INTEGER NOT NULL REFERENCES ads(id) ON DELETE CASCADE,
    saved_at TEXT NOT NULL,
    PRIMARY KEY (user_id, ad_id)
);

CREATE TABLE applications (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    ad_id INTEGER NOT NULL REFERENCES ads(id) ON DELETE CASCADE,
    company_id INTEGER NOT NULL REFERENCES companies(id) ON DELETE CASCADE,
    seeker_id INTEGER NOT NULL REFERENCES users(id) ON DELETE CASCADE,
    cover_letter TEXT NOT NULL,
    status TEXT NOT NULL CHECK (status IN ('received', 'reviewed', 'shortlisted', 'interview', 'offer', 'hired', 'rejected')),
    status_changed_at TEXT NOT NULL,
    created_at TEXT NOT NULL,
    delete_after TEXT NOT NULL,
    UNIQUE (ad_id, seeker_id)
);
CREATE INDEX applications_company ON applications (company_id, ad_id, status);
CREATE INDEX applications_seeker ON applications (seeker_id);
CREATE INDEX applications_delete_after ON applications (delete_after);

CREATE TABLE application_files (
    application_id INTEGER NOT NULL REFERENCES applications(id) ON DELETE CASCADE,
    file_id INTEGER NOT NULL REFERENCES files(id) ON DELETE CASCADE,
    role TEXT NOT NULL CHECK (role IN ('cv', 'attachment')),
    PRIMARY KEY (application_id, file_id)
);

CREATE TABLE application_notes (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    application_id INTEGER NOT NULL REFERENCES applications(id) ON DELETE CASCADE,
    author_id INTEGER REFERENCES users(id) ON DELETE SET NULL,
    body TEXT NOT NULL,
    created_at TEXT NOT NULL
);

-- What was handed to whom: the seeker sees every row about them.
CREATE TABLE disclosures (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    seeker_id INTEGER NOT NULL REFERENCES users(id) ON DELETE CASCADE,
    application_id INTEGER REFERENCES applications(id) ON DELETE SET NULL,
    company_id INTEGER REFERENCES companies(id) ON DELETE SET NULL,
    company_name TEXT NOT NULL,
    channel TEXT NOT NULL CHECK (channel IN ('inbox', 'email_link', 'email_attachments')),
    recipient TEXT NOT NULL,
    items TEXT NOT NULL,
    disclosed_at TEXT NOT NULL
);
CREATE INDEX disclosures_seeker ON disclosures (seeker_id, disclosed_at);
