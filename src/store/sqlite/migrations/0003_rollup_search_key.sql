-- 0003: cheaper imports, stats from a rollup, newest-first text search without sorting.
--
-- 1. Fewer indexes. At 1M posts each index keyed by created_at costs about one page write per
--    inserted post (imports arrive in no particular time order), so an index stays only when a
--    page query needs it:
--    - posts_timeline and the (column, false_positive, created_at) indexes served the stats
--      scans; stats now read post_rollup (below).
--    - sentiment, is_complaint/answered and language have a handful of values, each a large
--      share of the posts: a "newest" page filtered on them walks posts_created and finds its
--      rows within a few hundred entries.
--    - product, source and country can have rare values, for which walking posts_created would
--      read most of the table; they keep a narrower partial index (created_at order).
DROP INDEX posts_timeline;
DROP INDEX posts_sentiment_created;
DROP INDEX posts_complaint_created;
DROP INDEX posts_language_created;
DROP INDEX posts_source_created;
DROP INDEX posts_product_created;
DROP INDEX posts_country_created;
CREATE INDEX posts_source_created ON posts (source, created_at) WHERE false_positive = 0;
CREATE INDEX posts_product_created ON posts (product, created_at) WHERE false_positive = 0;
CREATE INDEX posts_country_created ON posts (country, created_at) WHERE false_positive = 0;

-- 2. post_rollup: the number of posts per (UTC day, every filterable column), kept exact by
--    the triggers below in the same transaction as the change. Stats for a filter that only
--    uses these columns and whole-day since/until bounds sum this table instead of the posts.
--    day = floor(created_at / 86400), also before 1970. Rows never hold n = 0.
CREATE TABLE post_rollup (
  day             INTEGER NOT NULL,
  source          TEXT    NOT NULL,
  sentiment_label TEXT    NOT NULL,
  product         TEXT    NOT NULL,
  language        TEXT    NOT NULL,
  country         TEXT    NOT NULL,
  is_complaint    INTEGER NOT NULL,
  answered        INTEGER NOT NULL,
  false_positive  INTEGER NOT NULL,
  n               INTEGER NOT NULL,
  PRIMARY KEY (day, source, sentiment_label, product, language, country, is_complaint, answered,
               false_positive)
) WITHOUT ROWID;

INSERT INTO post_rollup
SELECT (created_at - ((created_at % 86400) + 86400) % 86400) / 86400, source, sentiment_label,
       product, language, country, is_complaint, answered, false_positive, count(*)
FROM posts
GROUP BY 1, 2, 3, 4, 5, 6, 7, 8, 9;

-- Bumped by every change to posts (any column: text search stats depend on title/content), in
-- the writing transaction. Readers key cached stats by it, so a cached result is never served
-- for a snapshot it was not computed from.
CREATE TABLE post_data_version (
  id      INTEGER PRIMARY KEY CHECK (id = 1),
  version INTEGER NOT NULL
);
INSERT INTO post_data_version (id, version) VALUES (1, 0);

CREATE TRIGGER posts_rollup_insert AFTER INSERT ON posts BEGIN
  INSERT INTO post_rollup
  VALUES ((new.created_at - ((new.created_at % 86400) + 86400) % 86400) / 86400, new.source,
          new.sentiment_label, new.product, new.language, new.country, new.is_complaint,
          new.answered, new.false_positive, 1)
  ON CONFLICT DO UPDATE SET n = n + 1;
  UPDATE post_data_version SET version = version + 1;
END;

CREATE TRIGGER posts_rollup_delete AFTER DELETE ON posts BEGIN
  UPDATE post_rollup SET n = n - 1
  WHERE day = (old.created_at - ((old.created_at % 86400) + 86400) % 86400) / 86400
    AND source = old.source AND sentiment_label = old.sentiment_label
    AND product = old.product AND language = old.language AND country = old.country
    AND is_complaint = old.is_complaint AND answered = old.answered
    AND false_positive = old.false_positive;
  DELETE FROM post_rollup
  WHERE day = (old.created_at - ((old.created_at % 86400) + 86400) % 86400) / 86400
    AND source = old.source AND sentiment_label = old.sentiment_label
    AND product = old.product AND language = old.language AND country = old.country
    AND is_complaint = old.is_complaint AND answered = old.answered
    AND false_positive = old.false_positive AND n = 0;
  UPDATE post_data_version SET version = version + 1;
