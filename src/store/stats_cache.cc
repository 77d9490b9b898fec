#include "store/stats_cache.h"

#include <string_view>
#include <vector>

namespace ct {

std::string StatsCacheKey(const PostFilter& f, StatsBucket bucket) {
  std::string key;
  auto add = [&key](std::string_view v) {
    key += std::to_string(v.size());
    key += ':';
    key += v;
  };
  auto add_list = [&](const std::vector<std::string>& values) {
    add(std::to_string(values.size()));
    for (const std::string& v : values) add(v);
  };
  auto add_opt = [&](const auto& v) {
    add(v ? std::to_string(static_cast<std::int64_t>(*v)) : "-");
  };
  add(StatsBucketName(bucket));
  add_list(f.sources);
  add_list(f.languages);
  add_list(f.sentiments);
  add_list(f.products);
  add_list(f.countries);
  add_opt(f.complaint);
  add_opt(f.answered);
  add_opt(f.false_positive);
  add_opt(f.since);
  add_opt(f.until);
  add(f.q);
  return key;
}

Result<StatsCache::Value> StatsCache::GetOrCompute(
    const std::string& key, std::int64_t version,
    const std::function<Result<PostStats>()>& compute) {
  if (capacity_ == 0) {
    CT_ASSIGN_OR_RETURN(PostStats stats, compute());
    return std::make_shared<const PostStats>(std::move(stats));
  }
  const std::string flight = std::to_string(version) + '@' + key;
  std::promise<Value> promise;
  {
    std::unique_lock lock(mu_);
    if (version == version_) {
      auto it = entries_.find(key);
      if (it != entries_.end()) return it->second;
    }
    auto running = in_flight_.find(flight);
    if (running != in_flight_.end()) {
      std::shared_future<Value> result = running->second;
      lock.unlock();
      if (Value v = result.get()) return v;
      // That computation failed: try on this caller's own connection.
      CT_ASSIGN_OR_RETURN(PostStats stats, compute());
      return std::make_shared<const PostStats>(std::move(stats));
    }
    in_flight_.emplace(flight, promise.get_future().share());
  }
  Result<PostStats> computed = compute();
  Value value = computed.ok() ? std::make_shared<const PostStats>(std::move(*computed)) : nullptr;
  {
    std::lock_guard lock(mu_);
    in_flight_.erase(flight);
    if (value && version >= version_) {  // older snapshots are not kept
      if (version > version_ || entries_.size() >= capacity_) entries_.clear();
      version_ = version;
      entries_[key] = value;
    }
  }
  promise.set_value(value);
  if (!value) return computed.status();
  return value;
}

}  // namespace ct
