-- 0006: a data version for the stats cache (store/stats_cache.h).
--
-- post_data_version holds one counter that every statement writing the posts bumps, inside the
-- writing transaction (a statement trigger; COPY fires it too). Stats reads the counter in the
-- same REPEATABLE READ snapshot it aggregates on, so a result cached under a version is exactly
-- what a fresh computation at that version gives; the next committed write makes it stale.
-- The counter row is locked by a writer until it commits: upserts already serialise on their
-- advisory lock, and triage updates are one short statement each.
CREATE TABLE post_data_version (
  id      integer PRIMARY KEY CHECK (id = 1),
  version bigint  NOT NULL
);
INSERT INTO post_data_version VALUES (1, 0);

-- SET search_path FROM CURRENT: the function finds the table in the schema the migrations ran
-- in, whatever the caller's search_path is.
CREATE FUNCTION post_data_version_bump() RETURNS trigger LANGUAGE plpgsql
SET search_path FROM CURRENT AS $$
BEGIN
  UPDATE post_data_version SET version = version + 1 WHERE id = 1;
  RETURN NULL;
END
$$;

CREATE TRIGGER posts_data_version AFTER INSERT OR UPDATE OR DELETE OR TRUNCATE ON posts
  FOR EACH STATEMENT EXECUTE FUNCTION post_data_version_bump();
