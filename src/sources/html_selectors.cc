// Generic HTML pages described by XPath selectors in the source's config:
//   base_url             the page ("{query}" replaced by the encoded query)
//   options.item         XPath of each post (required), e.g. //article[@class='post']
//   options.title, content, url, author, date, id
//                        XPath relative to the item (string() results allowed), e.g.
//                        .//h2, .//a/@href, string(.//time/@datetime)
//   options.next         XPath of the next page's link (href), relative to the document
// The item selector matching nothing is drift (the page changed shape).
#include "sources/adapter_support.h"
#include "sources/adapters.h"
#include "sources/html_text.h"
#include "sources/xml_support.h"

namespace ct {
namespace {

namespace xs = xml_support;

std::string Option(const SourceSpec& spec, const char* key) {
  auto it = spec.options.find(key);
  return it == spec.options.end() ? "" : it->second;
}

// The value of a relative selector: attribute/text nodes as text, elements reduced to text.
std::string Value(xmlDoc* doc, xmlNode* item, const std::string& xpath) {
  if (xpath.empty()) return "";
  auto nodes = xs::Select(doc, item, xpath);
  if (nodes.empty()) return CollapseWhitespace(xs::SelectString(doc, item, xpath));
  std::string out;
  for (xmlNode* n : nodes) {
    if (!out.empty()) out += "\n";
    out += n->type == XML_ELEMENT_NODE ? HtmlToText(xs::Text(n)) : CollapseWhitespace(xs::Text(n));
  }
  return out;
}

class HtmlSelectorAdapter final : public SourceAdapter {
 public:
  std::string_view kind() const override { return "html"; }
  std::string DefaultQuery() const override { return ""; }

  Result<std::vector<HttpRequest>> FirstRequests(const SourceSpec& spec, const std::string& query,
                                                 std::optional<UnixSeconds>) const override {
    if (spec.base_url.empty())
      return Status::InvalidArgument("source " + spec.name + " (html) needs base_url");
    if (Option(spec, "item").empty())
      return Status::InvalidArgument("source " + spec.name + " (html) needs selectors.item");
    return std::vector<HttpRequest>{Get(FillQuery(spec.base_url, query), "text/html")};
  }

  Result<ParsedPage> Parse(const ParseContext& ctx, std::string_view body) const override {
    const SourceSpec& spec = *ctx.spec;
    const std::string item_xpath = Option(spec, "item");
    if (item_xpath.empty()) return Status::InvalidArgument("source " + spec.name + " needs selectors.item");
    xs::DocPtr doc = xs::ParseHtml(body);
    if (!doc) return Drift(ctx, "page is not HTML");
    bool bad = false;
    auto items = xs::Select(doc.get(), nullptr, item_xpath, &bad);
    if (bad) return Status::InvalidArgument("selectors.item '" + item_xpath + "' is not valid XPath");
    if (items.empty()) return Drift(ctx, "selectors.item '" + item_xpath + "' matched nothing");
    ParsedPage page;
    for (xmlNode* item : items) {
      std::string url = Value(doc.get(), item, Option(spec, "url"));
      if (!url.empty()) url = ResolveUrl(ctx.request.url, url);
      std::string id = Value(doc.get(), item, Option(spec, "id"));
      if (id.empty()) id = url;
      if (id.empty()) return Drift(ctx, "an item has neither selectors.id nor selectors.url");
      Post p = NewPost(ctx, id);
      p.url = url;
      p.title = Value(doc.get(), item, Option(spec, "title"));
      p.content = Value(doc.get(), item, Option(spec, "content"));
      if (p.content.empty() && Option(spec, "content").empty()) p.content = HtmlToText(xs::Text(item));
      p.author = Value(doc.get(), item, Option(spec, "author"));
      const std::string date = Value(doc.get(), item, Option(spec, "date"));
      if (date.empty()) {
        p.created_at = ctx.collected_at;
      } else {
        auto t = ParseAnyDate(date);
        if (!t.ok()) return Drift(ctx, "selectors.date gave '" + date + "', not a date");
        p.created_at = *t;
      }
      page.posts.push_back(std::move(p));
    }
    if (const std::string next_xpath = Option(spec, "next"); !next_xpath.empty()) {
      const std::string href = CollapseWhitespace(xs::SelectString(doc.get(), nullptr, next_xpath));
      if (!href.empty()) page.next = Get(ResolveUrl(ctx.request.url, href), "text/html");
    }
    return page;
  }
};

}  // namespace

std::unique_ptr<SourceAdapter> MakeHtmlSelectorAdapter() { return std::make_unique<HtmlSelectorAdapter>(); }

}  // namespace ct
