// PostFilter -> SQL WHERE conditions over `posts` (or `post_rollup`), with positional
// parameters. Shared by ListPosts and Stats so one filter selects the same rows in both.
#pragma once

#include <string>

#include "domain/post_query.h"
#include "store/postgres/pg_connection.h"

namespace ct::pg {

// Returns " WHERE ..." (or "" when nothing filters), adding values to `params`.
// q: words are runs of letters and digits (anything else separates them); each must be a whole
// word of title or content, case-insensitively (Unicode-aware through the ICU collation, so
// independent of the database locale). A q without any word matches nothing. The words are
// those of the `search` column (ct_search_words in migrations/0004_cheaper_search_vector.sql).
std::string PostWhere(const PostFilter& filter, PgParams& params);

// The conditions of `filter` on the columns `posts` and `post_rollup` share (all but q and
// since/until), joined by AND without a leading WHERE; "" when none.
std::string DimensionConditions(const PostFilter& filter, PgParams& params);

}  // namespace ct::pg
