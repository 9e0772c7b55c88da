-- Like 0012, for the tables 0014 and 0016 added: every column that refers to an account is
-- indexed, so that deleting a batch of people (the retention sweeper) checks each by index
-- instead of reading the table once per person.
CREATE INDEX account_blocks_blocked_by ON account_blocks (blocked_by);
CREATE INDEX account_blocks_lifted_by ON account_blocks (lifted_by);
CREATE INDEX support_inquiries_closed_by ON support_inquiries (closed_by);
CREATE INDEX support_messages_operator ON support_messages (operator_id);
CREATE INDEX company_members_added_by ON company_members (added_by);
CREATE INDEX company_invitations_invited_by ON company_invitations (invited_by);
CREATE INDEX company_invitations_accepted_by ON company_invitations (accepted_by);
CREATE INDEX ad_assignments_assigned_by ON ad_assignments (assigned_by);
