// Stack Exchange API 2.3, /search/advanced with the built-in `withbody` filter:
//   GET {base}/2.3/search/advanced?order=desc&sort=creation&q=Q&site=SITE&filter=withbody
//       &pagesize=N[&fromdate=CURSOR]&page=P
// Response wrapper: {items:[{question_id, title (HTML-escaped), body (HTML), link,
// creation_date, score, answer_count, owner{display_name}, tags, is_answered}], has_more,
// quota_remaining, backoff?}. `backoff` (seconds) must be honoured before the next call.
#include "sources/adapters.h"
#include "sources/html_text.h"
#include "sources/json_support.h"

namespace ct {
namespace {

using namespace json_support;

std::string Site(const SourceSpec& spec) {
  auto it = spec.options.find("site");
  return it == spec.options.end() || it->second.empty() ? "stackoverflow" : it->second;
}

class StackExchangeAdapter final : public SourceAdapter {
 public:
  std::string_view kind() const override { return "stackexchange"; }

  Result<std::vector<HttpRequest>> FirstRequests(const SourceSpec& spec, const std::string& query,
                                                 std::optional<UnixSeconds> since) const override {
    std::string url = BaseUrl(spec, "https://api.stackexchange.com") +
                      "/2.3/search/advanced?order=desc&sort=creation&q=" + UrlEncode(query) +
                      "&site=" + UrlEncode(Site(spec)) + "&filter=withbody&pagesize=" +
                      std::to_string(spec.page_size);
    if (since) url += "&fromdate=" + std::to_string(*since);
    return std::vector<HttpRequest>{Get(url + "&page=1")};
  }

  Result<ParsedPage> Parse(const ParseContext& ctx, std::string_view body) const override {
    CT_ASSIGN_OR_RETURN(json root, ParseBody(ctx, body));
    if (root.is_object() && root.contains("error_id")) {
      const std::string m = "stackexchange error " + Str(root, "error_id") + " " +
                            Str(root, "error_name") + ": " + Str(root, "error_message");
      // 502 throttle_violation: too many requests; the others are our request's fault.
      if (Int(root, "error_id") == 502) return Status::ResourceExhausted(m);
      return Status::InvalidArgument(m);
    }
    CT_ASSIGN_OR_RETURN(const json* items, RequiredArray(ctx, root, "items", "response"));
    ParsedPage page;
    page.backoff_s = Int(root, "backoff");
    for (const json& q : *items) {
      CT_RETURN_IF_ERROR(Require(ctx, q, "question_id", "items[]"));
      CT_RETURN_IF_ERROR(Require(ctx, q, "creation_date", "items[]"));
      CT_RETURN_IF_ERROR(Require(ctx, q, "link", "items[]"));
      Post p = NewPost(ctx, Str(q, "question_id"));
      p.title = HtmlToText(Str(q, "title"));
      p.content = HtmlToText(Str(q, "body"));
      p.url = Str(q, "link");
      if (q.contains("owner")) p.author = HtmlToText(Str(q["owner"], "display_name"));
      p.created_at = Int(q, "creation_date");
      p.engagement.score = Int(q, "score");
      p.engagement.comments = Int(q, "answer_count");
      json meta = {{"site", Site(*ctx.spec)},
                   {"is_answered", Bool(q, "is_answered")},
                   {"tags", q.value("tags", json::array())}};
      p.metadata_json = meta.dump();
      page.posts.push_back(std::move(p));
    }
    if (Bool(root, "has_more") && !items->empty()) {
      const std::string& url = ctx.request.url;
      page.next = Get(url.substr(0, url.rfind("&page=")) + "&page=" + std::to_string(ctx.page + 2));
    }
    return page;
  }
};

}  // namespace

std::unique_ptr<SourceAdapter> MakeStackExchangeAdapter() {
  return std::make_unique<StackExchangeAdapter>();
}

}  // namespace ct
