// The SQLite backend of Store: one database file in WAL mode, FTS5 for text search.
//
// Concurrency: one writer connection serialised by a mutex (every write runs in
// BEGIN IMMEDIATE, so several processes sharing the file also serialise, waiting up to
// busy_timeout_ms), and a pool of query-only reader connections (at least pool_size and one
// per hardware thread, so every API I/O thread can hold one) that read in parallel from WAL
// snapshots. All methods are thread-safe.
//
// Stats come from post_rollup (per-day counts over every filterable column, kept exact by
// triggers) when the filter allows it, else from a scan of the matching posts; both feed the
// same one-pass aggregation. Results are cached per data version (SqliteStoreOptions).
#pragma once

#include <memory>
#include <string>

#include "core/status.h"
#include "store/store.h"

namespace ct {

class Clock;
struct StoreConfig;

// Knobs that only tests and benchmarks change.
struct SqliteStoreOptions {
  // Stats results kept per (filter, bucket), valid while the posts are unchanged (the
  // post_data_version counter, bumped by triggers in every writing transaction, is part of the
  // key). 0 disables the cache.
  int stats_cache_entries = 256;
  // false: every Stats call scans the posts, as it does for filters the rollup cannot answer
  // (q, bounds inside a day). For comparing both paths.
  bool stats_from_rollup = true;
};

// Opens (creating when missing) the database at `path` and applies pending migrations.
// The parent directory must exist (OpenStore creates it). `clock` must outlive the store.
Result<std::unique_ptr<Store>> OpenSqliteStore(const std::string& path, const StoreConfig& cfg,
                                               const Clock& clock,
                                               const SqliteStoreOptions& options = {});

}  // namespace ct
