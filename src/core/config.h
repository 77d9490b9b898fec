// AppConfig: every setting of the product, with its default, loaded once at start.
// Order of precedence: built-in defaults (the OVHcloud profile) < TOML file < environment.
// An unknown key or an invalid value is an error naming it; nothing is silently ignored.
// Sections not yet known to this version (e.g. a future [sources.*]) are errors too.
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
};

struct CompanyConfig {
  std::string name = "OVHcloud";
  std::vector<std::string> brand_terms = {"ovhcloud", "ovh", "kimsufi", "so you start"};
  std::vector<std::string> domains = {"ovhcloud.com", "ovh.com", "ovh.net", "ovh.co.uk",
                                      "ovh.ie", "ovh.de", "ovh.es", "ovh.it", "ovh.ca"};
  double relevance_threshold = 0.3;  // posts below are kept but flagged as off-topic
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
