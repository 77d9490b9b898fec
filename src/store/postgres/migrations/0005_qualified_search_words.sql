-- 0005: ct_search_vector and ct_search_query call ct_search_words schema-qualified.
--
-- pg_restore (and pg_dump's plain SQL) run with an empty search_path. Restoring the posts'
-- rows computes the generated search column, whose function called ct_search_words()
-- unqualified, so a plain `pg_restore` of a backup failed with "function ct_search_words(text)
-- does not exist". The functions are redefined with the schema they live in (the schema the
-- migrations run in: public by default) written out; same bodies otherwise, so the stored
-- search vectors stay valid and nothing is recomputed. Built-ins (lower, regexp_replace, the
-- "und-x-icu" collation) resolve through pg_catalog, which is always searched.
DO $migration$
DECLARE
  s text := quote_ident(current_schema());
BEGIN
  EXECUTE format($f$
CREATE OR REPLACE FUNCTION %1$s.ct_search_vector(title text, content text) RETURNS tsvector
  LANGUAGE sql IMMUTABLE PARALLEL SAFE AS $$
  SELECT array_to_tsvector(CASE
    WHEN octet_length(title) + octet_length(content) < 2047
    THEN array_remove(string_to_array(lower(regexp_replace(
           (title || ' ' || content) COLLATE "und-x-icu", '[^[:alnum:]]+', ' ', 'g')), ' '), '')
    ELSE %1$s.ct_search_words(title || ' ' || content)
  END)
$$$f$, s);
  EXECUTE format($f$
CREATE OR REPLACE FUNCTION %1$s.ct_search_query(q text) RETURNS tsquery
  LANGUAGE sql IMMUTABLE STRICT PARALLEL SAFE AS $$
  SELECT string_agg('''' || w || '''', ' & ')::tsquery FROM unnest(%1$s.ct_search_words(q)) AS w
$$$f$, s);
END
$migration$;
