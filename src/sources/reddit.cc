// Reddit search as a JSON listing, with the RSS (Atom) feed as fallback:
//   GET {base}/search.json?q=Q&sort=new&limit=N&raw_json=1[&after=FULLNAME]
//   {kind:"Listing", data:{after, children:[{kind:"t3", data:{name, id, title, selftext,
//    author, created_utc, permalink, url, score, num_comments, subreddit}}]}}
//   fallback: {base}/search.rss?q=Q&sort=new (Atom; the same t3_ ids, so a post is stored once
//   whichever way it came). Used from the start with options.format = "rss"; otherwise
//   automatically (FallbackFor) when the listing is refused (403/429 — Reddit's usual block —,
//   an open circuit, 5xx, 404) or unusable (an HTML block page, JSON that does not parse or has
//   drifted). A body that is XML is parsed as the feed whichever URL it came from.
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
      return std::vector<HttpRequest>{RssRequest(base, query)};
    return std::vector<HttpRequest>{Get(base + "/search.json?q=" + UrlEncode(query) +
                                        "&sort=new&limit=" + std::to_string(spec.page_size) +
                                        "&raw_json=1")};
  }

  std::optional<SourceFallback> FallbackFor(const ParseContext& ctx,
                                            const Status& why) const override {
    if (ctx.request.url.find("/search.json?") == std::string::npos) return std::nullopt;
    // An SSRF refusal is PermissionDenied too; the feed goes through the same guard.
    switch (why.code()) {
      case StatusCode::kPermissionDenied:   // 403, Reddit's usual block
      case StatusCode::kResourceExhausted:  // 429
      case StatusCode::kUnavailable:        // an open circuit, 5xx, connection errors
      case StatusCode::kDeadlineExceeded:
      case StatusCode::kNotFound:
      case StatusCode::kDataLoss:           // drift, not JSON, truncated
        return SourceFallback{RssRequest(BaseUrl(*ctx.spec, "https://www.reddit.com"), ctx.query),
                              "rss"};
      default:
        return std::nullopt;  // cancelled, a bad spec: the feed would not help
    }
  }

  Result<ParsedPage> Parse(const ParseContext& ctx, std::string_view body) const override {
    std::size_t first = body.find_first_not_of(" \t\r\n");
    if (first != std::string_view::npos && body[first] == '<') return ParseFeed(ctx, body);
    if (ctx.request.url.find("/search.rss?") != std::string::npos)
      return Drift(ctx, "the RSS feed is not XML");
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

 private:
  static HttpRequest RssRequest(const std::string& base, const std::string& query) {
    return Get(base + "/search.rss?q=" + UrlEncode(query) + "&sort=new", "application/atom+xml");
  }
};

}  // namespace

std::unique_ptr<SourceAdapter> MakeRedditAdapter() { return std::make_unique<RedditAdapter>(); }

}  // namespace ct
