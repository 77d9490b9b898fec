// Translates a PostFilter into a SQLite WHERE clause over `posts` with its bound parameters,
// and user text into a safe FTS5 MATCH expression. Pure functions; thread-safe.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "domain/post_query.h"
#include "store/sqlite/sqlite_db.h"

namespace ct::sqlite {

// Words of a free-text query: split on whitespace and punctuation (ASCII, Latin-1 and General
// Punctuation blocks); letters, digits and other characters are kept as typed.
std::vector<std::string> SearchWords(std::string_view q);

// An FTS5 expression requiring every word of `q` (each quoted, so FTS syntax such as AND, OR,
// NEAR, "*", "(" or column filters is matched literally). Empty when `q` has no words.
std::string FtsMatchExpression(std::string_view q);

// The FTS rowid of a post (migration 0003): created_at * 2^31 + id, so FTS rowid order is the
// (created_at, id) keyset order and id = key & kSearchKeyIdMask. nullopt when created_at or id
// is outside the range the key can hold (-2^32 <= created_at < 2^32, 0 <= id < 2^31).
inline constexpr std::int64_t kSearchKeyIdMask = (std::int64_t{1} << 31) - 1;
std::optional<std::int64_t> SearchKey(std::int64_t created_at, std::int64_t id);

struct SqlWhere {
  std::string sql;  // " WHERE ..." or empty; `posts` columns unqualified
  std::vector<SqlValue> params;
};

// Every filter field ANDed together; lists become IN (...). Boolean filters are inlined as
// literals so SQLite can match them against indexes.
SqlWhere BuildPostWhere(const PostFilter& filter);

}  // namespace ct::sqlite
