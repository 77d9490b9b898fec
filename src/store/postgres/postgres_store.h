// The PostgreSQL Store backend (store.h): libpq, a connection pool, tsvector + GIN search.
//
// OpenPostgresStore connects, applies the embedded migrations (migrations/NNNN_*.sql) and
// returns the store. Each call borrows a pooled connection (cfg.pool_size of them, opened
// lazily); every statement is bounded by statement_timeout = cfg.busy_timeout_ms, and waiting
// for a free connection by the same time. A connection lost to a server restart is dropped and
// replaced: once the server is back, the next call succeeds.
//
// Stats: filters without q read post_rollup, a per-day count kept exact by triggers in the
// writing transaction (migrations/0003_post_rollup.sql), plus the posts of the partial days at
// sub-day since/until bounds; filters with q scan the posts. Results are cached per data
// version (store/stats_cache.h), so a repeat between two writes costs one indexed read.
//
// Upserts serialise on a transaction-scoped advisory lock (as SQLite's single writer does), so
// concurrent importers never race on the same new post; triage changes take it shared (they
// wait for a batch in flight, not for each other), which keeps the rollup's row locks
// deadlock-free. Readers are never blocked.
//
// Thread safety: every method may be called concurrently from any thread.
#pragma once

#include <memory>
#include <string>

#include "core/status.h"
#include "store/store.h"

namespace ct {

class Clock;
struct StoreConfig;

// Choices that only tests and benchmarks change.
struct PostgresStoreOptions {
  // Stats for filters without q sum post_rollup (plus the edges of sub-day bounds); false
  // always scans the posts (the reference the rollup is tested against).
  bool stats_from_rollup = true;
  // Stats results kept per (filter, bucket), valid while the posts are unchanged (the
  // post_data_version counter, bumped by a statement trigger in every writing transaction, is
  // part of the key: migrations/0006). 0 disables the cache.
  int stats_cache_entries = 256;
};

// `url` is a libpq URL, e.g. "postgresql://user:pass@host:5432/db". `clock` must outlive the
// store. Fails with Unavailable when the server cannot be reached.
Result<std::unique_ptr<Store>> OpenPostgresStore(const std::string& url, const StoreConfig& cfg,
                                                 const Clock& clock);
Result<std::unique_ptr<Store>> OpenPostgresStore(const std::string& url, const StoreConfig& cfg,
                                                 const Clock& clock,
                                                 const PostgresStoreOptions& options);

}  // namespace ct
