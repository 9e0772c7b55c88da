-- The operator console: blocking accounts and companies (each block documented, and kept five
-- years after it is lifted), the support inbox the contact form feeds, and the indexes the
-- dashboard's daily counts use.

-- Whether an account or company is blocked now; `account_blocks` holds why, by whom and since.
ALTER TABLE users ADD COLUMN blocked_at TIMESTAMPTZ;
ALTER TABLE companies ADD COLUMN blocked_at TIMESTAMPTZ;

-- One row per block: a fixed reason code and a note, who placed it, and when, by whom and why it
-- was lifted. `subject_id` is a plain number so the documentation outlives an erased account.
CREATE TABLE account_blocks (
    id BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    subject_kind TEXT NOT NULL CHECK (subject_kind IN ('user', 'company')),
    subject_id BIGINT NOT NULL,
    reason TEXT NOT NULL,
    note TEXT NOT NULL,
    blocked_by BIGINT REFERENCES users(id) ON DELETE SET NULL,
    blocked_at TIMESTAMPTZ NOT NULL,
    lift_reason TEXT,
    lift_note TEXT,
    lifted_by BIGINT REFERENCES users(id) ON DELETE SET NULL,
    lifted_at TIMESTAMPTZ
);
CREATE INDEX account_blocks_subject ON account_blocks (subject_kind, subject_id);
-- At most one block in force per account or company.
CREATE UNIQUE INDEX account_blocks_in_force ON account_blocks (subject_kind, subject_id) WHERE lifted_at IS NULL;

-- An inquiry from the contact form: filed once the address is confirmed (or at once from a
-- signed-in account), answered by e-mail from the console, closed, deleted 12 months later.
CREATE TABLE support_inquiries (
    id BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    email TEXT NOT NULL,
    name TEXT NOT NULL,
    user_id BIGINT REFERENCES users(id) ON DELETE SET NULL,
    topic TEXT NOT NULL,
    subject TEXT NOT NULL,
    lang TEXT NOT NULL,
    masked_ip TEXT NOT NULL,
    state TEXT NOT NULL CHECK (state IN ('unverified', 'open', 'closed')),
    token_hash TEXT,
    verify_by TIMESTAMPTZ NOT NULL,
    created_at TIMESTAMPTZ NOT NULL,
    received_at TIMESTAMPTZ,
    closed_at TIMESTAMPTZ,
    closed_by BIGINT REFERENCES users(id) ON DELETE SET NULL
);
CREATE INDEX support_inquiries_state ON support_inquiries (state, received_at);
CREATE INDEX support_inquiries_email ON support_inquiries (email, created_at);
CREATE INDEX support_inquiries_network ON support_inquiries (masked_ip, created_at);
CREATE INDEX support_inquiries_user ON support_inquiries (user_id);

-- The thread: the sender's message, then each reply an operator sent.
CREATE TABLE support_messages (
    id BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    inquiry_id BIGINT NOT NULL REFERENCES support_inquiries(id) ON DELETE CASCADE,
    author TEXT NOT NULL CHECK (author IN ('sender', 'operator')),
    operator_id BIGINT REFERENCES users(id) ON DELETE SET NULL,
    body TEXT NOT NULL,
    created_at TIMESTAMPTZ NOT NULL
);
CREATE INDEX support_messages_inquiry ON support_messages (inquiry_id, id);

-- The dashboard counts registrations, new ads and applications per day.
CREATE INDEX users_created ON users (created_at);
CREATE INDEX ads_first_published ON ads (first_published_at);
CREATE INDEX applications_created ON applications (created_at);
