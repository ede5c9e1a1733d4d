-- The kept company scores of the trend months computed again ($1,
-- comma-separated), removed before trend_keep.sql keeps their new ones.
DELETE FROM company_month_scores
WHERE list_contains(string_split($1, ','), month);
