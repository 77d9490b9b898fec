#include "sources/source_registry.h"

#include "sources/adapters.h"

namespace ct {

SourceRegistry SourceRegistry::Builtin() {
  SourceRegistry r;
  std::vector<std::unique_ptr<SourceAdapter>> all;
  all.push_back(MakeHackerNewsAdapter());
  all.push_back(MakeStackExchangeAdapter());
  all.push_back(MakeRedditAdapter());
  all.push_back(MakeGitHubAdapter());
  all.push_back(MakeDiscourseAdapter());
  all.push_back(MakeMastodonAdapter());
  all.push_back(MakeFeedAdapter("rss"));
  all.push_back(MakeFeedAdapter("google_news"));
  all.push_back(MakeFeedAdapter("nitter"));
  all.push_back(MakeTrustpilotAdapter());
  all.push_back(MakeHtmlSelectorAdapter());
  all.push_back(MakeG2Adapter());
  for (auto& a : all) {
    std::string kind(a->kind());
    r.adapters_.emplace(std::move(kind), std::move(a));
  }
  return r;
}

const SourceAdapter* SourceRegistry::Find(std::string_view kind) const {
  auto it = adapters_.find(kind);
  return it == adapters_.end() ? nullptr : it->second.get();
}

std::vector<std::string> SourceRegistry::Kinds() const {
  std::vector<std::string> out;
  for (const auto& [k, a] : adapters_) out.push_back(k);
  return out;
}

}  // namespace ct
