// StatsCache: Store::Stats results per data version, shared by the SQLite and PostgreSQL
// backends. Each backend keeps a counter that every write to the posts bumps in the writing
// transaction (SQLite: post_data_version by the store; PostgreSQL: post_data_version by a
// statement trigger), reads it in the snapshot it computes on, and caches the result under
// (filter, bucket, version). A repeat of the same request between two writes is then a map
// lookup instead of an aggregate over the store.
//
// Entries of older versions are dropped as soon as a newer one is stored; when full,
// everything is dropped (the next requests recompute). Callers that miss on the same
// (key, version) while it is being computed wait for that computation instead of running their
// own (a dashboard opening after an import sends the same requests from several clients at
// once). A capacity of 0 turns the cache off. Thread-safe.
#pragma once

#include <cstddef>
#include <cstdint>
#include <functional>
#include <future>
#include <memory>
#include <mutex>
#include <string>
#include <unordered_map>

#include "core/status.h"
#include "domain/post_query.h"

namespace ct {

// Unambiguous text for a (filter, bucket) pair: every field, length-prefixed.
std::string StatsCacheKey(const PostFilter& f, StatsBucket bucket);

class StatsCache {
 public:
  using Value = std::shared_ptr<const PostStats>;

  explicit StatsCache(std::size_t capacity) : capacity_(capacity) {}

  // The stats for (key, version), from the cache or from `compute` (run on the caller's
  // snapshot, which must be at `version`).
  Result<Value> GetOrCompute(const std::string& key, std::int64_t version,
                             const std::function<Result<PostStats>()>& compute);

 private:
  const std::size_t capacity_;
  std::mutex mu_;
  std::int64_t version_ = -1;                       // guarded by mu_
  std::unordered_map<std::string, Value> entries_;  // guarded by mu_
  // "version@key" -> the result being computed; guarded by mu_
  std::unordered_map<std::string, std::shared_future<Value>> in_flight_;
};

}  // namespace ct
