#include "api/post_params.h"

#include "api/query_params.h"
#include "core/time_format.h"

namespace ct {

namespace {

// Every filter name, then the endpoint's own names.
#define CT_POST_FILTER_PARAMS                                                       \
  "source", "language", "sentiment", "product", "country", "complaint", "answered", \
      "false_positive", "since", "until", "q"

Result<std::optional<UnixSeconds>> Time(const QueryParams& p, const std::string& name) {
  CT_ASSIGN_OR_RETURN(std::optional<std::string> v, p.Single(name));
  if (!v) return std::optional<UnixSeconds>();
  auto t = ParseIso8601(*v);
  if (!t.ok()) {
    return Status::InvalidArgument("parameter '" + name + "' must be an ISO 8601 time, got '" + *v +
                                   "'");
  }
  return std::optional<UnixSeconds>(*t);
}

Result<PostFilter> ParseFilter(const QueryParams& p) {
  PostFilter f;
  CT_ASSIGN_OR_RETURN(f.sources, p.List("source"));
  CT_ASSIGN_OR_RETURN(f.languages, p.List("language"));
  for (auto& l : f.languages) {
    for (char& c : l) c = static_cast<char>(c >= 'A' && c <= 'Z' ? c - 'A' + 'a' : c);
  }
  CT_ASSIGN_OR_RETURN(f.sentiments, p.List("sentiment"));
  for (const auto& s : f.sentiments) {
    if (s != "positive" && s != "neutral" && s != "negative") {
      return Status::InvalidArgument(
          "parameter 'sentiment' values must be positive, neutral or negative, got '" + s + "'");
    }
  }
  CT_ASSIGN_OR_RETURN(f.products, p.List("product"));
  CT_ASSIGN_OR_RETURN(f.countries, p.List("country"));
  for (auto& c : f.countries) {
    for (char& ch : c) ch = static_cast<char>(ch >= 'a' && ch <= 'z' ? ch - 'a' + 'A' : ch);
  }
  CT_ASSIGN_OR_RETURN(f.complaint, p.Bool("complaint"));
  CT_ASSIGN_OR_RETURN(f.answered, p.Bool("answered"));
  CT_ASSIGN_OR_RETURN(std::optional<std::string> fp, p.Single("false_positive"));
  if (!fp || *fp == "false") {
    f.false_positive = false;
  } else if (*fp == "true") {
    f.false_positive = true;
  } else if (*fp == "any") {
    f.false_positive = std::nullopt;
  } else {
    return Status::InvalidArgument("parameter 'false_positive' must be true, false or any, got '" +
                                   *fp + "'");
  }
  CT_ASSIGN_OR_RETURN(f.since, Time(p, "since"));
  CT_ASSIGN_OR_RETURN(f.until, Time(p, "until"));
  if (f.since && f.until && *f.since > *f.until) {
    return Status::InvalidArgument("parameter 'since' is after 'until'");
  }
  CT_ASSIGN_OR_RETURN(std::optional<std::string> q, p.Single("q"));
  if (q) f.q = std::move(*q);
  return f;
}

Result<PostSort> Sort(const QueryParams& p) {
  CT_ASSIGN_OR_RETURN(std::optional<std::string> v, p.Single("sort"));
  if (!v) return PostSort::kNewest;
  auto sort = ParsePostSort(*v);
  if (!sort.ok()) {
    return Status::InvalidArgument("parameter 'sort' must be newest, oldest or relevance, got '" +
                                   *v + "'");
  }
  return sort;
}

}  // namespace

Result<PostPageRequest> ParsePostListQuery(const QueryMap& query) {
  QueryParams p(query);
  CT_RETURN_IF_ERROR(p.RejectUnknown({CT_POST_FILTER_PARAMS, "sort", "cursor", "limit"}));
  PostPageRequest r;
  CT_ASSIGN_OR_RETURN(r.filter, ParseFilter(p));
  CT_ASSIGN_OR_RETURN(r.sort, Sort(p));
  CT_ASSIGN_OR_RETURN(std::optional<std::int64_t> limit, p.Int("limit", 1, kMaxPageSize));
  r.limit = limit ? static_cast<int>(*limit) : kDefaultPageSize;
  CT_ASSIGN_OR_RETURN(std::optional<std::string> cursor, p.Single("cursor"));
  if (cursor) {
    auto c = DecodeCursor(*cursor, r.sort);
    if (!c.ok()) {
      return Status::InvalidArgument("parameter 'cursor' is invalid: " + c.status().message());
    }
    r.after = *c;
  }
  return r;
}

Result<PostStatsQuery> ParsePostStatsQuery(const QueryMap& query) {
  QueryParams p(query);
  CT_RETURN_IF_ERROR(p.RejectUnknown({CT_POST_FILTER_PARAMS, "bucket"}));
  PostStatsQuery r;
  CT_ASSIGN_OR_RETURN(r.filter, ParseFilter(p));
  CT_ASSIGN_OR_RETURN(std::optional<std::string> bucket, p.Single("bucket"));
  if (bucket) {
    auto b = ParseStatsBucket(*bucket);
    if (!b.ok()) {
      return Status::InvalidArgument("parameter 'bucket' must be day, week or month, got '" +
                                     *bucket + "'");
    }
    r.bucket = *b;
  }
  return r;
}

Result<PostExportQuery> ParsePostExportQuery(const QueryMap& query) {
  QueryParams p(query);
  CT_RETURN_IF_ERROR(p.RejectUnknown({CT_POST_FILTER_PARAMS, "sort"}));
  PostExportQuery r;
  CT_ASSIGN_OR_RETURN(r.filter, ParseFilter(p));
  CT_ASSIGN_OR_RETURN(r.sort, Sort(p));
  return r;
}

}  // namespace ct