END;

CREATE TRIGGER posts_rollup_update
AFTER UPDATE OF created_at, source, sentiment_label, product, language, country, is_complaint,
                answered, false_positive ON posts
WHEN old.created_at IS NOT new.created_at OR old.source IS NOT new.source
  OR old.sentiment_label IS NOT new.sentiment_label OR old.product IS NOT new.product
  OR old.language IS NOT new.language OR old.country IS NOT new.country
  OR old.is_complaint IS NOT new.is_complaint OR old.answered IS NOT new.answered
  OR old.false_positive IS NOT new.false_positive
BEGIN
  UPDATE post_rollup SET n = n - 1
  WHERE day = (old.created_at - ((old.created_at % 86400) + 86400) % 86400) / 86400
    AND source = old.source AND sentiment_label = old.sentiment_label
    AND product = old.product AND language = old.language AND country = old.country
    AND is_complaint = old.is_complaint AND answered = old.answered
    AND false_positive = old.false_positive;
  DELETE FROM post_rollup
  WHERE day = (old.created_at - ((old.created_at % 86400) + 86400) % 86400) / 86400
    AND source = old.source AND sentiment_label = old.sentiment_label
    AND product = old.product AND language = old.language AND country = old.country
    AND is_complaint = old.is_complaint AND answered = old.answered
    AND false_positive = old.false_positive AND n = 0;
  INSERT INTO post_rollup
  VALUES ((new.created_at - ((new.created_at % 86400) + 86400) % 86400) / 86400, new.source,
          new.sentiment_label, new.product, new.language, new.country, new.is_complaint,
          new.answered, new.false_positive, 1)
  ON CONFLICT DO UPDATE SET n = n + 1;
END;

CREATE TRIGGER posts_version_update AFTER UPDATE ON posts BEGIN
  UPDATE post_data_version SET version = version + 1;
END;

-- 3. Full text, keyed by time. The FTS rowid is the search key
--      created_at * 2^31 + id      (0 < id < 2^31, -2^32 <= created_at < 2^32)
--    so FTS rowid order is exactly the (created_at, id) keyset order: a newest/oldest page of
--    matches walks the FTS index in rowid order and stops after the page, where the old
--    content_rowid = id table had to collect every match and sort it. posts.id is
--    key & (2^31 - 1). The table is contentless (the text lives in posts only); the 'delete'
--    command is given the stored title/content.
DROP TRIGGER posts_fts_insert;
DROP TRIGGER posts_fts_delete;
DROP TRIGGER posts_fts_update;
DROP TABLE posts_fts;

CREATE VIRTUAL TABLE posts_fts USING fts5(
  title, content,
  content = '',
  tokenize = 'unicode61 remove_diacritics 0'
);

INSERT INTO posts_fts (rowid, title, content)
SELECT created_at * 2147483648 + id, title, content FROM posts;

CREATE TRIGGER posts_fts_insert AFTER INSERT ON posts BEGIN
  SELECT RAISE(ABORT, 'created_at or id out of the search key range')
  WHERE new.id >= 2147483648 OR new.id < 0
     OR new.created_at >= 4294967296 OR new.created_at < -4294967296;
  INSERT INTO posts_fts (rowid, title, content)
  VALUES (new.created_at * 2147483648 + new.id, new.title, new.content);
END;

CREATE TRIGGER posts_fts_delete AFTER DELETE ON posts BEGIN
  INSERT INTO posts_fts (posts_fts, rowid, title, content)
  VALUES ('delete', old.created_at * 2147483648 + old.id, old.title, old.content);
END;

CREATE TRIGGER posts_fts_update AFTER UPDATE OF title, content, created_at ON posts
WHEN old.title IS NOT new.title OR old.content IS NOT new.content
  OR old.created_at IS NOT new.created_at
BEGIN
  SELECT RAISE(ABORT, 'created_at out of the search key range')
  WHERE new.created_at >= 4294967296 OR new.created_at < -4294967296;
  INSERT INTO posts_fts (posts_fts, rowid, title, content)
  VALUES ('delete', old.created_at * 2147483648 + old.id, old.title, old.content);
  INSERT INTO posts_fts (rowid, title, content)
  VALUES (new.created_at * 2147483648 + new.id, new.title, new.content);
END;
