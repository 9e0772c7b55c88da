-- Companies as teams: several members per company, each an admin or a recruiter; invitations
-- by signed, expiring link; a record of every change to a company's members; and the ads each
-- recruiter works on. Every existing employer becomes the admin of their company, and the
-- author of each ad's first version is assigned to it.

ALTER TABLE company_members DROP CONSTRAINT company_members_member_role_check;
ALTER TABLE company_members RENAME COLUMN member_role TO role;
UPDATE company_members SET role = 'admin';
ALTER TABLE company_members ADD CONSTRAINT company_members_role_check
    CHECK (role IN ('admin', 'recruiter'));
ALTER TABLE company_members RENAME COLUMN created_at TO added_at;
ALTER TABLE company_members ADD COLUMN added_by BIGINT REFERENCES users(id) ON DELETE SET NULL;
CREATE INDEX company_members_company ON company_members (company_id, role);

-- An invitation to join a company: the address it was sent to, the role offered, who sent it,
-- until when it works, and when it was used (and by which account) or withdrawn.
CREATE TABLE company_invitations (
    id BIGSERIAL PRIMARY KEY,
    company_id BIGINT NOT NULL REFERENCES companies(id) ON DELETE CASCADE,
    email TEXT NOT NULL,
    role TEXT NOT NULL CHECK (role IN ('admin', 'recruiter')),
    invited_by BIGINT REFERENCES users(id) ON DELETE SET NULL,
    created_at TIMESTAMPTZ NOT NULL,
    expires_at TIMESTAMPTZ NOT NULL,
    accepted_at TIMESTAMPTZ,
    accepted_by BIGINT REFERENCES users(id) ON DELETE SET NULL,
    withdrawn_at TIMESTAMPTZ
);
CREATE INDEX company_invitations_company ON company_invitations (company_id, accepted_at);
CREATE INDEX company_invitations_email ON company_invitations (email);

-- Every change to a company's members: who joined, changed role, was removed or left, and who
-- did it. The people are account numbers: an erased account leaves the record without them.
CREATE TABLE company_member_events (
    id BIGSERIAL PRIMARY KEY,
    company_id BIGINT NOT NULL REFERENCES companies(id) ON DELETE CASCADE,
    member_id BIGINT REFERENCES users(id) ON DELETE SET NULL,
    actor_id BIGINT REFERENCES users(id) ON DELETE SET NULL,
    kind TEXT NOT NULL CHECK (kind IN ('joined', 'role_changed', 'removed', 'left', 'promoted')),
    role TEXT NOT NULL CHECK (role IN ('admin', 'recruiter')),
    created_at TIMESTAMPTZ NOT NULL
);
CREATE INDEX company_member_events_company ON company_member_events (company_id, created_at);
CREATE INDEX company_member_events_member ON company_member_events (member_id);
CREATE INDEX company_member_events_actor ON company_member_events (actor_id);

-- Which ads a recruiter works on (admins work on every ad of their company).
CREATE TABLE ad_assignments (
    ad_id BIGINT NOT NULL REFERENCES ads(id) ON DELETE CASCADE,
    user_id BIGINT NOT NULL REFERENCES users(id) ON DELETE CASCADE,
    assigned_at TIMESTAMPTZ NOT NULL,
    assigned_by BIGINT REFERENCES users(id) ON DELETE SET NULL,
    PRIMARY KEY (ad_id, user_id)
);
CREATE INDEX ad_assignments_user ON ad_assignments (user_id);
INSERT INTO ad_assignments (ad_id, user_id, assigned_at, assigned_by)
    SELECT a.id, r.created_by, a.created_at, NULL FROM ads a
    JOIN ad_revisions r ON r.id = (SELECT MIN(f.id) FROM ad_revisions f WHERE f.ad_id = a.id)
    JOIN company_members m ON m.user_id = r.created_by AND m.company_id = a.company_id;
