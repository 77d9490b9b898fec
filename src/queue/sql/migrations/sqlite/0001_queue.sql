-- The job queue's tables (DESIGN.md §3). Times are Unix milliseconds from the app's Clock.
CREATE TABLE jobs (
  id                TEXT PRIMARY KEY,
  type              TEXT NOT NULL,
  queue             TEXT NOT NULL,
  payload           TEXT NOT NULL,
  priority          INTEGER NOT NULL,
  state             TEXT NOT NULL,
  unique_key        TEXT,               -- NULL = none
  attempts          INTEGER NOT NULL DEFAULT 0,
  errors            INTEGER NOT NULL DEFAULT 0,
  max_attempts      INTEGER NOT NULL,
  crashes           INTEGER NOT NULL DEFAULT 0,
  max_crashes       INTEGER NOT NULL,
  timeout_s         INTEGER NOT NULL,
  created_at        INTEGER NOT NULL,
  run_at            INTEGER NOT NULL,
  started_at        INTEGER,
  finished_at       INTEGER,
  heartbeat_at      INTEGER,
  lease_expires_at  INTEGER,
  worker_id         TEXT NOT NULL DEFAULT '',
  lease_token       INTEGER NOT NULL DEFAULT 0,
  progress_done     INTEGER NOT NULL DEFAULT 0,
  progress_total    INTEGER NOT NULL DEFAULT 0,
  progress_message  TEXT NOT NULL DEFAULT '',
  progress_event_at INTEGER,            -- last progress event, to throttle the log
  result            TEXT NOT NULL DEFAULT '',
  last_error        TEXT NOT NULL DEFAULT '',
  last_failure      TEXT,
  exit_signal       INTEGER,
  cancel_requested  INTEGER NOT NULL DEFAULT 0,
  expires_at        INTEGER             -- finished jobs: pruned after this
);

-- Claim order over runnable states; the predicate matches the claim query's.
CREATE INDEX jobs_claim_idx ON jobs (priority DESC, run_at, id)
  WHERE state IN ('queued', 'scheduled', 'retrying');
-- At most one active job per unique key, enforced by the database (racing enqueues).
CREATE UNIQUE INDEX jobs_unique_key_idx ON jobs (unique_key)
  WHERE state IN ('queued', 'scheduled', 'running', 'retrying', 'cancelling');
CREATE INDEX jobs_lease_idx ON jobs (lease_expires_at) WHERE state IN ('running', 'cancelling');
CREATE INDEX jobs_worker_idx ON jobs (worker_id) WHERE state IN ('running', 'cancelling');
CREATE INDEX jobs_due_idx ON jobs (run_at) WHERE state IN ('scheduled', 'retrying');
CREATE INDEX jobs_expires_idx ON jobs (expires_at) WHERE expires_at IS NOT NULL;
CREATE INDEX jobs_state_idx ON jobs (state, id);
CREATE INDEX jobs_type_idx ON jobs (type, id);

-- AUTOINCREMENT: ids are never reused after Prune, so feed cursors stay valid.
CREATE TABLE job_events (
  id     INTEGER PRIMARY KEY AUTOINCREMENT,
  job_id TEXT NOT NULL,
  at     INTEGER NOT NULL,
  kind   TEXT NOT NULL,
  detail TEXT NOT NULL
);
CREATE INDEX job_events_job_idx ON job_events (job_id, id);

CREATE TABLE workers (
  id           TEXT PRIMARY KEY,
  host         TEXT NOT NULL,
  pid          INTEGER NOT NULL,
  concurrency  INTEGER NOT NULL,
  current_jobs TEXT NOT NULL,           -- comma-separated job ids
  started_at   INTEGER NOT NULL,
  heartbeat_at INTEGER NOT NULL
);

CREATE TABLE leader_leases (
  name       TEXT PRIMARY KEY,
  holder     TEXT NOT NULL,
  expires_at INTEGER NOT NULL
);

CREATE TABLE schedule_firings (
  schedule   TEXT NOT NULL,
  fire_time  INTEGER NOT NULL,
  expires_at INTEGER NOT NULL,
  PRIMARY KEY (schedule, fire_time)
);
CREATE INDEX schedule_firings_expires_idx ON schedule_firings (expires_at);
