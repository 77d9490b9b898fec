-- The job queue's tables (DESIGN.md §3). Times are Unix milliseconds from the app's Clock.
CREATE TABLE jobs (
  id                TEXT PRIMARY KEY,
  type              TEXT NOT NULL,
  queue             TEXT NOT NULL,
  payload           TEXT NOT NULL,
  priority          BIGINT NOT NULL,
  state             TEXT NOT NULL,
  unique_key        TEXT,               -- NULL = none
  attempts          BIGINT NOT NULL DEFAULT 0,
  errors            BIGINT NOT NULL DEFAULT 0,
  max_attempts      BIGINT NOT NULL,
  crashes           BIGINT NOT NULL DEFAULT 0,
  max_crashes       BIGINT NOT NULL,
  timeout_s         BIGINT NOT NULL,
  created_at        BIGINT NOT NULL,
  run_at            BIGINT NOT NULL,
  started_at        BIGINT,
  finished_at       BIGINT,
  heartbeat_at      BIGINT,
  lease_expires_at  BIGINT,
  worker_id         TEXT NOT NULL DEFAULT '',
  lease_token       BIGINT NOT NULL DEFAULT 0,
  progress_done     BIGINT NOT NULL DEFAULT 0,
  progress_total    BIGINT NOT NULL DEFAULT 0,
  progress_message  TEXT NOT NULL DEFAULT '',
  progress_event_at BIGINT,            -- last progress event, to throttle the log
  result            TEXT NOT NULL DEFAULT '',
  last_error        TEXT NOT NULL DEFAULT '',
  last_failure      TEXT,
  exit_signal       BIGINT,
  cancel_requested  BIGINT NOT NULL DEFAULT 0,
  expires_at        BIGINT             -- finished jobs: pruned after this
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

-- Identity: ids are never reused after Prune, so feed cursors stay valid.
CREATE TABLE job_events (
  id     BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
  job_id TEXT NOT NULL,
  at     BIGINT NOT NULL,
  kind   TEXT NOT NULL,
  detail TEXT NOT NULL
);
CREATE INDEX job_events_job_idx ON job_events (job_id, id);

CREATE TABLE workers (
  id           TEXT PRIMARY KEY,
  host         TEXT NOT NULL,
  pid          BIGINT NOT NULL,
  concurrency  BIGINT NOT NULL,
  current_jobs TEXT NOT NULL,           -- comma-separated job ids
  started_at   BIGINT NOT NULL,
  heartbeat_at BIGINT NOT NULL
);

CREATE TABLE leader_leases (
  name       TEXT PRIMARY KEY,
  holder     TEXT NOT NULL,
  expires_at BIGINT NOT NULL
);

CREATE TABLE schedule_firings (
  schedule   TEXT NOT NULL,
  fire_time  BIGINT NOT NULL,
  expires_at BIGINT NOT NULL,
  PRIMARY KEY (schedule, fire_time)
);
CREATE INDEX schedule_firings_expires_idx ON schedule_firings (expires_at);
