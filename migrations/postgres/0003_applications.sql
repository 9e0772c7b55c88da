-- Job seekers' profiles, their files (encrypted with a per-person key), saved jobs, and
-- applications with the employer's pipeline, notes, and the record of who received what.

ALTER TABLE companies ADD COLUMN forward_attachments BOOLEAN NOT NULL DEFAULT FALSE;

CREATE TABLE seeker_profiles (
    user_id BIGINT PRIMARY KEY REFERENCES users(id) ON DELETE CASCADE,
    address TEXT,
    phone TEXT,
    interest_occupations TEXT NOT NULL DEFAULT '',
    interest_municipalities TEXT NOT NULL DEFAULT '',
    interest_employment_types TEXT NOT NULL DEFAULT '',
    visible_to_employers BOOLEAN NOT NULL DEFAULT FALSE,
    photo_file_id BIGINT,
    photo_consent_at TIMESTAMPTZ,
    updated_at TIMESTAMPTZ NOT NULL
);

-- A person's data key, wrapped by the master key. Deleting the row makes every copy of the
-- person's files unreadable (crypto-shredding).
CREATE TABLE data_keys (
    user_id BIGINT PRIMARY KEY REFERENCES users(id) ON DELETE CASCADE,
    wrapped_key BYTEA NOT NULL,
    created_at TIMESTAMPTZ NOT NULL
);

CREATE TABLE files (
    id BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    owner_id BIGINT NOT NULL REFERENCES users(id) ON DELETE CASCADE,
    kind TEXT NOT NULL CHECK (kind IN ('cv', 'attachment', 'photo', 'application')),
    name TEXT NOT NULL,
    safe_name TEXT NOT NULL,
    content_type TEXT NOT NULL,
    size_bytes BIGINT NOT NULL,
    storage_key TEXT NOT NULL UNIQUE,
    is_default BOOLEAN NOT NULL DEFAULT FALSE,
    created_at TIMESTAMPTZ NOT NULL
);
CREATE INDEX files_owner ON files (owner_id, kind);

CREATE TABLE saved_ads (
    user_id BIGINT NOT NULL REFERENCES users(id) ON DELETE CASCADE,
    ad_id BIGINT NOT NULL REFERENCES ads(id) ON DELETE CASCADE,
    saved_at TIMESTAMPTZ NOT NULL,
    PRIMARY KEY (user_id, ad_id)
);

CREATE TABLE applications (
    id BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    ad_id BIGINT NOT NULL REFERENCES ads(id) ON DELETE CASCADE,
    company_id BIGINT NOT NULL REFERENCES companies(id) ON DELETE CASCADE,
    seeker_id BIGINT NOT NULL REFERENCES users(id) ON DELETE CASCADE,
    cover_letter TEXT NOT NULL,
    status TEXT NOT NULL CHECK (status IN ('received', 'reviewed', 'shortlisted', 'interview', 'offer', 'hired', 'rejected')),
    status_changed_at TIMESTAMPTZ NOT NULL,
    created_at TIMESTAMPTZ NOT NULL,
    delete_after TIMESTAMPTZ NOT NULL,
    UNIQUE (ad_id, seeker_id)
);
CREATE INDEX applications_company ON applications (company_id, ad_id, status);
CREATE INDEX applications_seeker ON applications (seeker_id);
CREATE INDEX applications_delete_after ON applications (delete_after);

CREATE TABLE application_files (
    application_id BIGINT NOT NULL REFERENCES applications(id) ON DELETE CASCADE,
    file_id BIGINT NOT NULL REFERENCES files(id) ON DELETE CASCADE,
    role TEXT NOT NULL CHECK (role IN ('cv', 'attachment')),
    PRIMARY KEY (application_id, file_id)
);

CREATE TABLE application_notes (
    id BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    application_id BIGINT NOT NULL REFERENCES applications(id) ON DELETE CASCADE,
    author_id BIGINT REFERENCES users(id) ON DELETE SET NULL,
    body TEXT NOT NULL,
    created_at TIMESTAMPTZ NOT NULL
);

-- What was handed to whom: the seeker sees every row about them.
CREATE TABLE disclosures (
    id BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    seeker_id BIGINT NOT NULL REFERENCES users(id) ON DELETE CASCADE,
    application_id BIGINT REFERENCES applications(id) ON DELETE SET NULL,
    company_id BIGINT REFERENCES companies(id) ON DELETE SET NULL,
    company_name TEXT NOT NULL,
    channel TEXT NOT NULL CHECK (channel IN ('inbox', 'email_link', 'email_attachments')),
    recipient TEXT NOT NULL,
    items TEXT NOT NULL,
    disclosed_at TIMESTAMPTZ NOT NULL
);
CREATE INDEX disclosures_seeker ON disclosures (seeker_id, disclosed_at);
