-- Companies as teams: several members per company, each an admin or a recruiter; invitations
-- by signed, expiring link; a record of every change to a company's members; and the ads each
-- recruiter works on. Every existing employer becomes the admin of their company, and the
-- author of each ad's first version is assigned to it.

CREATE TABLE company_members_new (
    company_id INTEGER NOT NULL REFERENCES companies(id) ON DELETE CASCADE,
    user_id INTEGER NOT NULL UNIQUE REFERENCES users(id) ON DELETE CASCADE,
    role TEXT NOT NULL CHECK (role IN ('admin', 'recruiter')),
    added_at TEXT NOT NULL,
    added_by INTEGER REFERENCES users(id) ON DELETE SET NULL,
    PRIMARY KEY (company_id, user_id)
);
INSERT INTO company_members_new (company_id, user_id, role, added_at, added_by)
    SELECT company_id, user_id, 'admin', created_at, NULL FROM company_members;
DROP TABLE company_members;
ALTER TABLE company_members_new RENAME TO company_members;
CREATE INDEX company_members_company ON company_members (company_id, role);

-- An invitation to join a company: the address it was sent to, the role offered, who sent it,
-- until when it works, and when it was used (and by which account) or withdrawn.
CREATE TABLE company_invitations (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    company_id INTEGER NOT NULL REFERENCES companies(id) ON DELETE CASCADE,
    email TEXT NOT NULL,
    role TEXT NOT NULL CHECK (role IN ('admin', 'recruiter')),
    invited_by INTEGER REFERENCES users(id) ON DELETE SET NULL,
    created_at TEXT NOT NULL,
    expires_at TEXT NOT NULL,
    accepted_at TEXT,
    accepted_by INTEGER REFERENCES users(id) ON DELETE SET NULL,
    withdrawn_at TEXT
);
CREATE INDEX company_invitations_company ON company_invitations (company_id, accepted_at);
CREATE INDEX company_invitations_email ON company_invitations (email);

-- Every change to a company's members: who joined, changed role, was removed or left, and who
-- did it. The people are account numbers: an erased account leaves the record without them.
CREATE TABLE company_member_events (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    company_id INTEGER NOT NULL REFERENCES companies(id) ON DELETE CASCADE,
    member_id INTEGER REFERENCES users(id) ON DELETE SET NULL,
    actor_id INTEGER REFERENCES users(id) ON DELETE SET NULL,
    kind TEXT NOT NULL CHECK (kind IN ('joined', 'role_changed', 'removed', 'left', 'promoted')),
    role TEXT NOT NULL CHECK (role IN ('admin', 'recruiter')),
    created_at TEXT NOT NULL
);
CREATE INDEX company_member_events_company ON company_member_events (company_id, created_at);
CREATE INDEX company_member_events_member ON company_member_events (member_id);
CREATE INDEX company_member_events_actor ON company_member_events (actor_id);

-- Which ads a recruiter works on (admins work on every ad of their company).
CREATE TABLE ad_assignments (
    ad_id INTEGER NOT NULL REFERENCES ads(id) ON DELETE CASCADE,
    user_id INTEGER NOT NULL REFERENCES users(id) ON DELETE CASCADE,
    assigned_at TEXT NOT NULL,
    assigned_by INTEGER REFERENCES users(id) ON DELETE SET NULL,
    PRIMARY KEY (ad_id, user_id)
);
CREATE INDEX ad_assignments_user ON ad_assignments (user_id);
INSERT INTO ad_assignments (ad_id, user_id, assigned_at, assigned_by)
    SELECT a.id, r.created_by, a.created_at, NULL FROM ads a
    JOIN ad_revisions r ON r.id = (SELECT MIN(f.id) FROM ad_revisions f WHERE f.ad_id = a.id)
    JOIN company_members m ON m.user_id = r.created_by AND m.company_id = a.company_id;
