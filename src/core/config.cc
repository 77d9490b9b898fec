#include "core/config.h"

#include <unistd.h>

#include <algorithm>
#include <charconv>
#include <set>
#include <toml++/toml.h>

extern char** environ;

namespace ct {
namespace {

// Reads the keys of one TOML table into a struct and reports keys it did not read.
class TableReader {
 public:
  TableReader(const toml::table* table, std::string path, Status& error)
      : table_(table), path_(std::move(path)), error_(error) {}

  void String(const char* key, std::string& out) {
    if (auto node = Take(key)) {
      if (auto v = node->value<std::string>()) out = *v;
      else Fail(key, "a string");
    }
  }
  template <typename Int>
  void Integer(const char* key, Int& out) {
    if (auto node = Take(key)) {
      if (auto v = node->value<std::int64_t>()) out = static_cast<Int>(*v);
      else Fail(key, "an integer");
    }
  }
  void Double(const char* key, double& out) {
    if (auto node = Take(key)) {
      if (auto v = node->value<double>()) out = *v;
      else Fail(key, "a number");
    }
  }
  void Bool(const char* key, bool& out) {
    if (auto node = Take(key)) {
      if (auto v = node->value<bool>()) out = *v;
      else Fail(key, "true or false");
    }
  }
  void StringList(const char* key, std::vector<std::string>& out) {
    auto node = Take(key);
    if (!node) return;
    const toml::array* arr = node->as_array();
    if (!arr) return Fail(key, "an array of strings");
    std::vector<std::string> values;
    for (const auto& item : *arr) {
      auto v = item.value<std::string>();
      if (!v) return Fail(key, "an array of strings");
      values.push_back(*v);
    }
    out = std::move(values);
  }
  // A sub-table (e.g. [sources.NAME.selectors]); null when absent or not a table (an error).
  const toml::table* Table(const char* key) {
    auto node = Take(key);
    if (!node) return nullptr;
    if (!node->is_table()) Fail(key, "a table");
    return node->as_table();
  }
  // Reports the first key present in the table that no reader asked for.
  void Finish() {
    if (!table_ || !error_.ok()) return;
    for (const auto& [key, node] : *table_) {
      if (!seen_.count(std::string(key.str()))) {
        error_ = Status::InvalidArgument("unknown config key '" + Join(std::string(key.str())) + "'");
        return;
      }
    }
  }

 private:
  const toml::node* Take(const char* key) {
    seen_.insert(key);
    if (!table_ || !error_.ok()) return nullptr;
    return table_->get(key);
  }
  void Fail(const char* key, const char* what) {
    if (error_.ok())
      error_ = Status::InvalidArgument("config key '" + Join(key) + "' must be " + what);
  }
  std::string Join(const std::string& key) const { return path_.empty() ? key : path_ + "." + key; }

