-- 0004: the search vector at a third of the cost per post (it was most of an import's time).
--
-- Words are still runs of letters/digits, split and lower-cased with the ICU collation (see
-- 0001), but the vector is built from those words directly instead of running the text-search
-- parser over them again: the parser cost more than the splitting, and only re-split what the
-- regexp had already split. Each word is one lexeme, without positions (q only ANDs words).
-- Words over 2047 bytes (a tsvector's limit; never real words) are left out, as the parser did.
-- ct_search_query turns q into the matching tsquery with the same words: keep the two equal.
CREATE FUNCTION ct_search_words(doc text) RETURNS text[]
  LANGUAGE sql IMMUTABLE STRICT PARALLEL SAFE AS $$
  SELECT ARRAY(SELECT w FROM unnest(string_to_array(lower(regexp_replace(
                 doc COLLATE "und-x-icu", '[^[:alnum:]]+', ' ', 'g')), ' ')) AS w
               WHERE w <> '' AND octet_length(w) <= 2047)
$$;

-- Inlined into the generated column (hence not STRICT: a strict function whose body is not
-- strict is never inlined, and calling it costs as much as the work). A post of less than 2047
-- bytes cannot hold a longer word, so the common case skips ct_search_words' filtering subquery.
CREATE FUNCTION ct_search_vector(title text, content text) RETURNS tsvector
  LANGUAGE sql IMMUTABLE PARALLEL SAFE AS $$
  SELECT array_to_tsvector(CASE
    WHEN octet_length(title) + octet_length(content) < 2047
    THEN array_remove(string_to_array(lower(regexp_replace(
           (title || ' ' || content) COLLATE "und-x-icu", '[^[:alnum:]]+', ' ', 'g')), ' '), '')
    ELSE ct_search_words(title || ' ' || content)
  END)
$$;

-- Every word of q (ANDed), or NULL when q has no word: `search @@ NULL` matches nothing.
-- Words hold only letters and digits, so quoting them as tsquery lexemes is safe.
CREATE FUNCTION ct_search_query(q text) RETURNS tsquery
  LANGUAGE sql IMMUTABLE STRICT PARALLEL SAFE AS $$
  SELECT string_agg('''' || w || '''', ' & ')::tsquery FROM unnest(ct_search_words(q)) AS w
$$;

ALTER TABLE posts DROP COLUMN search;  -- drops posts_search_idx with it
ALTER TABLE posts ADD COLUMN search tsvector GENERATED ALWAYS AS (ct_search_vector(title, content))
  STORED;
CREATE INDEX posts_search_idx ON posts USING gin (search);
