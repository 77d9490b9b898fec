-- Posts: one row per public message, deduplicated by (source, external_id), URL and content.
-- id is the rowid, so every index below ends implicitly in id: (created_at) serves the keyset
-- order (created_at, id) in both directions.
CREATE TABLE posts (
  id              INTEGER PRIMARY KEY,
  source          TEXT    NOT NULL CHECK (source <> ''),
  external_id     TEXT    NOT NULL CHECK (external_id <> ''),
  url             TEXT    NOT NULL DEFAULT '',
  title           TEXT    NOT NULL DEFAULT '',
  content         TEXT    NOT NULL DEFAULT '',
  author          TEXT    NOT NULL DEFAULT '',
  created_at      INTEGER NOT NULL,
  collected_at    INTEGER NOT NULL,
  language        TEXT    NOT NULL DEFAULT '',
  sentiment_score REAL    NOT NULL DEFAULT 0,
  sentiment_label TEXT    NOT NULL DEFAULT '',
  is_complaint    INTEGER NOT NULL DEFAULT 0,
  complaint_score REAL    NOT NULL DEFAULT 0,
  product         TEXT    NOT NULL DEFAULT '',
  country         TEXT    NOT NULL DEFAULT '',
  relevance_score REAL    NOT NULL DEFAULT 0,
  rating          REAL,
  likes           INTEGER NOT NULL DEFAULT 0,
  score           INTEGER NOT NULL DEFAULT 0,
  comments        INTEGER NOT NULL DEFAULT 0,
  evidence        TEXT    NOT NULL DEFAULT '{}',
  metadata        TEXT    NOT NULL DEFAULT '{}',
  answered        INTEGER NOT NULL DEFAULT 0,
  answered_at     INTEGER,
  answered_by     TEXT    NOT NULL DEFAULT '',
  answered_method TEXT    NOT NULL DEFAULT '',
  false_positive  INTEGER NOT NULL DEFAULT 0,
  content_hash    TEXT    NOT NULL,
  UNIQUE (source, external_id)
);

-- Dedup lookups.
CREATE INDEX posts_url ON posts (url) WHERE url <> '';
CREATE INDEX posts_source_hash ON posts (source, content_hash);

-- Keyset orders: newest/oldest walk (created_at, id), relevance walks (relevance_score, id).
CREATE INDEX posts_created ON posts (created_at);
CREATE INDEX posts_relevance ON posts (relevance_score);

-- "WHERE <filter> = ? ORDER BY created_at DESC, id DESC LIMIT n" walks one of these in order
-- and stops after n rows instead of sorting every match. They are partial (false positives are
-- hidden by default, and the store inlines "false_positive = 0" so SQLite can use them). The
-- false_positive column (constant inside each index, and before created_at so the order is
-- kept) makes them covering for the stats breakdowns: SQLite 3.40 does not infer it from the
-- partial-index WHERE.
CREATE INDEX posts_source_created ON posts (source, false_positive, created_at)
  WHERE false_positive = 0;
CREATE INDEX posts_product_created ON posts (product, false_positive, created_at)
  WHERE false_positive = 0;
CREATE INDEX posts_language_created ON posts (language, false_positive, created_at)
  WHERE false_positive = 0;
CREATE INDEX posts_country_created ON posts (country, false_positive, created_at)
  WHERE false_positive = 0;
CREATE INDEX posts_sentiment_created ON posts (sentiment_label, false_positive, created_at)
  WHERE false_positive = 0;
CREATE INDEX posts_complaint_created ON posts (is_complaint, answered, false_positive, created_at)
  WHERE false_positive = 0;
-- Covers the stats timeline and totals (one narrow scan instead of reading whole rows).
-- (false_positive last: leading with it would look selective to the planner and win over the
-- ordered indexes above.)
CREATE INDEX posts_timeline
  ON posts (created_at, sentiment_label, is_complaint, answered, false_positive)
  WHERE false_positive = 0;

-- Full text over title + content. Accents are significant (remove_diacritics 0); unicode61
-- folds case.
CREATE VIRTUAL TABLE posts_fts USING fts5(
  title, content,
  content = 'posts', content_rowid = 'id',
  tokenize = 'unicode61 remove_diacritics 0'
);

CREATE TRIGGER posts_fts_insert AFTER INSERT ON posts BEGIN
  INSERT INTO posts_fts (rowid, title, content) VALUES (new.id, new.title, new.content);
END;

CREATE TRIGGER posts_fts_delete AFTER DELETE ON posts BEGIN
  INSERT INTO posts_fts (posts_fts, rowid, title, content)
  VALUES ('delete', old.id, old.title, old.content);
END;

CREATE TRIGGER posts_fts_update AFTER UPDATE OF title, content ON posts
WHEN old.title IS NOT new.title OR old.content IS NOT new.content BEGIN
  INSERT INTO posts_fts (posts_fts, rowid, title, content)
  VALUES ('delete', old.id, old.title, old.content);
  INSERT INTO posts_fts (rowid, title, content) VALUES (new.id, new.title, new.content);
END;