  const toml::table* table_;
  std::string path_;
  Status& error_;
  std::set<std::string> seen_;
};

const toml::table* Section(const toml::table& root, const char* name, Status& error) {
  const toml::node* node = root.get(name);
  if (!node) return nullptr;
  if (!node->is_table() && error.ok())
    error = Status::InvalidArgument(std::string("config key '") + name + "' must be a table");
  return node->as_table();
}

// [schedules.NAME] tables: a known name overrides that default's keys; a new name adds one.
Status ApplySchedules(const toml::table* table, std::vector<ScheduleConfig>& schedules) {
  if (!table) return Status::Ok();
  for (const auto& [key, node] : *table) {
    const std::string name(key.str());
    const toml::table* t = node.as_table();
    if (!t) return Status::InvalidArgument("config key 'schedules." + name + "' must be a table");
    auto it = std::find_if(schedules.begin(), schedules.end(),
                           [&](const ScheduleConfig& s) { return s.name == name; });
    const bool added = it == schedules.end();
    ScheduleConfig s = added ? ScheduleConfig{} : *it;
    s.name = name;
    Status error;
    TableReader r(t, "schedules." + name, error);
    r.String("cron", s.cron);
    r.String("type", s.job_type);
    r.String("payload", s.payload_json);
    r.Integer("priority", s.priority);
    r.Bool("enabled", s.enabled);
    r.String("misfire", s.misfire);
    r.Integer("misfire_window_s", s.misfire_window_s);
    r.String("overlap", s.overlap);
    r.Finish();
    CT_RETURN_IF_ERROR(error);
    if (added) schedules.push_back(std::move(s));
    else *it = std::move(s);
  }
  return Status::Ok();
}

// [sources.NAME] tables: a known name overrides that default's keys; a new name adds one.
Status ApplySources(const toml::table* table, std::vector<SourceConfig>& sources) {
  if (!table) return Status::Ok();
  for (const auto& [key, node] : *table) {
    const std::string name(key.str());
    const toml::table* t = node.as_table();
    if (!t) return Status::InvalidArgument("config key 'sources." + name + "' must be a table");
    auto it = std::find_if(sources.begin(), sources.end(),
                           [&](const SourceConfig& s) { return s.name == name; });
    const bool added = it == sources.end();
    SourceConfig s = added ? SourceConfig{} : *it;
    s.name = name;
    Status error;
    const std::string path = "sources." + name;
    TableReader r(t, path, error);
    r.String("kind", s.kind);
    r.Bool("enabled", s.enabled);
    r.StringList("queries", s.queries);
    r.String("schedule", s.schedule);
    r.String("base_url", s.base_url);
    r.StringList("instances", s.instances);
    r.String("site", s.site);
    r.String("format", s.format);
    r.String("token_env", s.token_env);
    r.Double("requests_per_minute", s.requests_per_minute);
    r.Integer("burst", s.burst);
    r.Integer("page_size", s.page_size);
    r.Integer("max_pages", s.max_pages);
    r.Integer("breaker_failures", s.breaker_failures);
    r.Integer("breaker_cooldown_s", s.breaker_cooldown_s);
    if (const toml::table* sel = r.Table("selectors")) {
      s.selectors.clear();
      for (const auto& [sk, sv] : *sel) {
        auto v = sv.value<std::string>();
        if (!v)
          return Status::InvalidArgument("config key '" + path + ".selectors." +
                                         std::string(sk.str()) + "' must be a string");
        s.selectors[std::string(sk.str())] = *v;
      }
    }
    r.Finish();
    CT_RETURN_IF_ERROR(error);
    if (added) sources.push_back(std::move(s));
    else *it = std::move(s);
  }
  return Status::Ok();
}

Status ApplyToml(const toml::table& root, AppConfig& c) {
  Status error;
  TableReader top(&root, "", error);
  top.String("data_dir", c.data_dir);
  {
    TableReader r(Section(root, "server", error), "server", error);
    r.String("listen", c.server.listen);
    r.Integer("threads", c.server.threads);
    r.Integer("max_body_bytes", c.server.max_body_bytes);
    r.Integer("max_header_bytes", c.server.max_header_bytes);
    r.Integer("request_timeout_ms", c.server.request_timeout_ms);
    r.Integer("idle_timeout_ms", c.server.idle_timeout_ms);
    r.StringList("cors_origins", c.server.cors_origins);
    r.Bool("public_reads", c.server.public_reads);
    r.String("web_root", c.server.web_root);
    r.Finish();
  }
  {
    TableReader r(Section(root, "store", error), "store", error);
    r.String("database_url", c.store.database_url);
    r.Integer("pool_size", c.store.pool_size);
    r.Integer("busy_timeout_ms", c.store.busy_timeout_ms);
    r.Finish();
  }
  {
    TableReader r(Section(root, "queue", error), "queue", error);
    r.String("redis_url", c.queue.redis_url);
    r.Integer("worker_concurrency", c.queue.worker_concurrency);
    r.Integer("job_timeout_s", c.queue.job_timeout_s);
    r.Integer("job_memory_limit_mb", c.queue.job_memory_limit_mb);
    r.Finish();
  }
  {
    TableReader r(Section(root, "company", error), "company", error);
    r.String("name", c.company.name);
    r.StringList("brand_terms", c.company.brand_terms);
    r.StringList("domains", c.company.domains);
    r.Double("relevance_threshold", c.company.relevance_threshold);
    r.String("taxonomy", c.company.taxonomy);
    r.Finish();
  }
  {
    TableReader r(Section(root, "log", error), "log", error);
    r.String("level", c.log.level);
    r.String("format", c.log.format);
    r.Finish();
  }
  if (error.ok()) {
    const toml::table* schedules = Section(root, "schedules", error);
    if (error.ok()) error = ApplySchedules(schedules, c.schedules);
  }
  {
    TableReader r(Section(root, "fetch", error), "fetch", error);
    r.String("user_agent", c.fetch.user_agent);
    r.String("proxy", c.fetch.proxy);
    r.Integer("connect_timeout_ms", c.fetch.connect_timeout_ms);
    r.Integer("timeout_ms", c.fetch.timeout_ms);
    r.Integer("max_body_bytes", c.fetch.max_body_bytes);
    r.Integer("max_redirects", c.fetch.max_redirects);
    r.StringList("allow_networks", c.fetch.allow_networks);
    r.Double("host_requests_per_second", c.fetch.host_requests_per_second);
    r.Finish();
  }
  {
    TableReader r(Section(root, "browser", error), "browser", error);
    r.String("chromedriver", c.browser.chromedriver);
    r.String("chromium", c.browser.chromium);
    r.Integer("page_load_timeout_ms", c.browser.page_load_timeout_ms);
    r.Integer("max_pages", c.browser.max_pages);
    r.Integer("max_memory_mb", c.browser.max_memory_mb);
    r.Finish();
  }
  if (error.ok()) {
    const toml::table* sources = Section(root, "sources", error);
    if (error.ok()) error = ApplySources(sources, c.sources);
  }
  // Top-level keys: data_dir and the sections.
  if (error.ok()) {
    for (const auto& [key, node] : root) {
      const std::string k(key.str());
      if (k != "data_dir" && k != "server" && k != "store" && k != "queue" && k != "company" &&
          k != "log" && k != "schedules" && k != "fetch" && k != "browser" &&
          k != "sources")
        return Status::InvalidArgument("unknown config key '" + k + "'");
    }
  }
  return error;
}

Status ParseIntEnv(const Environment& env, const char* name, int& out) {
  auto it = env.find(name);
  if (it == env.end()) return Status::Ok();
  const std::string& s = it->second;
  int v = 0;
  auto [p, ec] = std::from_chars(s.data(), s.data() + s.size(), v);
  if (ec != std::errc() || p != s.data() + s.size())
    return Status::InvalidArgument(std::string("environment variable ") + name +
                                   " must be an integer, got '" + s + "'");
  out = v;
  return Status::Ok();
}

Status ApplyEnvironment(const Environment& env, AppConfig& c) {
  auto str = [&](const char* name, std::string& out) {
    if (auto it = env.find(name); it != env.end()) out = it->second;
  };
  str("COMPLAINTS_DATA_DIR", c.data_dir);
  str("DATABASE_URL", c.store.database_url);
  str("REDIS_URL", c.queue.redis_url);
  str("COMPLAINTS_LISTEN", c.server.listen);
  str("COMPLAINTS_WEB_ROOT", c.server.web_root);
  str("COMPLAINTS_TAXONOMY", c.company.taxonomy);
  str("COMPLAINTS_LOG_LEVEL", c.log.level);
  str("COMPLAINTS_LOG_FORMAT", c.log.format);
  CT_RETURN_IF_ERROR(ParseIntEnv(env, "WORKER_CONCURRENCY", c.queue.worker_concurrency));
  CT_RETURN_IF_ERROR(ParseIntEnv(env, "JOB_TIMEOUT", c.queue.job_timeout_s));
  CT_RETURN_IF_ERROR(ParseIntEnv(env, "JOB_MEMORY_LIMIT_MB", c.queue.job_memory_limit_mb));
  if (auto it = env.find("COMPLAINTS_CORS_ORIGINS"); it != env.end()) {
    c.server.cors_origins.clear();
    std::string item;
    for (char ch : it->second + ",") {
      if (ch == ',') {
        if (!item.empty()) c.server.cors_origins.push_back(item);
        item.clear();
      } else if (ch != ' ') {
        item += ch;
      }
    }
  }
  str("COMPLAINTS_PROXY", c.fetch.proxy);
  if (auto it = env.find("COMPLAINTS_ALLOW_NETWORKS"); it != env.end()) {
    c.fetch.allow_networks.clear();
    std::string item;
    for (char ch : it->second + ",") {
      if (ch == ',') {
        if (!item.empty()) c.fetch.allow_networks.push_back(item);
        item.clear();
      } else if (ch != ' ') {
        item += ch;
      }
    }
  }
  if (auto it = env.find("COMPLAINTS_PUBLIC_READS"); it != env.end()) {
    if (it->second == "1" || it->second == "true") c.server.public_reads = true;
    else if (it->second == "0" || it->second == "false") c.server.public_reads = false;
    else
      return Status::InvalidArgument("environment variable COMPLAINTS_PUBLIC_READS must be true or false");
  }
  return Status::Ok();
}

}  // namespace

std::vector<ScheduleConfig> DefaultSchedules() {
  std::vector<ScheduleConfig> s(3);
  s[0].name = "auto_scrape";
  s[0].cron = "0 */3 * * *";  // every 3 hours
  s[0].job_type = "auto_scrape";
  s[1].name = "backup";
  s[1].cron = "0 3 * * *";  // daily, 03:00 UTC
  s[1].job_type = "backup";
  s[2].name = "prune";
  s[2].cron = "30 4 * * *";  // daily, 04:30 UTC
  s[2].job_type = "prune";
  return s;
}

std::vector<SourceConfig> DefaultSources() {
  auto make = [](const char* name, const char* kind, std::vector<std::string> queries) {
    SourceConfig s;
    s.name = name;
    s.kind = kind;
    s.queries = std::move(queries);
    return s;
  };
  std::vector<SourceConfig> s;
  s.push_back(make("hackernews", "hackernews", {"ovhcloud", "ovh"}));
  s.push_back(make("stackexchange", "stackexchange", {"ovh"}));
  s.back().requests_per_minute = 10;  // 300 requests/day without a key
  s.push_back(make("github", "github", {"ovhcloud in:title,body"}));
  s.back().token_env = "GITHUB_TOKEN";
  s.push_back(make("reddit", "reddit", {"ovh", "ovhcloud"}));
  s.back().requests_per_minute = 10;
  s.push_back(make("mastodon", "mastodon", {"ovhcloud", "ovh"}));
  s.back().instances = {"https://mastodon.social", "https://piaille.fr", "https://framapiaf.org"};
  s.push_back(make("ovh_community", "discourse", {"latest"}));
  s.back().base_url = "https://community.ovhcloud.com";
  s.push_back(make("google_news", "google_news", {"ovhcloud"}));
  s.push_back(make("trustpilot", "trustpilot", {"ovhcloud.com"}));
  s.back().requests_per_minute = 6;
  s.push_back(make("nitter", "nitter", {"ovhcloud"}));
  s.back().enabled = false;  // needs a self-hosted instance in base_url
  s.push_back(make("g2", "g2", {"ovhcloud"}));
  s.back().enabled = false;  // needs the browser fetcher
  return s;
}

Environment ProcessEnvironment() {
  Environment env;
  for (char** e = environ; e && *e; ++e) {
    std::string kv(*e);
    auto eq = kv.find('=');
    if (eq != std::string::npos) env[kv.substr(0, eq)] = kv.substr(eq + 1);
  }
  return env;
}

Status ValidateConfig(const AppConfig& c) {
  auto bad = [](std::string m) { return Status::InvalidArgument(std::move(m)); };
  const auto colon = c.server.listen.rfind(':');
  if (colon == std::string::npos || colon == 0 || colon + 1 == c.server.listen.size())
    return bad("server.listen must be host:port, got '" + c.server.listen + "'");
  {
    const std::string port = c.server.listen.substr(colon + 1);
    int p = 0;
    auto [ptr, ec] = std::from_chars(port.data(), port.data() + port.size(), p);
    if (ec != std::errc() || ptr != port.data() + port.size() || p < 0 || p > 65535)
      return bad("server.listen has an invalid port '" + port + "'");
  }
  if (c.server.threads < 0 || c.server.threads > 256) return bad("server.threads must be 0..256");
  if (c.server.max_body_bytes < 1024) return bad("server.max_body_bytes must be at least 1024");
  if (c.server.max_header_bytes < 1024)
    return bad("server.max_header_bytes must be at least 1024");
  if (c.server.request_timeout_ms < 100) return bad("server.request_timeout_ms must be >= 100");
  if (c.server.idle_timeout_ms < 100) return bad("server.idle_timeout_ms must be >= 100");
  if (c.server.web_root.empty())
    return bad("server.web_root (COMPLAINTS_WEB_ROOT) must be a directory path, got ''");
  for (const auto& o : c.server.cors_origins)
    if (o != "*" && o.rfind("http://", 0) != 0 && o.rfind("https://", 0) != 0)
      return bad("server.cors_origins entry '" + o + "' must start with http:// or https://");
  const auto& url = c.store.database_url;
  if (url.rfind("sqlite:", 0) != 0 && url.rfind("postgresql://", 0) != 0 &&
      url.rfind("postgres://", 0) != 0)
    return bad("DATABASE_URL must be sqlite:PATH or postgresql://..., got '" + url + "'");
  if (url == "sqlite:") return bad("DATABASE_URL sqlite: needs a path");
  if (c.store.pool_size < 1 || c.store.pool_size > 256) return bad("store.pool_size must be 1..256");
  if (c.store.busy_timeout_ms < 0) return bad("store.busy_timeout_ms must be >= 0");
  if (!c.queue.redis_url.empty() && c.queue.redis_url.rfind("redis://", 0) != 0 &&
      c.queue.redis_url.rfind("unix://", 0) != 0)
    return bad("REDIS_URL must start with redis:// or unix://, got '" + c.queue.redis_url + "'");
  if (c.queue.worker_concurrency < 1 || c.queue.worker_concurrency > 256)
    return bad("WORKER_CONCURRENCY must be 1..256, got " + std::to_string(c.queue.worker_concurrency));
  if (c.queue.job_timeout_s < 1) return bad("JOB_TIMEOUT must be at least 1 second");
  if (c.queue.job_memory_limit_mb != 0 &&
      (c.queue.job_memory_limit_mb < 64 || c.queue.job_memory_limit_mb > (1 << 20)))
    return bad("queue.job_memory_limit_mb (JOB_MEMORY_LIMIT_MB) must be 0 (no limit) or 64..1048576 "
               "MiB, got " + std::to_string(c.queue.job_memory_limit_mb));
  if (c.company.name.empty()) return bad("company.name must not be empty");
  if (c.company.relevance_threshold < 0 || c.company.relevance_threshold > 1)
    return bad("company.relevance_threshold must be in [0, 1]");
  if (!c.company.taxonomy.empty() && access(c.company.taxonomy.c_str(), R_OK) != 0)
    return bad("company.taxonomy (COMPLAINTS_TAXONOMY): cannot read '" + c.company.taxonomy + "'");
  static const std::set<std::string> kLevels = {"trace", "debug", "info", "warn", "error", "off"};
  if (!kLevels.count(c.log.level)) return bad("log.level must be one of trace|debug|info|warn|error|off");
  if (c.log.format != "text" && c.log.format != "json") return bad("log.format must be text or json");
  if (c.data_dir.empty()) return bad("data_dir must not be empty");
  for (const auto& s : c.schedules) {
    const std::string at = "schedules." + s.name;
    if (s.cron.empty()) return bad(at + ".cron is required");
    if (s.job_type.empty()) return bad(at + ".type is required");
    if (s.payload_json.empty() || s.payload_json.front() != '{')
      return bad(at + ".payload must be a JSON object");
    if (s.priority < 0 || s.priority > 10) return bad(at + ".priority must be 0..10");
    if (s.misfire != "fire_once" && s.misfire != "skip")
      return bad(at + ".misfire must be fire_once or skip");
    if (s.overlap != "skip" && s.overlap != "allow")
      return bad(at + ".overlap must be skip or allow");
    if (s.misfire_window_s < 0) return bad(at + ".misfire_window_s must be >= 0");
  }
  if (c.fetch.user_agent.empty()) return bad("fetch.user_agent must not be empty");
  if (c.fetch.connect_timeout_ms < 100) return bad("fetch.connect_timeout_ms must be >= 100");
  if (c.fetch.timeout_ms < 100) return bad("fetch.timeout_ms must be >= 100");
  if (c.fetch.max_body_bytes < 1024) return bad("fetch.max_body_bytes must be at least 1024");
  if (c.fetch.max_redirects < 0 || c.fetch.max_redirects > 5)
    return bad("fetch.max_redirects must be 0..5");
  if (c.fetch.host_requests_per_second <= 0) return bad("fetch.host_requests_per_second must be > 0");
  for (const auto& n : c.fetch.allow_networks)
    if (n.empty() || n.find_first_not_of("0123456789abcdefABCDEF.:/") != std::string::npos)
      return bad("fetch.allow_networks entry '" + n + "' is not a CIDR");
  if (c.browser.chromedriver.empty() || c.browser.chromium.empty())
    return bad("browser.chromedriver and browser.chromium must not be empty");
  if (c.browser.page_load_timeout_ms < 1000) return bad("browser.page_load_timeout_ms must be >= 1000");
  if (c.browser.max_pages < 1) return bad("browser.max_pages must be >= 1");
  if (c.browser.max_memory_mb < 64) return bad("browser.max_memory_mb must be >= 64");
  static const std::set<std::string> kKinds = {
      "hackernews", "stackexchange", "github", "reddit", "mastodon", "discourse",
      "google_news", "trustpilot", "rss", "html", "nitter", "g2"};
  std::set<std::string> names;
  for (const auto& s : c.sources) {
    const std::string at = "sources." + s.name;
    if (!names.insert(s.name).second) return bad(at + " is defined twice");
    if (!kKinds.count(s.kind))
      return bad(at + ".kind must be one of hackernews|stackexchange|github|reddit|mastodon|"
                      "discourse|google_news|trustpilot|rss|html|nitter|g2, got '" + s.kind + "'");
    if (!s.base_url.empty() && s.base_url.rfind("http://", 0) != 0 &&
        s.base_url.rfind("https://", 0) != 0)
      return bad(at + ".base_url must start with http:// or https://");
    if (s.enabled && (s.kind == "discourse" || s.kind == "rss" || s.kind == "html" ||
                      s.kind == "nitter") && s.base_url.empty())
      return bad(at + ".base_url is required for kind " + s.kind);
    if (s.enabled && s.kind == "html" && (!s.selectors.count("item") || s.selectors.at("item").empty()))
      return bad(at + ".selectors.item is required for kind html");
    for (const auto& [k, v] : s.selectors) {
      static const std::set<std::string> kSel = {"item", "title", "content", "url", "author", "date", "id", "next"};
      if (!kSel.count(k)) return bad("unknown config key '" + at + ".selectors." + k + "'");
    }
    if (!s.format.empty() && s.format != "json" && s.format != "rss")
      return bad(at + ".format must be json or rss");
    if (s.requests_per_minute <= 0) return bad(at + ".requests_per_minute must be > 0");
    if (s.burst < 1) return bad(at + ".burst must be >= 1");
    if (s.page_size < 1 || s.page_size > 100) return bad(at + ".page_size must be 1..100");
    if (s.max_pages < 1 || s.max_pages > 100) return bad(at + ".max_pages must be 1..100");
    if (s.breaker_failures < 1) return bad(at + ".breaker_failures must be >= 1");
    if (s.breaker_cooldown_s < 1) return bad(at + ".breaker_cooldown_s must be >= 1");
  }
  return Status::Ok();
}

Result<AppConfig> LoadConfigFromString(const std::string& text, const Environment& env,
                                       const std::string& origin) {
  AppConfig config;
  if (!text.empty()) {
    toml::table root;
    try {
      root = toml::parse(text, origin);
    } catch (const toml::parse_error& e) {
      const auto& where = e.source().begin;
      return Status::InvalidArgument(origin + ":" + std::to_string(where.line) + ":" +
                                     std::to_string(where.column) + ": " +
                                     std::string(e.description()));
    }
    CT_RETURN_IF_ERROR(ApplyToml(root, config).WithContext(origin));
  }
  CT_RETURN_IF_ERROR(ApplyEnvironment(env, config));
  CT_RETURN_IF_ERROR(ValidateConfig(config));
  return config;
}

Result<AppConfig> LoadConfig(const std::string& path, const Environment& env) {
  std::string text;
  if (!path.empty()) {
    FILE* f = std::fopen(path.c_str(), "rb");
    if (!f) return Status::NotFound("config file '" + path + "' cannot be opened");
    char buf[8192];
    std::size_t n;
    while ((n = std::fread(buf, 1, sizeof buf, f)) > 0) text.append(buf, n);
    std::fclose(f);
  }
  return LoadConfigFromString(text, env, path.empty() ? "config" : path);
}

}  // namespace ct
