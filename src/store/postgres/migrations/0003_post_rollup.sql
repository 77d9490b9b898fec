-- 0003: stats from a rollup kept exact in the writing transaction.
--
-- post_rollup holds the number of posts per UTC day and every column a stats filter or
-- breakdown uses. Stats for a filter on these columns alone with whole-day since/until bounds
-- sum this table (hundreds of thousands of rows at most) instead of reading every post; other
-- filters (q, sub-day bounds) still scan posts. day = floor(created_at / 86400), also before
-- 1970. A row never holds n = 0 (deleted instead), so the table only grows with the data.
CREATE TABLE post_rollup (
  day             bigint  NOT NULL,
  source          text    NOT NULL,
  sentiment_label text    NOT NULL,
  product         text    NOT NULL,
  language        text    NOT NULL,
  country         text    NOT NULL,
  is_complaint    boolean NOT NULL,
  answered        boolean NOT NULL,
  false_positive  boolean NOT NULL,
  n               integer NOT NULL,
  PRIMARY KEY (day, source, sentiment_label, product, language, country, is_complaint,
               answered, false_positive)
) WITH (fillfactor = 70);  -- room for HOT updates of n: rows of the current day are hot

INSERT INTO post_rollup
SELECT created_at / 86400 - CASE WHEN created_at % 86400 < 0 THEN 1 ELSE 0 END, source,
       sentiment_label, product, language, country, is_complaint, answered, false_positive,
       count(*)
FROM posts
GROUP BY 1, 2, 3, 4, 5, 6, 7, 8, 9;

-- The triggers below apply each statement's net change: +1 per new row, -1 per old row, summed
-- per key, so an update that leaves every rollup column alone writes nothing. Rows are upserted
-- in key order by one statement, so writers lock shared (hot) rollup rows in the same order.
-- Transition tables need one trigger per event (UPDATE ones cannot list columns); COPY fires
-- the INSERT one too.

-- Net change (old_rows: -1, new_rows: +1) -> upsert in key order -> delete emptied rows.
CREATE FUNCTION post_rollup_add(delta post_rollup[]) RETURNS void LANGUAGE plpgsql AS $$
DECLARE
  emptied post_rollup[];
BEGIN
  WITH applied AS (
    INSERT INTO post_rollup AS r
    SELECT * FROM unnest(delta) d
    ORDER BY d.day, d.source, d.sentiment_label, d.product, d.language, d.country,
             d.is_complaint, d.answered, d.false_positive
    ON CONFLICT (day, source, sentiment_label, product, language, country, is_complaint,
                 answered, false_positive)
    DO UPDATE SET n = r.n + excluded.n
    RETURNING r.*
  )
  SELECT array_agg(a) INTO emptied FROM applied a WHERE a.n = 0;
  IF emptied IS NOT NULL THEN
    DELETE FROM post_rollup r USING unnest(emptied) e
    WHERE r.day = e.day AND r.source = e.source AND r.sentiment_label = e.sentiment_label
      AND r.product = e.product AND r.language = e.language AND r.country = e.country
      AND r.is_complaint = e.is_complaint AND r.answered = e.answered
      AND r.false_positive = e.false_positive AND r.n = 0;
  END IF;
END
$$;

CREATE FUNCTION post_rollup_after_insert() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  PERFORM post_rollup_add(ARRAY(
    SELECT ROW(g.*)::post_rollup
    FROM (SELECT created_at / 86400 - CASE WHEN created_at % 86400 < 0 THEN 1 ELSE 0 END,
                 source, sentiment_label, product, language, country, is_complaint, answered,
                 false_positive, count(*)::integer
          FROM new_rows
          GROUP BY 1, 2, 3, 4, 5, 6, 7, 8, 9) g));
  RETURN NULL;
END
$$;

CREATE FUNCTION post_rollup_after_update() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  PERFORM post_rollup_add(ARRAY(
    SELECT ROW(g.*)::post_rollup
    FROM (SELECT day, source, sentiment_label, product, language, country, is_complaint,
                 answered, false_positive, sum(d)::integer
          FROM (SELECT created_at / 86400 - CASE WHEN created_at % 86400 < 0 THEN 1 ELSE 0 END
                         AS day,
                       source, sentiment_label, product, language, country, is_complaint,
                       answered, false_positive, 1 AS d
                FROM new_rows
                UNION ALL
                SELECT created_at / 86400 - CASE WHEN created_at % 86400 < 0 THEN 1 ELSE 0 END,
                       source, sentiment_label, product, language, country, is_complaint,
                       answered, false_positive, -1
                FROM old_rows) c
          GROUP BY 1, 2, 3, 4, 5, 6, 7, 8, 9
          HAVING sum(d) <> 0) g));
  RETURN NULL;
END
$$;

CREATE FUNCTION post_rollup_after_delete() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  PERFORM post_rollup_add(ARRAY(
    SELECT ROW(g.*)::post_rollup
    FROM (SELECT created_at / 86400 - CASE WHEN created_at % 86400 < 0 THEN 1 ELSE 0 END,
                 source, sentiment_label, product, language, country, is_complaint, answered,
                 false_positive, -count(*)::integer
          FROM old_rows
          GROUP BY 1, 2, 3, 4, 5, 6, 7, 8, 9) g));
  RETURN NULL;
END
$$;

CREATE FUNCTION post_rollup_after_truncate() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  TRUNCATE post_rollup;
  RETURN NULL;
END
$$;

CREATE TRIGGER posts_rollup_insert AFTER INSERT ON posts REFERENCING NEW TABLE AS new_rows
  FOR EACH STATEMENT EXECUTE FUNCTION post_rollup_after_insert();
CREATE TRIGGER posts_rollup_update AFTER UPDATE ON posts
  REFERENCING OLD TABLE AS old_rows NEW TABLE AS new_rows
  FOR EACH STATEMENT EXECUTE FUNCTION post_rollup_after_update();
CREATE TRIGGER posts_rollup_delete AFTER DELETE ON posts REFERENCING OLD TABLE AS old_rows
  FOR EACH STATEMENT EXECUTE FUNCTION post_rollup_after_delete();
CREATE TRIGGER posts_rollup_truncate AFTER TRUNCATE ON posts
  FOR EACH STATEMENT EXECUTE FUNCTION post_rollup_after_truncate();
