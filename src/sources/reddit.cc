// Reddit search as a JSON listing, with the RSS (Atom) feed as fallback:
//   GET {base}/search.json?q=Q&sort=new&limit=N&raw_json=1[&after=FULLNAME]
//   {kind:"Listing", data:{after, children:[{kind:"t3", data:{name, id, title, selftext,
//    author, created_utc, permalink, url, score, num_comments, subreddit}}]}}
//   fallback (options.format = "rss", or a body that is XML): {base}/search.rss?q=Q&sort=new
// raw_json=1 makes Reddit send text unescaped (no &amp;).
#include "sources/adapters.h"
#include "sources/html_text.h"
#include "sources/json_support.h"

namespace ct {
namespace {

using namespace json_support;

class RedditAdapter final : public SourceAdapter {
 public:
  std::string_view kind() const override { return "reddit"; }

  Result<std::vector<HttpRequest>> FirstRequests(const SourceSpec& spec, const std::string& query,
                                                 std::optional<UnixSeconds>) const override {
    const std::string base = BaseUrl(spec, "https://www.reddit.com");
    auto format = spec.options.find("format");
    if (format != spec.options.end() && format->second == "rss")
      return std::vector<HttpRequest>{
          Get(base + "/search.rss?q=" + UrlEncode(query) + "&sort=new", "application/atom+xml")};
    return std::vector<HttpRequest>{Get(base + "/search.json?q=" + UrlEncode(query) +
                                        "&sort=new&limit=" + std::to_string(spec.page_size) +
                                        "&raw_json=1")};
  }

  Result<ParsedPage> Parse(const ParseContext& ctx, std::string_view body) const override {
    std::size_t first = body.find_first_not_of(" \t\r\n");
    if (first != std::string_view::npos && body[first] == '<') return ParseFeed(ctx, body);
    CT_ASSIGN_OR_RETURN(json root, ParseBody(ctx, body));
    if (!root.is_object() || Str(root, "kind") != "Listing" || !root.contains("data"))
      return Drift(ctx, "response is not a Listing");
    const json& data = root["data"];
    CT_ASSIGN_OR_RETURN(const json* children, RequiredArray(ctx, data, "children", "data"));
    ParsedPage page;
    for (const json& child : *children) {
      CT_RETURN_IF_ERROR(Require(ctx, child, "data", "children[]"));
      const json& d = child["data"];
      CT_RETURN_IF_ERROR(Require(ctx, d, "name", "children[].data"));
      CT_RETURN_IF_ERROR(Require(ctx, d, "created_utc", "children[].data"));
      CT_RETURN_IF_ERROR(Require(ctx, d, "permalink", "children[].data"));
      Post p = NewPost(ctx, Str(d, "name"));
      p.title = Str(d, "title");
      p.content = CollapseWhitespace(Str(d, "selftext"));
      if (p.content.empty()) p.content = Str(d, "body");  // comments (t1)
      p.url = "https://www.reddit.com" + Str(d, "permalink");
      p.author = Str(d, "author");
      p.created_at = static_cast<UnixSeconds>(Num(d, "created_utc").value_or(0));
      p.engagement.score = Int(d, "score");
      p.engagement.comments = Int(d, "num_comments");
      json meta = {{"subreddit", Str(d, "subreddit")}};
      if (!Str(d, "url").empty() && Str(d, "url").find("reddit.com") == std::string::npos)
        meta["link"] = Str(d, "url");
      p.metadata_json = meta.dump();
      page.posts.push_back(std::move(p));
    }
    const std::string after = Str(data, "after");
    if (!after.empty() && !children->empty()) {
      std::string url = ctx.request.url;
      if (auto a = url.find("&after="); a != std::string::npos) url.resize(a);
      page.next = Get(url + "&after=" + UrlEncode(after));
    }
    return page;
  }
};

}  // namespace

std::unique_ptr<SourceAdapter> MakeRedditAdapter() { return std::make_unique<RedditAdapter>(); }

}  // namespace ct
