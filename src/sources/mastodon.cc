// Mastodon hashtag timelines, on each configured instance:
//   GET {instance}/api/v1/timelines/tag/TAG?limit=N     (public, no token)
// Response: [{id, uri, url, created_at, content (HTML), spoiler_text, language,
// account{acct, url}, favourites_count, reblogs_count, replies_count, tags[{name}]}].
// Next page from the Link header (rel="next", max_id). The status URI is global, so a post seen
// through two instances is one post.
#include "sources/adapters.h"
#include "sources/html_text.h"
#include "sources/json_support.h"

namespace ct {
namespace {

using namespace json_support;

class MastodonAdapter final : public SourceAdapter {
 public:
  std::string_view kind() const override { return "mastodon"; }
  std::string DefaultQuery() const override { return "ovhcloud"; }

  Result<std::vector<HttpRequest>> FirstRequests(const SourceSpec& spec, const std::string& query,
                                                 std::optional<UnixSeconds>) const override {
    std::string tag = query;
    if (!tag.empty() && tag[0] == '#') tag.erase(0, 1);
    if (tag.empty() || tag.find_first_of(" /?&#") != std::string::npos)
      return Status::InvalidArgument("mastodon queries are hashtags without spaces, got '" + query + "'");
    std::vector<std::string> instances = spec.instances;
    if (instances.empty()) instances.push_back(BaseUrl(spec, "https://mastodon.social"));
    std::vector<HttpRequest> out;
    for (std::string base : instances) {
      while (!base.empty() && base.back() == '/') base.pop_back();
      out.push_back(Get(base + "/api/v1/timelines/tag/" + UrlEncode(tag) +
                        "?limit=" + std::to_string(std::min(spec.page_size, 40))));
    }
    return out;
  }

  Result<ParsedPage> Parse(const ParseContext& ctx, std::string_view body) const override {
    CT_ASSIGN_OR_RETURN(json root, ParseBody(ctx, body));
    if (!root.is_array()) return Drift(ctx, "timeline is not a JSON array of statuses");
    ParsedPage page;
    const std::string instance = ctx.request.url.substr(0, ctx.request.url.find("/api/v1/"));
    for (const json& s : root) {
      for (const char* key : {"id", "uri", "created_at", "content", "account"})
        CT_RETURN_IF_ERROR(Require(ctx, s, key, "statuses[]"));
      Post p = NewPost(ctx, Str(s, "uri"));
      p.title = HtmlToText(Str(s, "spoiler_text"));
      p.content = HtmlToText(Str(s, "content"));
      p.url = Str(s, "url").empty() ? Str(s, "uri") : Str(s, "url");
      p.author = Str(s["account"], "acct");
      auto created = ParseAnyDate(Str(s, "created_at"));
      if (!created.ok()) return Drift(ctx, "status created_at is not a date");
      p.created_at = *created;
      p.engagement.likes = Int(s, "favourites_count");
      p.engagement.score = Int(s, "reblogs_count");
      p.engagement.comments = Int(s, "replies_count");
      json tags = json::array();
      for (const json& t : s.value("tags", json::array())) tags.push_back(Str(t, "name"));
      p.metadata_json = json{{"instance", instance}, {"language", Str(s, "language")}, {"tags", tags}}.dump();
      page.posts.push_back(std::move(p));
    }
    if (auto next = NextLink(ctx.headers); next && !root.empty())
      page.next = Get(ResolveUrl(ctx.request.url, *next));
    return page;
  }
};

}  // namespace

std::unique_ptr<SourceAdapter> MakeMastodonAdapter() { return std::make_unique<MastodonAdapter>(); }

}  // namespace ct
