-- Erasing people in batches (the retention sweeper): every column that refers to an account, an
-- application, a file or a queued e-mail is indexed, so that deleting a person finds the rows
-- that cascade or lose their link by index instead of reading each table once per person; queued
-- mail is found by recipient, and the unsent mail that erasure searches for names by id.
CREATE INDEX auth_attempts_user ON auth_attempts (user_id);
CREATE INDEX auth_attempts_account_key ON auth_attempts (account_key);
CREATE INDEX ad_revisions_created_by ON ad_revisions (created_by);
CREATE INDEX ad_revisions_contact_email ON ad_revisions (contact_email);
CREATE INDEX moderation_decisions_operator ON moderation_decisions (operator_id);
CREATE INDEX application_files_file ON application_files (file_id);
CREATE INDEX application_notes_application ON application_notes (application_id);
CREATE INDEX application_notes_author ON application_notes (author_id);
CREATE INDEX disclosures_application ON disclosures (application_id);
CREATE INDEX outbox_attachments_file ON outbox_attachments (file_id);
CREATE INDEX outbox_recipient ON outbox (recipient);
CREATE INDEX outbox_unsent ON outbox (id) WHERE sent_at IS NULL;
CREATE INDEX newsletter_subscribers_user ON newsletter_subscribers (user_id);
CREATE INDEX newsletter_issues_created_by ON newsletter_issues (created_by);
CREATE INDEX newsletter_issues_sent_by ON newsletter_issues (sent_by);
CREATE INDEX operator_audit_operator ON operator_audit (operator_id);
CREATE INDEX privacy_request_events_actor ON privacy_request_events (actor_id);
CREATE INDEX companies_verified_by ON companies (verified_by);
CREATE INDEX legal_holds_placed_by ON legal_holds (placed_by);
CREATE INDEX legal_holds_lifted_by ON legal_holds (lifted_by);
