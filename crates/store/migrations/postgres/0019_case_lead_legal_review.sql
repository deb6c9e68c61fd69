-- 法制审核 of a case lead's dismissal: a lead of the 一般 tier or above is
-- dismissed only once a legal reviewer signs it off. The proposal (who asked,
-- when; its reason stays in decision_reason) and the review (who, when, the
-- decision and the opinion) are kept on the lead; the audit chain has each step.
-- Kept in step with ../sqlite/0019_case_lead_legal_review.sql.

ALTER TABLE case_leads ADD COLUMN dismissal_requested_by TEXT;
ALTER TABLE case_leads ADD COLUMN dismissal_requested_at TEXT;
ALTER TABLE case_leads ADD COLUMN legal_reviewed_by TEXT;
ALTER TABLE case_leads ADD COLUMN legal_reviewed_at TEXT;
-- approve or reject
ALTER TABLE case_leads ADD COLUMN legal_review_decision TEXT;
ALTER TABLE case_leads ADD COLUMN legal_review_opinion TEXT;
