// Factories of the built-in adapters, one file each (hackernews.cc, trustpilot.cc, ...).
// Used by SourceRegistry::Builtin(); tests may build one directly.
#pragma once

#include <memory>

#include "sources/source_adapter.h"

namespace ct {

std::unique_ptr<SourceAdapter> MakeHackerNewsAdapter();
std::unique_ptr<SourceAdapter> MakeStackExchangeAdapter();
std::unique_ptr<SourceAdapter> MakeRedditAdapter();
std::unique_ptr<SourceAdapter> MakeGitHubAdapter();
std::unique_ptr<SourceAdapter> MakeDiscourseAdapter();
std::unique_ptr<SourceAdapter> MakeMastodonAdapter();
// RSS 2.0 / RSS 1.0 / Atom. `kind` is "rss", "google_news" or "nitter" (their default URLs).
std::unique_ptr<SourceAdapter> MakeFeedAdapter(std::string kind);
std::unique_ptr<SourceAdapter> MakeTrustpilotAdapter();
std::unique_ptr<SourceAdapter> MakeHtmlSelectorAdapter();
// G2 review pages; its requests are marked for the browser fetcher (fetch/browser_fetcher.h).
std::unique_ptr<SourceAdapter> MakeG2Adapter();

// Parses RSS/Atom text into posts (shared with the Reddit RSS fallback).
Result<ParsedPage> ParseFeed(const ParseContext& context, std::string_view body);

}  // namespace ct
