-- 0007_accounts_audit.sql — indexes for the staff pages of accounts.

-- The audit page filters by actor and by action, newest first.
CREATE INDEX audit_user ON audit_log(user_id, at);
CREATE INDEX audit_action ON audit_log(action, at);
