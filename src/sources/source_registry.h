// SourceRegistry: kind -> adapter, for every adapter this binary has.
// Kinds: hackernews, stackexchange, github, reddit, mastodon, discourse, google_news,
// trustpilot, rss, html, nitter, g2 (whose requests the browser fetcher loads:
// fetch/browser_fetcher.h).
// Built once in app/ (or a test) and passed down. Immutable after construction: thread-safe.
#pragma once

#include <map>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "sources/source_adapter.h"

namespace ct {

class SourceRegistry {
 public:
  // Every built-in adapter.
  static SourceRegistry Builtin();

  // nullptr when unknown.
  const SourceAdapter* Find(std::string_view kind) const;
  std::vector<std::string> Kinds() const;  // sorted

 private:
  std::map<std::string, std::unique_ptr<SourceAdapter>, std::less<>> adapters_;
};

}  // namespace ct
