-- Seekers may show their profile to verified employers: a company is verified when an operator
-- has checked it (e.g. its CVR in the business register), recorded with who and when.
ALTER TABLE companies ADD COLUMN verified_at TIMESTAMPTZ;
ALTER TABLE companies ADD COLUMN verified_by BIGINT REFERENCES users(id) ON DELETE SET NULL;
