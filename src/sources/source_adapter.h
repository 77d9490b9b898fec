// SourceAdapter: knows one kind of public source (Hacker News, Trustpilot, an RSS feed...):
// which HTTP requests fetch a query, and how a response body becomes posts.
//
// Adapters do no I/O: the scrape job (jobs/scrape_jobs.cc, through sources/scraper.h) fetches
// with the polite Fetcher and hands each body to Parse, so adapters are tested on saved pages
// (tests/fixtures/sources/<kind>/) and `complaints parse` runs them on any file.
//
// Every adapter emits the same Post fields: source (the configured source name), external_id,
// url, title, content (plain text: HTML reduced, entities decoded), author, created_at (UTC),
// collected_at, rating (when the source has one), engagement, metadata_json (source metadata:
// reviewer country, tags, instance...).
//
// Parse drift is an error, never an empty result: a body that should hold items but lacks the
// expected structure (missing array, malformed JSON/XML/HTML, a required field gone) returns
// DataLoss "parse drift in <source> (<kind>): <what is missing>" — permanent, so the job goes to
// dead with that diagnostic. A well-formed page with zero results is an empty ParsedPage.
//
// Adapters are stateless and immutable: thread-safe.
#pragma once

#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "core/status.h"
#include "domain/post.h"
#include "fetch/http_client.h"

namespace ct {

// What an adapter needs to know about one configured source ([sources.NAME]).
struct SourceSpec {
  std::string name;      // config section name; becomes Post::source
  std::string kind;      // adapter kind
  std::string base_url;  // empty = the adapter's public default; may hold "{query}"
  std::vector<std::string> instances;           // mastodon: instance base URLs
  std::map<std::string, std::string> options;   // per kind: site (stackexchange), selectors (html)
  std::string token;     // credential from the environment (GitHub); empty = anonymous
  int page_size = 50;
  int max_pages = 5;     // per query and run
};

// Where a body came from.
struct ParseContext {
  const SourceSpec* spec = nullptr;
  std::string query;
  HttpRequest request;    // the request that produced the body
  HttpHeaders headers;    // response headers (Link for pagination); names lower-cased
  int page = 0;           // 0 for the first page of a query
  UnixSeconds collected_at = 0;
};

struct ParsedPage {
  std::vector<Post> posts;
  std::optional<HttpRequest> next;  // the next page, when the source says there is one
  std::int64_t backoff_s = 0;       // the source asked us to wait (Stack Exchange `backoff`)
};

// A second way to fetch a query when its first page failed (see SourceAdapter::FallbackFor).
struct SourceFallback {
  HttpRequest request;
  std::string path;  // names the way in results and logs ("rss")
};

class SourceAdapter {
 public:
  virtual ~SourceAdapter() = default;
  virtual std::string_view kind() const = 0;
  // One request per starting point (Mastodon: one per instance; others: one). `since` is the
  // query's cursor (newest created_at already stored), for sources that can filter by date.
  // InvalidArgument when the spec lacks something the kind needs (base_url, selectors).
  virtual Result<std::vector<HttpRequest>> FirstRequests(const SourceSpec& spec,
                                                         const std::string& query,
                                                         std::optional<UnixSeconds> since) const = 0;
  virtual Result<ParsedPage> Parse(const ParseContext& context, std::string_view body) const = 0;
  // Called by the Scraper when the first page of a starting request failed with `why` (the
  // Fetcher's error, or Parse's: drift, a body of the wrong format). A fallback is fetched once,
  // unconditionally, under its own circuit breaker ("<source>/<path>"), and parsed with Parse;
  // its pages are the query's result. Default: none, the error stands. Reddit: the RSS feed
  // when the JSON listing is refused (403, 429, an open circuit, 5xx) or unusable.
  virtual std::optional<SourceFallback> FallbackFor(const ParseContext& /*context*/,
                                                    const Status& /*why*/) const {
    return std::nullopt;
  }
  // The query used when a scrape names none.
  virtual std::string DefaultQuery() const { return "ovhcloud"; }
};

}  // namespace ct
