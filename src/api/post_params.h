// Query parameters of the /posts endpoints -> domain query values. Strict: every problem is an
// InvalidArgument naming the parameter (see query_params.h). Pure functions.
//
// Filters (all endpoints): source, language, sentiment, product, country (comma-separated lists),
// complaint, answered (true|false), false_positive (false [default] | true | any),
// since, until (ISO 8601), q (full text).
#pragma once

#include <map>
#include <string>

#include "core/status.h"
#include "domain/post_query.h"

namespace ct {

using QueryMap = std::multimap<std::string, std::string>;

// GET /posts: filters + sort, cursor, limit.
Result<PostPageRequest> ParsePostListQuery(const QueryMap& query);

struct PostStatsQuery {
  PostFilter filter;
  StatsBucket bucket = StatsBucket::kDay;
};
// GET /posts/stats: filters + bucket (day|week|month, default day).
Result<PostStatsQuery> ParsePostStatsQuery(const QueryMap& query);

struct PostExportQuery {
  PostFilter filter;
  PostSort sort = PostSort::kNewest;
};
// GET /posts/export.csv: filters + sort.
Result<PostExportQuery> ParsePostExportQuery(const QueryMap& query);

}  // namespace ct
