// AppConfig: every setting of the product, with its default, loaded once at start.
// Order of precedence: built-in defaults (the OVHcloud profile) < TOML file < environment.
// An unknown key or an invalid value is an error naming it; nothing is silently ignored.
// Sections not known to this version are errors too.
#pragma once

#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <vector>

#include "core/status.h"

namespace ct {

struct ServerConfig {
  std::string listen = "127.0.0.1:8080";  // COMPLAINTS_LISTEN; host:port
  int threads = 0;                        // I/O threads; 0 = one per core
  std::int64_t max_body_bytes = 1 << 20;  // requests with a larger body get 413
  std::int64_t max_header_bytes = 16 << 10;
  int request_timeout_ms = 30'000;  // per request: read, handle, write
  int idle_timeout_ms = 60'000;     // keep-alive connection idle limit
  std::vector<std::string> cors_origins;  // allowlist; empty = no CORS headers
  bool public_reads = true;               // false: GET endpoints need a viewer token
  // The dashboard's files (index.html, assets/), built by `npm run build` in web/. Relative to
  // the working directory. COMPLAINTS_WEB_ROOT. Missing: GET / says how to build it.
  std::string web_root = "web/dist";
};

struct StoreConfig {
  std::string database_url = "sqlite:data/complaints.db";  // DATABASE_URL
  int pool_size = 8;                                        // connections per process
  int busy_timeout_ms = 5'000;                              // SQLite lock wait / PG statement timeout
};

struct QueueConfig {
  std::string redis_url;       // REDIS_URL; empty = SQL queue in the store
  int worker_concurrency = 2;  // WORKER_CONCURRENCY
  int job_timeout_s = 300;     // JOB_TIMEOUT
  // Address-space cap (RLIMIT_AS) of each process of an isolated job, in MiB; 0 = none.
  // JOB_MEMORY_LIMIT_MB; `worker --memory-limit-mb` overrides it. Chromium reserves far more
  // virtual memory than it uses: leave 0 (or several GiB) where browser jobs run.
  int job_memory_limit_mb = 0;
};

struct CompanyConfig {
  std::string name = "OVHcloud";
  std::vector<std::string> brand_terms = {"ovhcloud", "ovh", "kimsufi", "so you start"};
  std::vector<std::string> domains = {"ovhcloud.com", "ovh.com", "ovh.net", "ovh.co.uk",
                                      "ovh.ie", "ovh.de", "ovh.es", "ovh.it", "ovh.ca"};
  double relevance_threshold = 0.3;  // posts below are kept but flagged as off-topic
  // A taxonomy file (config/taxonomy.toml's format) for every analysis: scrapes, import,
  // `complaints analyze` and the reanalyze job. "" = the taxonomy built into the binary.
  std::string taxonomy;
};

// One cron schedule ([schedules.NAME] in TOML). Defaults: DESIGN.md §3.
struct ScheduleConfig {
  std::string name;
  std::string cron;                 // 5 fields or @hourly...; "CRON_TZ=Zone " prefix allowed
  std::string job_type;             // a registered job type
  std::string payload_json = "{}";  // JSON object
  int priority = 5;
  bool enabled = true;
  std::string misfire = "fire_once";  // fire_once | skip
  int misfire_window_s = 86'400;      // how far back a missed tick still fires
  std::string overlap = "skip";       // skip (while the previous run is active) | allow
};

std::vector<ScheduleConfig> DefaultSchedules();

// The HTTP client shared by every source ([fetch]). docs/sources.md.
struct FetchConfig {
  std::string user_agent =
      "complaints-tracker/0.1 (+https://github.com/complaints-tracker; public posts monitor)";
  std::string proxy;                       // COMPLAINTS_PROXY; e.g. http://proxy:3128
  int connect_timeout_ms = 10'000;
  int timeout_ms = 30'000;                 // per request
  std::int64_t max_body_bytes = 10 << 20;  // decoded
  int max_redirects = 5;                   // 0..5
  // CIDRs the SSRF guard lets through (loopback/private/link-local are refused otherwise).
  std::vector<std::string> allow_networks;  // COMPLAINTS_ALLOW_NETWORKS, comma-separated
  double host_requests_per_second = 2;      // shared by every source on one host
};

// The headless browser (Chromium driven over WebDriver) that fetches g2 pages ([browser]).
// fetch/browser_fetcher.h; docs/sources.md.
struct BrowserConfig {
  std::string chromedriver = "/usr/bin/chromedriver";
  std::string chromium = "/usr/bin/chromium";
  int page_load_timeout_ms = 30'000;  // per page: navigate + wait + read the source
  int max_pages = 20;                 // the browser is retired (killed, restarted) after these
  int max_memory_mb = 1536;           // ... or when its process group's RSS exceeds this
};

// One source ([sources.NAME]). The built-in defaults (DefaultSources) can be overridden key by
// key; a new NAME adds a source. docs/sources.md lists the kinds and their keys.
struct SourceConfig {
  std::string name;
  std::string kind;  // hackernews|stackexchange|github|reddit|mastodon|discourse|google_news|
                     // trustpilot|rss|html|nitter|g2
  bool enabled = true;
  std::vector<std::string> queries;    // empty = the adapter's default query
  std::string schedule;                // cron: the scheduler's "source:NAME" scrapes it on this
                                       // too; auto_scrape covers every enabled source either way
  std::string base_url;                // empty = the public default; tests point it at 127.0.0.1
  std::vector<std::string> instances;  // mastodon instances
  std::string site;                    // stackexchange site (default stackoverflow)
  std::string format;                  // reddit: json (default) | rss
  std::string token_env;               // environment variable holding a token (github)
  std::map<std::string, std::string> selectors;  // html: item, title, content, url, author, date, id, next
  double requests_per_minute = 30;
  int burst = 5;
  int page_size = 50;
  int max_pages = 5;             // per query and run
  int breaker_failures = 5;      // failures in a row that open the circuit
  int breaker_cooldown_s = 300;  // before a half-open probe
};

std::vector<SourceConfig> DefaultSources();

struct LogConfig {
  std::string level = "info";   // trace|debug|info|warn|error
  std::string format = "text";  // text|json
};

struct AppConfig {
  std::string data_dir = "data";  // COMPLAINTS_DATA_DIR
  ServerConfig server;
  StoreConfig store;
  QueueConfig queue;
  CompanyConfig company;
  LogConfig log;
  std::vector<ScheduleConfig> schedules = DefaultSchedules();
  FetchConfig fetch;
  BrowserConfig browser;
  std::vector<SourceConfig> sources = DefaultSources();
};

using Environment = std::map<std::string, std::string>;

// The process environment as a map (read once, in app/).
Environment ProcessEnvironment();

// Loads defaults, then `toml_path` if not empty (missing file is an error), then `env`.
// Validates the result.
Result<AppConfig> LoadConfig(const std::string& toml_path, const Environment& env);
// Same, from TOML text (for tests). `origin` names it in messages.
Result<AppConfig> LoadConfigFromString(const std::string& toml_text, const Environment& env,
                                       const std::string& origin = "config");

Status ValidateConfig(const AppConfig& config);

}  // namespace ct
