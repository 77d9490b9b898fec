// G2 product reviews, through the headless browser (G2 renders and guards its pages with
// JavaScript; a plain HTTP fetch gets no reviews). The query is the product slug (default
// "ovhcloud"): GET {base}/products/SLUG/reviews, base https://www.g2.com. The request carries
// kFetchViaHeader: browser and waits for the first review element (kWaitForHeader).
//
// Assumed page structure (schema.org microdata, as G2's review pages carry it; docs/sources.md):
//   <div id="survey-response-ID" itemprop="review" itemscope itemtype="http://schema.org/Review">
//     <div itemprop="author" ...><meta itemprop="name" content="Julien M."> ...</div>
//     <div itemprop="reviewRating" ...><meta itemprop="ratingValue" content="4.5"></div>
//     <meta itemprop="datePublished" content="2026-10-14">   (or a <time datetime>)
//     <a href=".../reviews/ovhcloud-review-ID"><div itemprop="name">"Title"</div></a>
//     <div itemprop="reviewBody"> the "What do you like best / dislike" answers </div>
//   </div>
// The next page: <link rel="next"> or <a rel="next">. Required per review: an id (the element's
// id or its review link), reviewBody, datePublished and ratingValue; a missing one is drift.
// No review element at all is drift, unless the product's aggregateRating says reviewCount 0.
// The star rating is Post::rating; metadata keeps the product, the best rating, the reviewer's
// role and company size lines and the review's language (lang attribute) when present.
#include <libxml/HTMLtree.h>

#include <cctype>
#include <nlohmann/json.hpp>
#include <stdexcept>

#include "fetch/browser_fetcher.h"
#include "sources/adapter_support.h"
#include "sources/adapters.h"
#include "sources/html_text.h"
#include "sources/xml_support.h"

namespace ct {
namespace {

namespace xs = xml_support;
using nlohmann::json;

constexpr const char* kReviewXPath = "//*[@itemprop='review']";
constexpr const char* kWaitFor = "[itemprop='review']";

std::string G2Base(const SourceSpec& spec) { return BaseUrl(spec, "https://www.g2.com"); }

// The first non-empty of an attribute `content` / `datetime` or the text of the matches.
std::string Value(xmlDoc* doc, xmlNode* node, const std::string& xpath) {
  for (xmlNode* n : xs::Select(doc, node, xpath)) {
    if (n->type == XML_ELEMENT_NODE) {
      for (const char* attr : {"content", "datetime"}) {
        std::string v = CollapseWhitespace(xs::Attr(n, attr));
        if (!v.empty()) return v;
      }
    }
    std::string v = n->type == XML_ELEMENT_NODE ? HtmlToText(xs::Text(n)) : CollapseWhitespace(xs::Text(n));
    if (!v.empty()) return v;
  }
  return "";
}

std::string Unquote(std::string s) {
  if (s.size() >= 2 && s.front() == '"' && s.back() == '"') s = s.substr(1, s.size() - 2);
  return s;
}

// Digits at the end of "survey-response-9012345" or ".../ovhcloud-review-9012345".
std::string TrailingId(const std::string& s) {
  std::size_t end = s.size();
  while (end > 0 && (s[end - 1] == '/' || s[end - 1] == '#')) --end;
  std::size_t begin = end;
  while (begin > 0 && std::isdigit(static_cast<unsigned char>(s[begin - 1]))) --begin;
  return s.substr(begin, end - begin);
}

// The reviewBody's text: each question heading on its own line, then its answer.
std::string BodyText(xmlDoc* doc, xmlNode* review) {
  auto bodies = xs::Select(doc, review, ".//*[@itemprop='reviewBody']");
  if (bodies.empty()) return "";
  xmlBuffer* buffer = xmlBufferCreate();
  for (xmlNode* child = bodies[0]->children; child != nullptr; child = child->next)
    htmlNodeDump(buffer, doc, child);
  std::string html(reinterpret_cast<const char*>(xmlBufferContent(buffer)), xmlBufferLength(buffer));
  xmlBufferFree(buffer);
  return HtmlToText(html);
}

Result<Post> ParseReview(const ParseContext& ctx, xmlDoc* doc, xmlNode* review,
                         const std::string& product) {
  const std::string link = Value(doc, review, ".//a[contains(@href, '-review-')]/@href");
  std::string id = TrailingId(xs::Attr(review, "id"));
  if (id.empty()) id = TrailingId(link);
  if (id.empty()) return Drift(ctx, "a review (itemprop=review) without an id (survey-response-N or a review link)");
  const std::string where = "review " + id + ": ";
  Post p = NewPost(ctx, id);
  p.content = BodyText(doc, review);
  if (p.content.empty()) return Drift(ctx, where + "no itemprop=reviewBody");
  const std::string date = Value(doc, review, ".//*[@itemprop='datePublished'] | .//time[@datetime]");
  if (date.empty()) return Drift(ctx, where + "no itemprop=datePublished");
  auto created = ParseAnyDate(date);
  if (!created.ok()) return Drift(ctx, where + "datePublished '" + date + "' is not a date");
  p.created_at = *created;
  const std::string rating = Value(doc, review, ".//*[@itemprop='reviewRating']//*[@itemprop='ratingValue']");
  if (rating.empty()) return Drift(ctx, where + "no itemprop=reviewRating/ratingValue");
  try {
    std::size_t used = 0;
    p.rating = std::stod(rating, &used);
    if (used != rating.size()) throw std::invalid_argument(rating);
  } catch (const std::exception&) {
    return Drift(ctx, where + "ratingValue '" + rating + "' is not a number");
  }
  p.title = Unquote(Value(doc, review, ".//*[@itemprop='name' and not(ancestor::*[@itemprop='author'])]"));
  p.author = Value(doc, review, ".//*[@itemprop='author']//*[@itemprop='name']");
  p.url = !link.empty() ? ResolveUrl(ctx.request.url.empty() ? G2Base(*ctx.spec) : ctx.request.url, link)
                        : G2Base(*ctx.spec) + "/products/" + product + "/reviews#survey-response-" + id;
  json meta = {{"product", product}};
  if (std::string best = Value(doc, review, ".//*[@itemprop='reviewRating']//*[@itemprop='bestRating']");
      !best.empty())
    meta["best_rating"] = best;
  json lines = json::array();
  for (xmlNode* n : xs::Select(doc, review, ".//*[@itemprop='author']//*[contains(concat(' ', @class, ' '), ' mt-4th ')]")) {
    if (std::string t = HtmlToText(xs::Text(n)); !t.empty()) lines.push_back(t);
  }
  if (!lines.empty()) meta["reviewer"] = lines;
  if (std::string lang = xs::Attr(review, "lang"); !lang.empty()) meta["language"] = lang;
  p.metadata_json = meta.dump();
  return p;
}

class G2Adapter final : public SourceAdapter {
 public:
  std::string_view kind() const override { return "g2"; }

