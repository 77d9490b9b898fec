-- API tokens: only the SHA-256 of the secret is kept. Names are unique among live tokens, so a
-- revoked name can be reused.
CREATE TABLE api_tokens (
  id          INTEGER PRIMARY KEY,
  name        TEXT    NOT NULL CHECK (name <> ''),
  role        TEXT    NOT NULL CHECK (role IN ('viewer', 'operator', 'admin')),
  secret_hash TEXT    NOT NULL,
  created_at  INTEGER NOT NULL,
  revoked_at  INTEGER
);

CREATE UNIQUE INDEX api_tokens_live_name ON api_tokens (name) WHERE revoked_at IS NULL;
