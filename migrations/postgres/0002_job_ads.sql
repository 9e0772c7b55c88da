-- Job ads. An ad's content lives in revisions: the live revision is what the public sees, the
-- draft revision is what the employer edits and the operator reviews, so an edit of a published
-- ad waits for approval while the old version stays live.

ALTER TABLE companies ADD COLUMN trusted BOOLEAN NOT NULL DEFAULT FALSE;

CREATE TABLE ads (
    id BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    company_id BIGINT NOT NULL REFERENCES companies(id) ON DELETE CASCADE,
    state TEXT NOT NULL CHECK (state IN ('draft', 'in_review', 'published', 'rejected', 'expired', 'closed')),
    live_revision_id BIGINT,
    draft_revision_id BIGINT,
    review_status TEXT CHECK (review_status IN ('editing', 'submitted', 'rejected')),
    rejection_reason TEXT,
    submitted_at TIMESTAMPTZ,
    first_published_at TIMESTAMPTZ,
    published_at TIMESTAMPTZ,
    expires_at TIMESTAMPTZ,
    closed_at TIMESTAMPTZ,
    created_at TIMESTAMPTZ NOT NULL,
    updated_at TIMESTAMPTZ NOT NULL
);
CREATE INDEX ads_company ON ads (company_id, state);
CREATE INDEX ads_public ON ads (state, published_at);
CREATE INDEX ads_review ON ads (review_status, submitted_at);
CREATE INDEX ads_expiry ON ads (state, expires_at);

CREATE TABLE ad_revisions (
    id BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    ad_id BIGINT NOT NULL REFERENCES ads(id) ON DELETE CASCADE,
    lang TEXT NOT NULL,
    title TEXT NOT NULL,
    description TEXT NOT NULL,
    municipality_code TEXT NOT NULL,
    street_address TEXT,
    remote TEXT NOT NULL,
    occupation_id TEXT NOT NULL,
    employment_type TEXT NOT NULL,
    working_time TEXT NOT NULL,
    hours_per_week INTEGER,
    salary_min BIGINT NOT NULL,
    salary_max BIGINT NOT NULL,
    salary_period TEXT NOT NULL,
    salary_currency TEXT NOT NULL,
    deadline DATE,
    start_date DATE,
    contact_name TEXT,
    contact_email TEXT,
    contact_phone TEXT,
    apply_method TEXT NOT NULL,
    apply_url TEXT,
    apply_email TEXT,
    created_by BIGINT REFERENCES users(id) ON DELETE SET NULL,
    created_at TIMESTAMPTZ NOT NULL
);
CREATE INDEX ad_revisions_ad ON ad_revisions (ad_id);

-- Every change that can alter what the public sees of an ad, in commit order; each node's
-- search index applies it from its own checkpoint.
CREATE TABLE ad_changes (
    seq BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    ad_id BIGINT NOT NULL,
    changed_at TIMESTAMPTZ NOT NULL
);
CREATE INDEX ad_changes_time ON ad_changes (changed_at);

CREATE TABLE moderation_decisions (
    id BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    ad_id BIGINT NOT NULL REFERENCES ads(id) ON DELETE CASCADE,
    revision_id BIGINT NOT NULL,
    operator_id BIGINT REFERENCES users(id) ON DELETE SET NULL,
    decision TEXT NOT NULL CHECK (decision IN ('approved', 'rejected', 'auto_approved')),
    reason TEXT,
    created_at TIMESTAMPTZ NOT NULL
);
CREATE INDEX moderation_decisions_ad ON moderation_decisions (ad_id);
