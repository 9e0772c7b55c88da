-- Public company pages and ad statistics (issue 14).

-- Each company's permanent address, `/companies/{slug}`: made once from its name (with its CVR
-- number added if another company has that name) and never changed, so links keep working.
-- Companies made before this migration get theirs at the next start (see `accounts::store`).
ALTER TABLE companies ADD COLUMN slug TEXT;
CREATE UNIQUE INDEX companies_slug ON companies (slug);

-- What the public page shows besides the name: a short description (the ads' limited
-- Markdown), a website, the municipalities it works in (taxonomy codes, comma-separated) and
-- its logo (a public, unencrypted object named by its content hash). When the company's last
-- account is erased, this row goes (and the logo with it) and the page answers 410.
CREATE TABLE company_pages (
    company_id BIGINT PRIMARY KEY REFERENCES companies(id) ON DELETE CASCADE,
    description TEXT NOT NULL DEFAULT '',
    website TEXT,
    locations TEXT NOT NULL DEFAULT '',
    logo_key TEXT,
    logo_type TEXT,
    logo_width BIGINT,
    logo_height BIGINT,
    updated_at TIMESTAMPTZ NOT NULL
);

-- Per ad and per Copenhagen day: how often its page was seen, it was shown on a results page,
-- its apply button was used, it was applied to and saved. Plain counters, written in batches;
-- nothing about who did it (no address, no cookie, no visitor id), so no personal data.
CREATE TABLE ad_statistics (
    ad_id BIGINT NOT NULL REFERENCES ads(id) ON DELETE CASCADE,
    day DATE NOT NULL,
    page_views BIGINT NOT NULL DEFAULT 0,
    search_impressions BIGINT NOT NULL DEFAULT 0,
    apply_clicks BIGINT NOT NULL DEFAULT 0,
    applications BIGINT NOT NULL DEFAULT 0,
    saves BIGINT NOT NULL DEFAULT 0,
    PRIMARY KEY (ad_id, day)
);
