-- 0004: evidence and metadata must be JSON objects, as PostgreSQL's CHECK (json_typeof(...) =
-- 'object') has required from the start. SQLite cannot add a CHECK to an existing table without
-- rebuilding it (and the full-text search key depends on the rowids staying put), so BEFORE
-- triggers raise instead; the store reports the error as an invalid argument.
--
-- Rows stored before this migration are checked first: if any holds something else, the
-- migration (and so the start) stops with the message below and changes nothing; no data is
-- rewritten behind the operator's back. List them with
--   SELECT id, source, external_id FROM posts WHERE NOT (json_valid(evidence)
--     AND json_type(evidence) = 'object' AND json_valid(metadata) AND json_type(metadata) = 'object');
CREATE TEMP TABLE ct_migration_0004_check (
  bad_posts INTEGER
    CONSTRAINT "posts with evidence or metadata that are not JSON objects; fix them, then restart"
    CHECK (bad_posts = 0)
);
INSERT INTO ct_migration_0004_check
SELECT count(*) FROM posts
WHERE NOT (CASE WHEN json_valid(evidence) THEN json_type(evidence) = 'object' ELSE 0 END
           AND CASE WHEN json_valid(metadata) THEN json_type(metadata) = 'object' ELSE 0 END);
DROP TABLE ct_migration_0004_check;

CREATE TRIGGER posts_json_objects_insert BEFORE INSERT ON posts
WHEN NOT (CASE WHEN json_valid(new.evidence) THEN json_type(new.evidence) = 'object' ELSE 0 END
          AND CASE WHEN json_valid(new.metadata) THEN json_type(new.metadata) = 'object' ELSE 0 END)
BEGIN
  SELECT RAISE(ABORT, 'evidence and metadata must be JSON objects');
END;

CREATE TRIGGER posts_json_objects_update BEFORE UPDATE OF evidence, metadata ON posts
WHEN NOT (CASE WHEN json_valid(new.evidence) THEN json_type(new.evidence) = 'object' ELSE 0 END
          AND CASE WHEN json_valid(new.metadata) THEN json_type(new.metadata) = 'object' ELSE 0 END)
BEGIN
  SELECT RAISE(ABORT, 'evidence and metadata must be JSON objects');
END;
