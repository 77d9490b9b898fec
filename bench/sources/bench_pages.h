// Pages for the sources benchmark (bench/sources/run.sh), built from the adapters' fixtures.
//
// Parse workloads: each adapter's fixture page (tests/fixtures/sources/<kind>/) grown to the
// size of a real page of that source by repeating its items. JSON items get distinct ids
// (strings suffixed "-N", numbers offset); XML/HTML items are repeated verbatim (the parsers
// do not deduplicate, so the work per item is the same).
//
// Ingestion pages: SYNTHETIC Hacker News (Algolia) and Reddit (JSON listing) pages, in the
// shape of the fixtures, with distinct ids, dates going back in time and generated EN/FR text
// (bench/api/synthetic_text.h), chained as the real services chain them (page=N; after=).
// Nothing here is real customer text.
//
// Plain functions; thread-compatible.
#pragma once

#include <cstdint>
#include <map>
#include <string>
#include <vector>

#include "core/status.h"

namespace ct::bench {

struct ParseWorkload {
  std::string kind;     // adapter kind
  std::string fixture;  // relative to the fixtures folder
  std::string query;
  int items = 0;     // entries per page, as the real source sends them
  int skipped = 0;   // entries the adapter leaves out (pinned banners)
  std::string why;   // where that page size comes from
  std::string body;  // the grown page
  int fixture_items = 0;
  std::int64_t fixture_bytes = 0;
};

// Every adapter's primary fixture (and Reddit's feed), grown to a realistic page.
Result<std::vector<ParseWorkload>> BuildParseWorkloads(const std::string& fixtures_dir);

// Synthetic pages of one source, served in order.
struct IngestPages {
  std::vector<std::string> bodies;        // page i
  std::map<std::string, int> page_after;  // reddit: `after` value -> page index
  std::int64_t items = 0;
  std::int64_t bytes = 0;
};

// `pages` Hacker News pages of `per_page` hits (stories and comments), newest first.
IngestPages BuildHackerNewsPages(int pages, int per_page, std::uint64_t seed);
// `pages` Reddit listing pages of `per_page` t3 posts, newest first, chained by `after`.
IngestPages BuildRedditPages(int pages, int per_page, std::uint64_t seed);

}  // namespace ct::bench
