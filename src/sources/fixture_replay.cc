#include "sources/fixture_replay.h"

#include <charconv>
#include <filesystem>
#include <fstream>
#include <functional>
#include <sstream>

namespace ct {
namespace {

namespace fs = std::filesystem;

bool StartsWith(const std::string& s, std::string_view prefix) { return s.rfind(prefix, 0) == 0; }

std::string ContentType(const std::string& file) {
  const std::string ext = fs::path(file).extension().string();
  if (ext == ".json") return "application/json; charset=utf-8";
  if (ext == ".rss") return "application/rss+xml; charset=utf-8";
  if (ext == ".js") return "text/javascript; charset=utf-8";
  if (ext == ".xml") return file.find("atom") != std::string::npos ? "application/atom+xml" : "application/rss+xml";
  return "text/html; charset=utf-8";
}

std::string Param(const std::string& query, const std::string& name) {
  std::stringstream ss(query);
  for (std::string kv; std::getline(ss, kv, '&');) {
    const auto eq = kv.find('=');
    if (kv.substr(0, eq) == name) return eq == std::string::npos ? "" : kv.substr(eq + 1);
  }
  return "";
}

}  // namespace

Result<ReplayFaults> ParseReplayFaults(const std::string& spec) {
  ReplayFaults f;
  std::stringstream ss(spec);
  for (std::string item; std::getline(ss, item, ',');) {
    if (item.empty()) continue;
    const auto eq = item.find('=');
    const std::string key = item.substr(0, eq);
    const std::string value = eq == std::string::npos ? "" : item.substr(eq + 1);
    auto bad = [&] {
      return Status::InvalidArgument("fault '" + item +
                                     "': expected error|throttle|slow|truncate|drop=RATE (0..1), "
                                     "delay_ms|retry_after_s|seed=N or drift=0|1");
    };
    double rate = 0;
    std::int64_t n = 0;
    const bool is_rate = key == "error" || key == "throttle" || key == "slow" ||
                         key == "truncate" || key == "drop";
    if (is_rate) {
      auto [p, ec] = std::from_chars(value.data(), value.data() + value.size(), rate);
      if (ec != std::errc() || p != value.data() + value.size() || rate < 0 || rate > 1) return bad();
    } else {
      auto [p, ec] = std::from_chars(value.data(), value.data() + value.size(), n);
      if (ec != std::errc() || p != value.data() + value.size() || n < 0) return bad();
    }
    if (key == "error") f.error_rate = rate;
    else if (key == "throttle") f.throttle_rate = rate;
    else if (key == "slow") f.slow_rate = rate;
    else if (key == "truncate") f.truncate_rate = rate;
    else if (key == "drop") f.drop_rate = rate;
    else if (key == "delay_ms") f.delay_ms = static_cast<int>(n);
    else if (key == "retry_after_s") f.retry_after_s = static_cast<int>(n);
    else if (key == "seed") f.seed = static_cast<std::uint64_t>(n);
    else if (key == "drift") f.drift = n != 0;
    else return bad();
  }
  return f;
}

FixtureReplay::FixtureReplay(std::string fixtures_dir, ReplayFaults faults)
    : dir_(std::move(fixtures_dir)), faults_(faults), rng_(faults.seed) {}

std::string FixtureReplay::FixtureFor(const std::string& path, const std::string& query,
                                      bool drift) {
  // "/<kind>/<rest>"
  const auto slash = path.find('/', 1);
  const std::string kind = path.substr(1, slash == std::string::npos ? std::string::npos : slash - 1);
  const std::string rest = slash == std::string::npos ? "/" : path.substr(slash);
  auto pick = [&](const std::string& file) -> std::string {
    if (drift && (kind == "hackernews" || kind == "stackexchange" || kind == "github" ||
                  kind == "reddit" || kind == "mastodon" || kind == "discourse"))
      return kind + "/drift.json";
    return kind + "/" + file;
  };
  if (kind == "hackernews" && rest == "/api/v1/search_by_date")
    return pick(Param(query, "page") == "1" ? "page2.json" : "search_by_date.json");
  if (kind == "stackexchange" && rest == "/2.3/search/advanced") return pick("search_advanced.json");
  if (kind == "github" && rest == "/search/issues") return pick("search_issues.json");
  if (kind == "reddit" && rest == "/search.json") return pick("search.json");
  if (kind == "reddit" && rest == "/search.rss") return kind + "/search.rss";
  if (kind == "mastodon" && StartsWith(rest, "/api/v1/timelines/tag/")) return pick("tag_timeline.json");
  if (kind == "discourse" && rest == "/latest.json") return pick("latest.json");
  if (kind == "discourse" && rest == "/search.json") return pick("search.json");
  if (kind == "google_news" && rest == "/rss/search") return kind + "/search.rss";
  if (kind == "nitter" && rest == "/search/rss") return kind + "/search.rss";
  if (kind == "rss" && (rest == "/feed.xml" || rest == "/atom.xml")) return kind + rest;
  if (kind == "trustpilot" && StartsWith(rest, "/review/")) return kind + "/review_page.html";
  if (kind == "html" && StartsWith(rest, "/forum")) return kind + "/forum_page.html";
  // g2: the review page is a shell whose script renders the reviews (only a browser sees them).
  if (kind == "g2" && StartsWith(rest, "/products/") && rest.size() > 8 &&
      rest.compare(rest.size() - 8, 8, "/reviews") == 0)
    return kind + (drift ? "/drift.html" : "/js_page.html");
  if (kind == "g2" && rest == "/static/render.js") return kind + "/render.js";
  if (kind == "g2" && rest == "/rendered/reviews.html") return kind + "/reviews.html";
  if (kind == "browser" && rest == "/never-loads") return kind + "/never_loads.html";
  return "";
}

testing::ServerReply FixtureReplay::Handle(const testing::ServerRequest& request) {
  // A sub-resource that never arrives (until the server stops): pages using it never finish.
  if (request.path == "/browser/hang") return {.body = "", .delay_ms = 3'600'000};
  double draw = 0;
  {
    std::lock_guard lock(mu_);
    ++served_;
    draw = std::uniform_real_distribution<double>(0, 1)(rng_);
  }
  testing::ServerReply reply;
  // One draw decides the fault: the rates are stacked in a fixed order.
  double edge = faults_.drop_rate;
  if (draw < edge) {
    reply.drop = true;
    return reply;
  }
  if (draw < (edge += faults_.error_rate)) return {.status = 503, .body = "replay: injected 503\n"};
  if (draw < (edge += faults_.throttle_rate)) {
    return {.status = 429,
            .headers = {{"Retry-After", std::to_string(faults_.retry_after_s)}},
            .body = "replay: injected 429\n"};
  }
  const bool slow = draw < (edge += faults_.slow_rate);
  const bool truncate = !slow && draw < (edge += faults_.truncate_rate);

  const std::string file = FixtureFor(request.path, request.query, faults_.drift);
  if (file.empty()) return {.status = 404, .body = "replay: no fixture for " + request.path + "\n"};
  std::ifstream in(fs::path(dir_) / file, std::ios::binary);
  if (!in) return {.status = 404, .body = "replay: missing fixture " + file + "\n"};
  std::stringstream body;
  body << in.rdbuf();
  reply.body = body.str();
  const std::string etag = "\"" + std::to_string(std::hash<std::string>{}(reply.body)) + "\"";
  if (request.Header("if-none-match") == etag) return {.status = 304, .headers = {{"ETag", etag}}};
  reply.headers = {{"Content-Type", ContentType(file)}, {"ETag", etag}};
  if (slow) reply.delay_ms = faults_.delay_ms;
  if (truncate) reply.truncate_at = reply.body.size() / 2;
  return reply;
}

std::int64_t FixtureReplay::served() const {
  std::lock_guard lock(mu_);
  return served_;
}

void PointSourcesAtReplay(AppConfig& config, const std::string& replay_url) {
  bool has_rss = false, has_html = false;
  for (SourceConfig& s : config.sources) {
    const std::string base = replay_url + "/" + s.kind;
    if (s.kind == "mastodon") {
      s.instances = {base};
    } else if (s.kind == "rss") {
      s.base_url = base + "/feed.xml";
      has_rss = true;
    } else if (s.kind == "html") {
      s.base_url = base + "/forum/search?q={query}";
      has_html = true;
    } else {
      s.base_url = base;
    }
    if (s.kind == "nitter") s.enabled = true;
  }
  if (!has_rss) {
    SourceConfig rss;
    rss.name = "rss_feed";
    rss.kind = "rss";
    rss.base_url = replay_url + "/rss/feed.xml";
    config.sources.push_back(rss);
  }
  if (!has_html) {
    SourceConfig html;
    html.name = "hosting_forum";
    html.kind = "html";
    html.base_url = replay_url + "/html/forum/search?q={query}";
    html.queries = {"ovh"};
    html.selectors = {{"item", "//article[@class='thread']"},
                      {"title", ".//h2"},
                      {"url", ".//h2/a/@href"},
                      {"id", "string(@data-id)"},
                      {"author", ".//span[@class='author']"},
                      {"date", ".//time/@datetime"},
                      {"content", ".//div[@class='body']"}};  // one page: no "next"
    config.sources.push_back(html);
  }
}

Result<std::string> FindFixturesDir(const std::string& hint) {
  std::error_code ec;
  if (!hint.empty()) {
    if (fs::is_directory(hint, ec)) return hint;
    return Status::NotFound("fixtures folder '" + hint + "' does not exist");
  }
  for (const std::string& candidate :
       {std::string("tests/fixtures/sources"), std::string(CT_FIXTURES_DIR)}) {
    if (fs::is_directory(candidate, ec)) return candidate;
  }
  return Status::NotFound("no tests/fixtures/sources here nor in " + std::string(CT_FIXTURES_DIR) +
                          "; pass --fixtures DIR");
}

}  // namespace ct
