// SourceStateFile: what a source remembers between runs — per query the cursor (newest
// created_at stored), the ETag / Last-Modified validators and the last error; per source the
// circuit breaker snapshot (shown by GET /sources and the metrics).
//
// Kept in one JSON file (data_dir/source_state.json) rather than in the Store so it works the
// same on SQLite and PostgreSQL without a migration in both backends; see docs/sources.md.
// Writes are atomic (temp file + fsync + rename) and serialised across processes by an
// flock(2) on a sibling lock file, so concurrent scrapes of different sources in several
// workers never lose each other's updates. A missing file is an empty state.
//
// Thread-safe (each call locks the file).
#pragma once

#include <cstdint>
#include <functional>
#include <map>
#include <optional>
#include <string>

#include "core/status.h"
#include "fetch/circuit_breaker.h"
#include "fetch/conditional.h"

namespace ct {

struct QueryState {
  std::optional<std::int64_t> cursor;  // newest created_at stored (Unix seconds)
  Validators validators;
  std::int64_t last_run = 0;      // Unix seconds of the last run, failed or not; 0 = never
  std::int64_t last_success = 0;  // Unix seconds of the last run that succeeded; 0 = never
  std::string last_error;
};

struct SourceState {
  std::map<std::string, QueryState> queries;
  std::optional<BreakerSnapshot> breaker;
};

class SourceStateFile {
 public:
  explicit SourceStateFile(std::string path) : path_(std::move(path)) {}

  Result<std::map<std::string, SourceState>> LoadAll() const;
  Result<SourceState> Load(const std::string& source) const;
  // Reads, lets `change` edit the source's state, writes back — under the file lock.
  Status Update(const std::string& source, const std::function<void(SourceState&)>& change) const;

  const std::string& path() const { return path_; }

 private:
  std::string path_;
};

}  // namespace ct
