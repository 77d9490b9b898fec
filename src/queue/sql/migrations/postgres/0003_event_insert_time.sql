-- Concurrent transactions may commit their events out of id order, so a feed reader can see id
-- N+1 before N. EventsSince stops at such a gap while the event after it is young (the gap may
-- be a transaction still in flight) and steps over it once it is old (a rollback). This is the
-- database's clock on purpose: it measures how long real transactions take, not job time.
ALTER TABLE job_events ADD COLUMN inserted_at TIMESTAMPTZ NOT NULL DEFAULT clock_timestamp();