  Result<std::vector<HttpRequest>> FirstRequests(const SourceSpec& spec, const std::string& query,
                                                 std::optional<UnixSeconds>) const override {
    if (query.empty() || query.find_first_not_of("abcdefghijklmnopqrstuvwxyz0123456789-") != std::string::npos)
      return Status::InvalidArgument("g2 queries are product slugs (e.g. ovhcloud), got '" + query + "'");
    return std::vector<HttpRequest>{BrowserGet(G2Base(spec) + "/products/" + query + "/reviews")};
  }

  Result<ParsedPage> Parse(const ParseContext& ctx, std::string_view body) const override {
    xs::DocPtr doc = xs::ParseHtml(body);
    if (!doc) return Drift(ctx, "page is not HTML");
    const std::string product = ctx.query.empty() ? DefaultQuery() : ctx.query;
    ParsedPage page;
    auto reviews = xs::Select(doc.get(), nullptr, kReviewXPath);
    if (reviews.empty()) {
      const std::string count = Value(doc.get(), nullptr, "//*[@itemprop='aggregateRating']//*[@itemprop='reviewCount']");
      if (count == "0") return page;
      return Drift(ctx, "no review elements (itemprop=review); the layout changed, or the reviews "
                        "were not rendered (g2 pages must be fetched through the browser)");
    }
    for (xmlNode* review : reviews) {
      CT_ASSIGN_OR_RETURN(Post p, ParseReview(ctx, doc.get(), review, product));
      page.posts.push_back(std::move(p));
    }
    const std::string next = Value(doc.get(), nullptr, "//link[@rel='next']/@href | //a[@rel='next']/@href");
    if (!next.empty() && !ctx.request.url.empty()) page.next = BrowserGet(ResolveUrl(ctx.request.url, next));
    return page;
  }

 private:
  static HttpRequest BrowserGet(std::string url) {
    HttpRequest r = Get(std::move(url), "text/html");
    r.headers.emplace_back(std::string(kFetchViaHeader), "browser");
    r.headers.emplace_back(std::string(kWaitForHeader), kWaitFor);
    return r;
  }
};

}  // namespace

std::unique_ptr<SourceAdapter> MakeG2Adapter() { return std::make_unique<G2Adapter>(); }

}  // namespace ct
