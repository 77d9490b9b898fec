// GitHub issues search (REST):
//   GET {base}/search/issues?q=Q&sort=created&order=desc&per_page=N&page=P
//   Accept: application/vnd.github+json; X-GitHub-Api-Version: 2022-11-28;
//   Authorization: Bearer TOKEN when the source has one (GITHUB_TOKEN).
// Response: {total_count, incomplete_results, items:[{id, number, title, body (Markdown),
// html_url, user{login}, created_at, comments, reactions{total_count}, state, labels[{name}],
// repository_url, pull_request?}]}. Next page from the Link header (rel="next").
// Rate limits: X-RateLimit-Remaining / X-RateLimit-Reset, handled by the Fetcher.
#include "sources/adapters.h"
#include "sources/html_text.h"
#include "sources/json_support.h"

namespace ct {
namespace {

using namespace json_support;

void AddHeaders(const SourceSpec& spec, HttpRequest& r) {
  r.headers = {{"Accept", "application/vnd.github+json"}, {"X-GitHub-Api-Version", "2022-11-28"}};
  if (!spec.token.empty()) r.headers.emplace_back("Authorization", "Bearer " + spec.token);
}

class GitHubAdapter final : public SourceAdapter {
 public:
  std::string_view kind() const override { return "github"; }

  Result<std::vector<HttpRequest>> FirstRequests(const SourceSpec& spec, const std::string& query,
                                                 std::optional<UnixSeconds>) const override {
    HttpRequest r;
    r.url = BaseUrl(spec, "https://api.github.com") + "/search/issues?q=" + UrlEncode(query) +
            "&sort=created&order=desc&per_page=" + std::to_string(spec.page_size) + "&page=1";
    AddHeaders(spec, r);
    return std::vector<HttpRequest>{r};
  }

  Result<ParsedPage> Parse(const ParseContext& ctx, std::string_view body) const override {
    CT_ASSIGN_OR_RETURN(json root, ParseBody(ctx, body));
    CT_ASSIGN_OR_RETURN(const json* items, RequiredArray(ctx, root, "items", "response"));
    ParsedPage page;
    for (const json& it : *items) {
      for (const char* key : {"id", "html_url", "created_at", "title"})
        CT_RETURN_IF_ERROR(Require(ctx, it, key, "items[]"));
      Post p = NewPost(ctx, Str(it, "id"));
      p.title = Str(it, "title");
      p.content = CollapseWhitespace(Str(it, "body"));
      p.url = Str(it, "html_url");
      if (it.contains("user")) p.author = Str(it["user"], "login");
      auto created = ParseAnyDate(Str(it, "created_at"));
      if (!created.ok()) return Drift(ctx, "items[].created_at is not a date");
      p.created_at = *created;
      p.engagement.comments = Int(it, "comments");
      if (it.contains("reactions")) p.engagement.likes = Int(it["reactions"], "total_count");
      json labels = json::array();
      for (const json& l : it.value("labels", json::array())) labels.push_back(Str(l, "name"));
      std::string repo = Str(it, "repository_url");
      if (auto pos = repo.find("/repos/"); pos != std::string::npos) repo = repo.substr(pos + 7);
      json meta = {{"repository", repo},
                   {"number", Int(it, "number")},
                   {"state", Str(it, "state")},
                   {"labels", labels},
                   {"pull_request", it.contains("pull_request")}};
      p.metadata_json = meta.dump();
      page.posts.push_back(std::move(p));
    }
    if (auto next = NextLink(ctx.headers); next && !items->empty()) {
      page.next = ctx.request;
      page.next->url = ResolveUrl(ctx.request.url, *next);
    }
    return page;
  }
};

}  // namespace

std::unique_ptr<SourceAdapter> MakeGitHubAdapter() { return std::make_unique<GitHubAdapter>(); }

}  // namespace ct
