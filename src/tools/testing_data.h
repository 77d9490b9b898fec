// Test helpers shared by the tools tests: synthetic posts and whole-database fingerprints.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "core/status.h"
#include "domain/post.h"

namespace ct::testing {

// `n` distinct posts (ids unassigned) with every column filled, varied and deterministic
// (accents, quotes, tabs, newlines, backslashes, NULL ratings, evidence JSON), sources cycling
// over a few names; `salt` changes the external ids and text.
std::vector<Post> MakePosts(int n, int salt = 0);

// Every row of every table (SQLite: including FTS shadow tables), as sorted text, table by
// table. Two databases with the same content have the same fingerprint.
Result<std::string> SqliteFingerprint(const std::string& path);
// Per table of the public schema: row count and md5 of the rows' text, sorted.
Result<std::string> PgFingerprint(const std::string& url);

}  // namespace ct::testing
