// Trustpilot review pages: GET {base}/review/DOMAIN?languages=all&sort=recency&page=P
// (the query is the reviewed domain, default ovhcloud.com). The page is a Next.js app:
//   <script id="__NEXT_DATA__" type="application/json">{"props":{"pageProps":{
//     "businessUnit":{"displayName"}, "reviews":[{id, title, text, rating, likes, language,
//     dates:{publishedDate}, consumer:{displayName, countryCode, numberOfReviews}}],
//     "filters":{"pagination":{"currentPage","totalPages"}}}}}
// Fallback: <script type="application/ld+json"> Review objects (top level, in @graph, or in an
// organisation's "review" list): {@id, headline, reviewBody, datePublished, inLanguage,
// author{name}, reviewRating{ratingValue}}. The star rating is kept as Post::rating.
// A page with neither (e.g. reviews rendered by JavaScript) is drift.
#include "sources/adapters.h"
#include "sources/html_text.h"
#include "sources/json_support.h"
#include "sources/xml_support.h"

namespace ct {
namespace {

using namespace json_support;
namespace xs = xml_support;

std::string ReviewBase(const SourceSpec& spec) { return BaseUrl(spec, "https://www.trustpilot.com"); }

Result<Post> FromNextData(const ParseContext& ctx, const json& r, const std::string& company) {
  for (const char* key : {"id", "text", "rating", "dates"})
    CT_RETURN_IF_ERROR(Require(ctx, r, key, "pageProps.reviews[]"));
  Post p = NewPost(ctx, Str(r, "id"));
  p.title = HtmlToText(Str(r, "title"));
  p.content = HtmlToText(Str(r, "text"));
  p.url = ReviewBase(*ctx.spec) + "/reviews/" + p.external_id;
  p.rating = Num(r, "rating");
  auto published = ParseAnyDate(Str(r["dates"], "publishedDate"));
  if (!published.ok()) return Drift(ctx, "pageProps.reviews[].dates.publishedDate missing or not a date");
  p.created_at = *published;
  p.engagement.likes = Int(r, "likes");
  json meta = {{"company", company}, {"language", Str(r, "language")}};
  if (r.contains("consumer")) {
    const json& c = r["consumer"];
    p.author = Str(c, "displayName");
    if (!Str(c, "countryCode").empty()) meta["reviewer_country"] = Str(c, "countryCode");
    if (c.contains("numberOfReviews")) meta["reviewer_reviews"] = Int(c, "numberOfReviews");
  }
  p.metadata_json = meta.dump();
  return p;
}

void CollectLdReviews(const json& j, std::vector<const json*>& out) {
  if (j.is_array()) {
    for (const json& e : j) CollectLdReviews(e, out);
  } else if (j.is_object()) {
    if (Str(j, "@type") == "Review") out.push_back(&j);
    if (j.contains("@graph")) CollectLdReviews(j["@graph"], out);
    if (j.contains("review")) CollectLdReviews(j["review"], out);
  }
}

Result<Post> FromJsonLd(const ParseContext& ctx, const json& r, const std::string& company) {
  for (const char* key : {"reviewBody", "datePublished", "reviewRating"})
    CT_RETURN_IF_ERROR(Require(ctx, r, key, "JSON-LD Review"));
  std::string id = Str(r, "@id");
  if (auto slash = id.rfind('/'); slash != std::string::npos) id = id.substr(slash + 1);
  if (id.empty()) return Drift(ctx, "JSON-LD Review without @id");
  Post p = NewPost(ctx, id);
  p.title = HtmlToText(Str(r, "headline"));
  p.content = HtmlToText(Str(r, "reviewBody"));
  p.url = ReviewBase(*ctx.spec) + "/reviews/" + id;
  p.rating = Num(r["reviewRating"], "ratingValue");
  auto published = ParseAnyDate(Str(r, "datePublished"));
  if (!published.ok()) return Drift(ctx, "JSON-LD Review datePublished is not a date");
  p.created_at = *published;
  if (r.contains("author")) p.author = Str(r["author"], "name");
  p.metadata_json = json{{"company", company}, {"language", Str(r, "inLanguage")}, {"via", "json-ld"}}.dump();
  return p;
}

class TrustpilotAdapter final : public SourceAdapter {
 public:
  std::string_view kind() const override { return "trustpilot"; }
  std::string DefaultQuery() const override { return "ovhcloud.com"; }

  Result<std::vector<HttpRequest>> FirstRequests(const SourceSpec& spec, const std::string& query,
                                                 std::optional<UnixSeconds>) const override {
    if (query.empty() || query.find_first_of(" /?#") != std::string::npos)
      return Status::InvalidArgument("trustpilot queries are domains (e.g. ovhcloud.com), got '" + query + "'");
    return std::vector<HttpRequest>{Get(ReviewBase(spec) + "/review/" + query +
                                            "?languages=all&sort=recency&page=1",
                                        "text/html")};
  }

  Result<ParsedPage> Parse(const ParseContext& ctx, std::string_view body) const override {
    xs::DocPtr doc = xs::ParseHtml(body);
    if (!doc) return Drift(ctx, "page is not HTML");
    ParsedPage page;
    auto next_data = xs::Select(doc.get(), nullptr, "//script[@id='__NEXT_DATA__']");
    if (!next_data.empty()) {
      CT_ASSIGN_OR_RETURN(json root, ParseBody(ctx, xs::Text(next_data[0])));
      const json props = root.value("props", json::object()).value("pageProps", json::object());
      if (props.contains("reviews") && props["reviews"].is_array()) {
        std::string company = Str(props.value("businessUnit", json::object()), "displayName");
        if (company.empty()) company = ctx.query;
        for (const json& r : props["reviews"]) {
          CT_ASSIGN_OR_RETURN(Post p, FromNextData(ctx, r, company));
          page.posts.push_back(std::move(p));
        }
        const json pagination = props.value("filters", json::object()).value("pagination", json::object());
        const std::int64_t current = Int(pagination, "currentPage");
        if (current > 0 && current < Int(pagination, "totalPages") && !page.posts.empty()) {
          const std::string& url = ctx.request.url;
          page.next = Get(url.substr(0, url.rfind("page=")) + "page=" + std::to_string(current + 1),
                          "text/html");
        }
        return page;
      }
    }
    std::vector<const json*> reviews;
    std::vector<json> blocks;
    for (xmlNode* script : xs::Select(doc.get(), nullptr, "//script[@type='application/ld+json']")) {
      json j = json::parse(xs::Text(script), nullptr, false);
      if (!j.is_discarded()) blocks.push_back(std::move(j));
    }
    for (const json& j : blocks) CollectLdReviews(j, reviews);
    if (reviews.empty())
      return Drift(ctx, "no __NEXT_DATA__ pageProps.reviews and no JSON-LD Review (reviews rendered "
                        "by JavaScript? use the browser fetcher)");
    for (const json* r : reviews) {
      CT_ASSIGN_OR_RETURN(Post p, FromJsonLd(ctx, *r, ctx.query));
      page.posts.push_back(std::move(p));
    }
    return page;
  }
};

}  // namespace

std::unique_ptr<SourceAdapter> MakeTrustpilotAdapter() { return std::make_unique<TrustpilotAdapter>(); }

}  // namespace ct
