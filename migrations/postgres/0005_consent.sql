-- Cookie consent: the exact texts shown, every decision (append-only history), and the
-- first-party statistics that exist only for visitors who consented to them.

-- Each distinct text a banner or settings page showed, by its SHA-256 hash, so that a
-- record's hash can always be turned back into the words the person read.
CREATE TABLE consent_texts (
    text_hash TEXT PRIMARY KEY,
    lang TEXT NOT NULL,
    policy_version TEXT NOT NULL,
    body TEXT NOT NULL,
    first_shown_at TIMESTAMPTZ NOT NULL
);

-- One row per decision; rows are only ever added (the history is the proof).
CREATE TABLE cookie_consents (
    id BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    consent_id TEXT NOT NULL,
    decided_at TIMESTAMPTZ NOT NULL,
    policy_version TEXT NOT NULL,
    text_hash TEXT NOT NULL REFERENCES consent_texts(text_hash),
    lang TEXT NOT NULL,
    preferences BOOLEAN NOT NULL,
    statistics BOOLEAN NOT NULL,
    marketing BOOLEAN NOT NULL,
    method TEXT NOT NULL CHECK (method IN ('accept_all', 'reject_all', 'choose', 'withdraw')),
    page TEXT NOT NULL,
    masked_ip TEXT NOT NULL,
    user_id BIGINT REFERENCES users(id) ON DELETE SET NULL
);
CREATE INDEX cookie_consents_consent_id ON cookie_consents (consent_id, id);
CREATE INDEX cookie_consents_user_id ON cookie_consents (user_id);
CREATE INDEX cookie_consents_decided_at ON cookie_consents (decided_at);

-- Page views of visitors who consented to statistics: the route (a template such as
-- /jobs/{id}, never a query string), the Copenhagen day, the masked IP and the visit cookie.
CREATE TABLE page_views (
    id BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    viewed_on DATE NOT NULL,
    viewed_at TIMESTAMPTZ NOT NULL,
    route TEXT NOT NULL,
    visit_id TEXT NOT NULL,
    masked_ip TEXT NOT NULL
);
CREATE INDEX page_views_viewed_on ON page_views (viewed_on);
CREATE INDEX page_views_viewed_at ON page_views (viewed_at);

-- Arrivals through a campaign link (utm_source / utm_campaign) of visitors who consented to
-- marketing.
CREATE TABLE campaign_visits (
    id BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    visited_on DATE NOT NULL,
    visited_at TIMESTAMPTZ NOT NULL,
    source TEXT NOT NULL,
    campaign TEXT NOT NULL
);
CREATE INDEX campaign_visits_visited_on ON campaign_visits (visited_on);
