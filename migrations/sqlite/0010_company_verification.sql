-- Seekers may show their profile to verified employers: a company is verified when an operator
-- has checked it (e.g. its CVR in the business register), recorded with who and when.
ALTER TABLE companies ADD COLUMN verified_at TEXT;
ALTER TABLE companies ADD COLUMN verified_by INTEGER REFERENCES users(id) ON DELETE SET NULL;
