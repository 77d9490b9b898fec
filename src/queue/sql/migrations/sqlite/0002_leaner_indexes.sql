-- Fewer index writes per state change (throughput): the running set is small, so rescue and
-- release scan jobs_state_idx instead of keeping lease/worker indexes up to date; jobs without a
-- unique key stay out of the unique-key index.
DROP INDEX jobs_lease_idx;
DROP INDEX jobs_worker_idx;
DROP INDEX jobs_unique_key_idx;
CREATE UNIQUE INDEX jobs_unique_key_idx ON jobs (unique_key)
  WHERE unique_key IS NOT NULL AND state IN ('queued', 'scheduled', 'running', 'retrying', 'cancelling');
