// FixtureReplay: answers the requests each adapter makes with the saved pages of
// tests/fixtures/sources/<kind>/, so the whole pipeline (and `complaints demo`) runs with no
// internet. A source is pointed at it with base_url = http://127.0.0.1:PORT/<kind> (mastodon:
// instances = [that URL]; rss: .../rss/feed.xml); the first path segment picks the fixture
// folder and the rest is matched as the real service's path (docs/sources.md lists them).
//
// Fault injection (for chaos tests and demos of the breaker/retries): each request draws once
// from a seeded PRNG and may get a 503, a 429 with Retry-After, a delay, a truncated body or a
// dropped connection; `drift` serves <kind>/drift.json where one exists. ETag / If-None-Match
// is honoured (304), as real feeds do.
//
// For the browser fetcher: /g2/products/SLUG/reviews is a page whose script renders the
// reviews after load (a plain HTTP fetch sees none; g2/drift.html with `drift`), and
// /browser/never-loads is a page that never finishes loading (its image, /browser/hang, is held
// open until the server stops).
//
// Thread-safe (the HTTP server calls Handle from connection threads).
#pragma once

#include <cstdint>
#include <mutex>
#include <random>
#include <string>

#include "core/config.h"
#include "core/status.h"
#include "fetch/testing/local_http_server.h"

namespace ct {

struct ReplayFaults {
  double error_rate = 0;     // 503
  double throttle_rate = 0;  // 429, Retry-After: retry_after_s
  int retry_after_s = 30;
  double slow_rate = 0;      // answer after delay_ms
  int delay_ms = 2000;
  double truncate_rate = 0;  // body cut short of its Content-Length
  double drop_rate = 0;      // connection closed without a reply
  bool drift = false;        // serve drift.json where the kind has one
  std::uint64_t seed = 1;
};

// Parses "error=0.1,throttle=0.05,slow=0.1,delay_ms=500,truncate=0.02,drop=0.02,drift=1,
// retry_after_s=10,seed=7" (any subset; "" = no faults). InvalidArgument names a bad item.
Result<ReplayFaults> ParseReplayFaults(const std::string& spec);

class FixtureReplay {
 public:
  // `fixtures_dir`: the folder holding one sub-folder per kind.
  FixtureReplay(std::string fixtures_dir, ReplayFaults faults);

  testing::ServerReply Handle(const testing::ServerRequest& request);

  // The fixture file (relative to fixtures_dir) a request maps to; "" when none.
  static std::string FixtureFor(const std::string& path, const std::string& query, bool drift);

  std::int64_t served() const;

 private:
  std::string dir_;
  ReplayFaults faults_;
  mutable std::mutex mu_;
  std::mt19937_64 rng_;
  std::int64_t served_ = 0;
};

// Points every source of `config` at a replay server at `replay_url` (http://127.0.0.1:PORT):
// base_url / instances per kind, nitter enabled, plus an `rss_feed` (rss) and a `hosting_forum`
// (html, with selectors) source. g2 (browser) stays disabled.
void PointSourcesAtReplay(AppConfig& config, const std::string& replay_url);

// The fixtures folder: `hint` if not empty, else ./tests/fixtures/sources if it exists, else the
// source tree this binary was built from. NotFound when none exists.
Result<std::string> FindFixturesDir(const std::string& hint);

}  // namespace ct
