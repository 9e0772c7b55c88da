-- The data-subject rights: login history, a person's restriction of processing and objection to
-- direct marketing, the history of their privacy decisions, the audit of operators' access to
-- personal data, records documenting erasures, and privacy requests from people without an
-- account with every step taken on them.

-- Each successful login, with the IP address masked to /24 or /48 (never the full address).
CREATE TABLE login_events (
    id BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    user_id BIGINT NOT NULL REFERENCES users(id) ON DELETE CASCADE,
    masked_ip TEXT NOT NULL,
    created_at TIMESTAMPTZ NOT NULL
);
CREATE INDEX login_events_user ON login_events (user_id, created_at);

-- Art. 18 restriction and Art. 21 objection; a row exists once either was ever set.
CREATE TABLE processing_limits (
    user_id BIGINT PRIMARY KEY REFERENCES users(id) ON DELETE CASCADE,
    restricted_since TIMESTAMPTZ,
    marketing_objection_since TIMESTAMPTZ,
    updated_at TIMESTAMPTZ NOT NULL
);

-- What the person decided in the privacy centre and when (consents given and withdrawn,
-- restriction, objection, corrections, exports): the history they see.
CREATE TABLE privacy_events (
    id BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    user_id BIGINT NOT NULL REFERENCES users(id) ON DELETE CASCADE,
    event TEXT NOT NULL,
    detail TEXT NOT NULL DEFAULT '',
    created_at TIMESTAMPTZ NOT NULL
);
CREATE INDEX privacy_events_user ON privacy_events (user_id, created_at);

-- Operators acting on or looking at a person's data. `subject_user_id` is a plain number (no
-- foreign key) so the trail outlives an erasure without naming anyone.
CREATE TABLE operator_audit (
    id BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    operator_id BIGINT REFERENCES users(id) ON DELETE SET NULL,
    subject_user_id BIGINT,
    request_id BIGINT,
    action TEXT NOT NULL,
    created_at TIMESTAMPTZ NOT NULL
);
CREATE INDEX operator_audit_subject ON operator_audit (subject_user_id, created_at);

-- Documentation of an erasure (kept 5 years): which account number, how it was asked for, what
-- was erased and who was told. Never a name, address or file.
CREATE TABLE erasure_records (
    id BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    former_user_id BIGINT,
    role TEXT NOT NULL,
    requested_via TEXT NOT NULL,
    request_id BIGINT,
    summary TEXT NOT NULL,
    recipients_told BIGINT NOT NULL,
    erased_at TIMESTAMPTZ NOT NULL
);

-- Requests from people without an account (or who prefer to write): filed only once the
-- address is verified; due one month from receipt, extendable once by two months.
CREATE TABLE privacy_requests (
    id BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    email TEXT NOT NULL,
    kind TEXT NOT NULL CHECK (kind IN ('access', 'erasure', 'correction', 'other')),
    message TEXT NOT NULL,
    lang TEXT NOT NULL,
    masked_ip TEXT NOT NULL,
    state TEXT NOT NULL CHECK (state IN ('unverified', 'open', 'answered')),
    token_hash TEXT UNIQUE,
    verify_by TIMESTAMPTZ NOT NULL,
    received_at TIMESTAMPTZ,
    due_at TIMESTAMPTZ,
    extension_reason TEXT,
    answer TEXT,
    answered_at TIMESTAMPTZ,
    created_at TIMESTAMPTZ NOT NULL
);
CREATE INDEX privacy_requests_queue ON privacy_requests (state, due_at);
CREATE INDEX privacy_requests_email ON privacy_requests (email);

-- Every step on a request, with who took it and when.
CREATE TABLE privacy_request_events (
    id BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    request_id BIGINT NOT NULL REFERENCES privacy_requests(id) ON DELETE CASCADE,
    actor_id BIGINT REFERENCES users(id) ON DELETE SET NULL,
    actor TEXT NOT NULL,
    event TEXT NOT NULL,
    detail TEXT NOT NULL DEFAULT '',
    created_at TIMESTAMPTZ NOT NULL
);
CREATE INDEX privacy_request_events_request ON privacy_request_events (request_id, id);
