// Hacker News through the Algolia HN Search API:
//   GET {base}/api/v1/search_by_date?query=Q&tags=(story,comment)&hitsPerPage=N&page=P
//       [&numericFilters=created_at_i>CURSOR]
// Response: {hits:[{objectID, created_at_i, title|story_title, story_text|comment_text (HTML),
// author, points, num_comments, url, story_id, _tags}], page, nbPages}.
#include "sources/adapters.h"
#include "sources/html_text.h"
#include "sources/json_support.h"

namespace ct {
namespace {

using namespace json_support;

// The page number comes last so the next page is the same URL with another number.
HttpRequest PageRequest(const SourceSpec& spec, const std::string& query, int page,
                        std::optional<UnixSeconds> since) {
  std::string url = BaseUrl(spec, "https://hn.algolia.com") +
                    "/api/v1/search_by_date?query=" + UrlEncode(query) +
                    "&tags=" + UrlEncode("(story,comment)") +
                    "&hitsPerPage=" + std::to_string(spec.page_size);
  if (since) url += "&numericFilters=" + UrlEncode("created_at_i>" + std::to_string(*since));
  return Get(url + "&page=" + std::to_string(page));
}

class HackerNewsAdapter final : public SourceAdapter {
 public:
  std::string_view kind() const override { return "hackernews"; }

  Result<std::vector<HttpRequest>> FirstRequests(const SourceSpec& spec, const std::string& query,
                                                 std::optional<UnixSeconds> since) const override {
    return std::vector<HttpRequest>{PageRequest(spec, query, 0, since)};
  }

  Result<ParsedPage> Parse(const ParseContext& ctx, std::string_view body) const override {
    CT_ASSIGN_OR_RETURN(json root, ParseBody(ctx, body));
    CT_ASSIGN_OR_RETURN(const json* hits, RequiredArray(ctx, root, "hits", "response"));
    ParsedPage page;
    for (const json& hit : *hits) {
      CT_RETURN_IF_ERROR(Require(ctx, hit, "objectID", "hits[]"));
      CT_RETURN_IF_ERROR(Require(ctx, hit, "created_at_i", "hits[]"));
      Post p = NewPost(ctx, Str(hit, "objectID"));
      const bool comment = !Str(hit, "comment_text").empty();
      p.title = Str(hit, "title");
      if (p.title.empty() && !Str(hit, "story_title").empty()) p.title = "Re: " + Str(hit, "story_title");
      p.content = HtmlToText(comment ? Str(hit, "comment_text") : Str(hit, "story_text"));
      p.url = "https://news.ycombinator.com/item?id=" + p.external_id;
      p.author = Str(hit, "author");
      p.created_at = Int(hit, "created_at_i");
      p.engagement.score = Int(hit, "points");
      p.engagement.comments = Int(hit, "num_comments");
      json meta = {{"type", comment ? "comment" : "story"}};
      if (!Str(hit, "url").empty()) meta["link"] = Str(hit, "url");
      if (!Str(hit, "story_url").empty()) meta["link"] = Str(hit, "story_url");
      if (hit.contains("story_id") && hit["story_id"].is_number()) meta["story_id"] = hit["story_id"];
      p.metadata_json = meta.dump();
      page.posts.push_back(std::move(p));
    }
    const std::int64_t current = Int(root, "page");
    if (current + 1 < Int(root, "nbPages") && !hits->empty()) {
      const std::string& url = ctx.request.url;
      page.next = Get(url.substr(0, url.rfind("&page=")) + "&page=" + std::to_string(current + 1));
    }
    return page;
  }
};

}  // namespace

std::unique_ptr<SourceAdapter> MakeHackerNewsAdapter() { return std::make_unique<HackerNewsAdapter>(); }

}  // namespace ct
