#include "bench/sources/bench_pages.h"

#include <filesystem>
#include <fstream>
#include <nlohmann/json.hpp>
#include <sstream>
#include <string_view>

#include "bench/api/synthetic_text.h"
#include "core/time_format.h"

namespace ct::bench {
namespace {

using nlohmann::json;

Result<std::string> ReadFile(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) return Status::NotFound("cannot read " + path);
  std::stringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

// Copy `k` of an item: its id made distinct (copy 0 is the original).
void VaryId(json& item, const json::json_pointer& id, int k) {
  if (k == 0 || !item.contains(id)) return;
  json& v = item[id];
  if (v.is_string())
    v = v.get<std::string>() + "-" + std::to_string(k);
  else if (v.is_number_integer())
    v = v.get<std::int64_t>() + std::int64_t{10'000'000} * k;
}

// The array at `array` grown to `n` items by cycling through its own. Items a source shows once
// at the top (Discourse's pinned banners) are not repeated; `*skipped` counts those kept, which
// the adapter leaves out.
Status GrowJsonArray(json& root, const std::string& array, const std::string& id, int n,
                     int* original, int* skipped) {
  const json::json_pointer at(array);
  if (!root.contains(at) || !root[at].is_array() || root[at].empty())
    return Status::DataLoss("no items at " + array);
  const json items = root[at];
  *original = static_cast<int>(items.size());
  *skipped = 0;
  json grown = json::array();
  for (std::size_t i = 0; static_cast<int>(grown.size()) < n; ++i) {
    json item = items[i % items.size()];
    const bool pinned = item.is_object() && item.value("pinned", false);
    if (pinned && i >= items.size()) continue;
    if (pinned) ++*skipped;
    VaryId(item, json::json_pointer(id), static_cast<int>(i / items.size()));
    grown.push_back(std::move(item));
  }
  root[at] = std::move(grown);
  return Status::Ok();
}

// Finds `<tag>` or `<tag ` at or after `from`.
std::size_t FindOpen(std::string_view s, std::string_view tag, std::size_t from) {
  for (std::size_t at = s.find(tag, from); at != std::string_view::npos; at = s.find(tag, at + 1)) {
    const std::size_t after = at + tag.size();
    if (after < s.size() && (s[after] == '>' || s[after] == ' ')) return at;
  }
  return std::string_view::npos;
}

// The body with its run of <tag>...</tag> elements repeated up to `n` elements.
Result<std::string> GrowMarkup(const std::string& body, std::string_view tag, int n,
                               int* original) {
  const std::string open = "<" + std::string(tag);
  const std::string close = "</" + std::string(tag) + ">";
  const std::size_t first = FindOpen(body, open, 0);
  const std::size_t last_close = body.rfind(close);
  if (first == std::string::npos || last_close == std::string::npos || last_close < first)
    return Status::DataLoss("no <" + std::string(tag) + "> elements");
  const std::size_t end = last_close + close.size();
  std::vector<std::string_view> blocks;
  const std::string_view s(body);
  for (std::size_t at = first; at < end;) {
    std::size_t next = FindOpen(s, open, at + 1);
    if (next == std::string_view::npos || next > end) next = end;
    blocks.push_back(s.substr(at, next - at));
    at = next;
  }
  *original = static_cast<int>(blocks.size());
  std::string out = body.substr(0, first);
  for (int i = 0; i < n; ++i) out += blocks[static_cast<std::size_t>(i) % blocks.size()];
  out += body.substr(end);
  return out;
}

// Trustpilot: the reviews inside the __NEXT_DATA__ script.
Result<std::string> GrowNextData(const std::string& body, int n, int* original) {
  const std::string marker = "<script id=\"__NEXT_DATA__\" type=\"application/json\">";
  const std::size_t start = body.find(marker);
  if (start == std::string::npos) return Status::DataLoss("no __NEXT_DATA__");
  const std::size_t from = start + marker.size();
  const std::size_t to = body.find("</script>", from);
  if (to == std::string::npos) return Status::DataLoss("__NEXT_DATA__ not closed");
  json data = json::parse(body.substr(from, to - from), nullptr, false);
  if (data.is_discarded()) return Status::DataLoss("__NEXT_DATA__ is not JSON");
  int skipped = 0;
  CT_RETURN_IF_ERROR(GrowJsonArray(data, "/props/pageProps/reviews", "/id", n, original, &skipped));
  return body.substr(0, from) + data.dump() + body.substr(to);
}

struct Recipe {
  std::string kind, fixture, query;
  int items;
  std::string why;
  std::string array;  // JSON: the items' array; markup: the element name; "next_data"
  std::string id;     // JSON: id pointer inside an item
};

const std::vector<Recipe>& Recipes() {
  static const std::vector<Recipe> kRecipes = {
      {"hackernews", "hackernews/search_by_date.json", "ovh", 50,
       "hitsPerPage = page_size (50 by default)", "/hits", "/objectID"},
      {"stackexchange", "stackexchange/search_advanced.json", "ovh", 50,
       "pagesize = page_size (50)", "/items", "/question_id"},
      {"github", "github/search_issues.json", "ovh", 50, "per_page = page_size (50)", "/items",
       "/id"},
      {"reddit", "reddit/search.json", "ovh", 50, "limit = page_size (50)", "/data/children",
       "/data/name"},
      {"reddit", "reddit/search.rss", "ovh", 25, "Reddit's search feed: 25 entries", "entry", ""},
      {"mastodon", "mastodon/tag_timeline.json", "OVHcloud", 40, "limit=40 (Mastodon's maximum)",
       "", "/uri"},
      {"discourse", "discourse/search.json", "vps", 50, "a search page: 50 posts", "/posts", "/id"},
      {"discourse", "discourse/latest.json", "latest", 30,
       "latest.json: 30 topics a page (1 pinned, skipped)", "/topic_list/topics", "/id"},
      {"rss", "rss/feed.xml", "", 20, "a typical RSS 2.0 feed: 20 items", "item", ""},
      {"rss", "rss/atom.xml", "", 20, "a typical Atom feed: 20 entries", "entry", ""},
      {"google_news", "google_news/search.rss", "ovhcloud", 100,
       "Google News search feeds: up to 100 items", "item", ""},
      {"nitter", "nitter/search.rss", "ovhcloud", 20, "Nitter search feeds: 20 tweets", "item", ""},
      {"trustpilot", "trustpilot/review_page.html", "ovhcloud.com", 20,
       "Trustpilot review pages: 20 reviews", "next_data", ""},
      {"html", "html/forum_page.html", "ovh", 20, "a forum listing of 20 threads", "article", ""},
  };
  return kRecipes;
}

std::string HtmlEscape(std::string_view s) {
  std::string out;
  out.reserve(s.size() + 16);
  for (char c : s) {
    if (c == '&')
      out += "&amp;";
    else if (c == '<')
      out += "&lt;";
    else if (c == '>')
      out += "&gt;";
    else if (c == '"')
      out += "&quot;";
    else
      out += c;
  }
  return out;
}

// One generated post's text, ~60% EN / 40% FR, ~35% complaints (as the API bench's posts).
struct GeneratedText {
  std::string title, content, author;
};
GeneratedText Generate(Rng& rng, std::string_view source) {
  TextSpec spec;
  spec.lang = rng.Chance(0.6) ? Lang::kEn : Lang::kFr;
  spec.product = static_cast<int>(rng.Below(kProductCount));
  const double tone = rng.Unit();
  spec.tone = tone < 0.35 ? Tone::kComplaint : tone < 0.8 ? Tone::kNeutral : Tone::kPositive;
  if (spec.tone == Tone::kComplaint) {
    auto categories = ComplaintCategories(spec.product);
    if (!categories.empty()) spec.category = rng.Pick(categories);
  }
  spec.source = source;
  spec.target_length = static_cast<int>(rng.Between(150, 1200));
  GeneratedText t;
  GenerateText(spec, rng, t.title, t.content);
  GenerateAuthor(source, spec.lang, rng, t.author);
  return t;
}

// Newest first, 1 to 10 minutes apart, from 2025-05-14.
constexpr std::int64_t kNewest = 1'747'216'000;

}  // namespace

Result<std::vector<ParseWorkload>> BuildParseWorkloads(const std::string& fixtures_dir) {
  std::vector<ParseWorkload> out;
  for (const Recipe& r : Recipes()) {
    CT_ASSIGN_OR_RETURN(std::string body, ReadFile(fixtures_dir + "/" + r.fixture));
    ParseWorkload w;
    w.kind = r.kind;
    w.fixture = r.fixture;
    w.query = r.query;
    w.items = r.items;
    w.why = r.why;
    w.fixture_bytes = static_cast<std::int64_t>(body.size());
    Status grown;
    if (r.array == "next_data") {
      auto b = GrowNextData(body, r.items, &w.fixture_items);
      if (b.ok())
        w.body = std::move(b).value();
      else
        grown = b.status();
    } else if (r.array.empty() || r.array[0] == '/') {
      json root = json::parse(body, nullptr, false);
      if (root.is_discarded()) return Status::DataLoss(r.fixture + " is not JSON");
      if (r.array.empty()) {  // the root is the array
        json wrapped = {{"items", std::move(root)}};
        grown = GrowJsonArray(wrapped, "/items", r.id, r.items, &w.fixture_items, &w.skipped);
        w.body = wrapped["items"].dump();
      } else {
        grown = GrowJsonArray(root, r.array, r.id, r.items, &w.fixture_items, &w.skipped);
        w.body = root.dump();
      }
    } else {
      auto b = GrowMarkup(body, r.array, r.items, &w.fixture_items);
      if (b.ok())
        w.body = std::move(b).value();
      else
        grown = b.status();
    }
    CT_RETURN_IF_ERROR(grown.WithContext(r.fixture));
    out.push_back(std::move(w));
  }
  return out;
}

IngestPages BuildHackerNewsPages(int pages, int per_page, std::uint64_t seed) {
  Rng rng(seed);
  IngestPages out;
  std::int64_t t = kNewest;
  std::int64_t id = 43'000'000;
  for (int page = 0; page < pages; ++page) {
    json hits = json::array();
    for (int i = 0; i < per_page; ++i) {
      const GeneratedText text = Generate(rng, "hackernews");
      t -= rng.Between(60, 600);
      --id;
      const bool comment = rng.Chance(0.7);
      json hit = {{"objectID", std::to_string(id)},
                  {"created_at_i", t},
                  {"created_at", FormatIso8601(t)},
                  {"author", text.author},
                  {"_tags", {comment ? "comment" : "story", "author_" + text.author}},
                  {"story_id", id - 1 - static_cast<std::int64_t>(rng.Below(5000))}};
      if (comment) {
        hit["comment_text"] = "<p>" + HtmlEscape(text.content) + "</p>";
        hit["story_title"] = text.title;
        hit["title"] = nullptr;
        hit["points"] = nullptr;
        hit["num_comments"] = nullptr;
      } else {
        hit["title"] = text.title;
        hit["story_text"] = "<p>" + HtmlEscape(text.content) + "</p>";
        hit["points"] = rng.Between(1, 400);
        hit["num_comments"] = rng.Between(0, 150);
        hit["url"] = nullptr;
      }
      hits.push_back(std::move(hit));
      ++out.items;
    }
    json root = {{"hits", std::move(hits)},
                 {"page", page},
                 {"nbPages", pages},
                 {"hitsPerPage", per_page},
                 {"nbHits", static_cast<std::int64_t>(pages) * per_page}};
    out.bodies.push_back(root.dump());
    out.bytes += static_cast<std::int64_t>(out.bodies.back().size());
  }
  return out;
}

IngestPages BuildRedditPages(int pages, int per_page, std::uint64_t seed) {
  static constexpr std::string_view kSubreddits[] = {"ovh",      "selfhosted", "france",
                                                     "sysadmin", "webhosting", "homelab"};
  Rng rng(seed);
  IngestPages out;
  std::int64_t t = kNewest;
  std::int64_t n = 60'000'000;  // base-36 ids like Reddit's "1kqa001"
  auto base36 = [](std::int64_t v) {
    std::string s;
    do {
      s.insert(s.begin(), "0123456789abcdefghijklmnopqrstuvwxyz"[v % 36]);
      v /= 36;
    } while (v > 0);
    return s;
  };
  for (int page = 0; page < pages; ++page) {
    json children = json::array();
    std::string last;
    for (int i = 0; i < per_page; ++i) {
      const GeneratedText text = Generate(rng, "reddit");
      t -= rng.Between(60, 600);
      const std::string id = base36(--n);
      const std::string sub(kSubreddits[rng.Below(std::size(kSubreddits))]);
      last = "t3_" + id;
      children.push_back(
          {{"kind", "t3"},
           {"data",
            {{"name", last},
             {"id", id},
             {"title", text.title},
             {"selftext", text.content},
             {"author", text.author},
             {"created_utc", static_cast<double>(t)},
             {"permalink", "/r/" + sub + "/comments/" + id + "/post_" + id + "/"},
             {"url", "https://www.reddit.com/r/" + sub + "/comments/" + id + "/post_" + id + "/"},
             {"score", rng.Between(0, 300)},
             {"num_comments", rng.Between(0, 80)},
             {"subreddit", sub}}}});
      ++out.items;
    }
    json root = {{"kind", "Listing"},
                 {"data",
                  {{"after", page + 1 < pages ? json(last) : json(nullptr)},
                   {"dist", per_page},
                   {"children", std::move(children)}}}};
    if (page + 1 < pages) out.page_after[last] = page + 1;
    out.bodies.push_back(root.dump());
    out.bytes += static_cast<std::int64_t>(out.bodies.back().size());
  }
  return out;
}

}  // namespace ct::bench
