// The SQLite backend of Store: one database file in WAL mode, FTS5 for text search.
//
// Concurrency: one writer connection serialised by a mutex (every write runs in
// BEGIN IMMEDIATE, so several processes sharing the file also serialise, waiting up to
// busy_timeout_ms), and a pool of max(2, pool_size) query-only reader connections that read
// in parallel from WAL snapshots. All methods are thread-safe.
#pragma once

#include <memory>
#include <string>

#include "core/status.h"
#include "store/store.h"

namespace ct {

class Clock;
struct StoreConfig;

// Opens (creating when missing) the database at `path` and applies pending migrations.
// The parent directory must exist (OpenStore creates it). `clock` must outlive the store.
Result<std::unique_ptr<Store>> OpenSqliteStore(const std::string& path, const StoreConfig& cfg,
                                               const Clock& clock);

}  // namespace ct
