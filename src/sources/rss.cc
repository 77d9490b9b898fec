// Feeds: RSS 2.0 (<rss><channel><item>), RSS 1.0 (<rdf:RDF><item>) and Atom (<feed><entry>).
// Kinds sharing this parser, by their default URL:
//   rss          base_url required; "{query}" in it is replaced by the encoded query
//   google_news  https://news.google.com/rss/search?q={query}&hl=en-US&gl=US&ceid=US:en
//                (items carry <source url=...>Publisher</source>)
//   nitter       {base_url}/search/rss?f=tweets&q={query} on a configured Nitter instance
// Item fields: guid|id, title, link (Atom: rel="alternate" href), content:encoded|description|
// content|summary (HTML), pubDate|dc:date|published|updated, author|dc:creator|author/name.
#include <libxml/tree.h>

#include <nlohmann/json.hpp>

#include "sources/adapter_support.h"
#include "sources/adapters.h"
#include "sources/html_text.h"
#include "sources/xml_support.h"

namespace ct {
namespace {

using namespace xml_support;
using nlohmann::json;

std::string FirstText(const xmlNode* item, std::initializer_list<std::string_view> names) {
  for (auto n : names)
    if (xmlNode* c = Child(item, n)) {
      std::string t = Text(c);
      if (!t.empty()) return t;
    }
  return "";
}

std::string AtomLink(const xmlNode* entry) {
  std::string any;
  for (xmlNode* l : Children(entry, "link")) {
    const std::string rel = Attr(l, "rel");
    if (rel.empty() || rel == "alternate") return Attr(l, "href");
    if (any.empty()) any = Attr(l, "href");
  }
  return any;
}

// The status id of a Nitter/Twitter URL (".../user/status/123#m" -> "123").
std::string StatusId(const std::string& url) {
  auto pos = url.find("/status/");
  if (pos == std::string::npos) return "";
  std::string id = url.substr(pos + 8);
  return id.substr(0, id.find_first_not_of("0123456789"));
}

Result<Post> ItemToPost(const ParseContext& ctx, xmlNode* item, bool atom) {
  const std::string kind = ctx.spec ? ctx.spec->kind : "rss";
  std::string link = atom ? AtomLink(item) : CollapseWhitespace(FirstText(item, {"link"}));
  std::string id = CollapseWhitespace(FirstText(item, {"guid", "id"}));
  if (id.empty()) id = link;
  if (id.empty()) return Drift(ctx, std::string(atom ? "entry" : "item") + " without guid, id or link");
  if (kind == "nitter" && !StatusId(link).empty()) id = StatusId(link);
  Post p = NewPost(ctx, id);
  p.url = link.empty() ? id : ResolveUrl(ctx.request.url, link);
  p.title = HtmlToText(FirstText(item, {"title"}));
  p.content = HtmlToText(FirstText(item, {"encoded", "description", "content", "summary"}));
  if (kind == "nitter") {
    if (p.content.empty()) p.content = p.title;
    p.title.clear();
  }
  if (xmlNode* author = Child(item, "author"); author && Child(author, "name"))
    p.author = CollapseWhitespace(Text(Child(author, "name")));
  else
    p.author = CollapseWhitespace(FirstText(item, {"creator", "author"}));
  const std::string date = FirstText(item, {"pubDate", "date", "published", "updated"});
  json meta = json::object();
  if (date.empty()) {
    p.created_at = ctx.collected_at;
    meta["date_missing"] = true;
  } else {
    auto t = ParseAnyDate(date);
    if (!t.ok()) return Drift(ctx, "item date '" + date + "' is not RFC 822 or ISO 8601");
    p.created_at = *t;
  }
  if (xmlNode* source = Child(item, "source")) {
    meta["publisher"] = CollapseWhitespace(Text(source));
    if (!Attr(source, "url").empty()) meta["publisher_url"] = Attr(source, "url");
  }
  std::vector<std::string> categories;
  for (xmlNode* c : Children(item, "category")) {
    std::string term = Attr(c, "term");
    if (term.empty()) term = CollapseWhitespace(Text(c));
    if (!term.empty()) categories.push_back(term);
  }
  if (!categories.empty()) meta["categories"] = categories;
  p.metadata_json = meta.dump();
  return p;
}

class FeedAdapter final : public SourceAdapter {
 public:
  explicit FeedAdapter(std::string kind) : kind_(std::move(kind)) {}
  std::string_view kind() const override { return kind_; }
  std::string DefaultQuery() const override { return kind_ == "rss" ? "" : "ovhcloud"; }

  Result<std::vector<HttpRequest>> FirstRequests(const SourceSpec& spec, const std::string& query,
                                                 std::optional<UnixSeconds>) const override {
    std::string url;
    if (kind_ == "google_news") {
      url = BaseUrl(spec, "https://news.google.com/rss/search?q={query}&hl=en-US&gl=US&ceid=US:en");
      if (url.find("{query}") == std::string::npos) url += "/rss/search?q={query}&hl=en-US&gl=US&ceid=US:en";
    } else if (spec.base_url.empty()) {
      return Status::InvalidArgument("source " + spec.name + " (" + kind_ + ") needs base_url");
    } else if (kind_ == "nitter") {
      url = BaseUrl(spec, "");
      if (url.find("{query}") == std::string::npos) url += "/search/rss?f=tweets&q={query}";
    } else {
      url = spec.base_url;
    }
    return std::vector<HttpRequest>{
        Get(FillQuery(url, query), "application/rss+xml, application/atom+xml, application/xml;q=0.9, */*;q=0.5")};
  }

  Result<ParsedPage> Parse(const ParseContext& ctx, std::string_view body) const override {
    return ParseFeed(ctx, body);
  }

 private:
  std::string kind_;
};

}  // namespace

Result<ParsedPage> ParseFeed(const ParseContext& ctx, std::string_view body) {
  DocPtr doc = ParseXml(body);
  if (!doc) return Drift(ctx, "feed is not well-formed XML");
  xmlNode* root = xmlDocGetRootElement(doc.get());
  std::vector<xmlNode*> items;
  bool atom = false;
  if (Name(root) == "rss") {
    xmlNode* channel = Child(root, "channel");
    if (!channel) return Drift(ctx, "<rss> without <channel>");
    items = Children(channel, "item");
  } else if (Name(root) == "RDF") {
    items = Children(root, "item");
  } else if (Name(root) == "feed") {
    atom = true;
    items = Children(root, "entry");
  } else {
    return Drift(ctx, "root element <" + std::string(Name(root)) + "> is not rss, rdf:RDF or an Atom feed");
  }
  ParsedPage page;
  for (xmlNode* item : items) {
    CT_ASSIGN_OR_RETURN(Post p, ItemToPost(ctx, item, atom));
    page.posts.push_back(std::move(p));
  }
  return page;
}

std::unique_ptr<SourceAdapter> MakeFeedAdapter(std::string kind) {
  return std::make_unique<FeedAdapter>(std::move(kind));
}

}  // namespace ct
