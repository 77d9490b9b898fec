#include "queue/fallback_queue.h"

#include <spdlog/spdlog.h>

#include <algorithm>
#include <charconv>
#include <map>

namespace ct {
namespace {

bool IsOutage(const Status& s) {
  return s.code() == StatusCode::kUnavailable || s.code() == StatusCode::kDeadlineExceeded;
}

const Status& StatusOf(const Status& s) { return s; }
template <typename T>
const Status& StatusOf(const Result<T>& r) {
  return r.status();
}

// Composite cursors hold one opaque cursor per backend (plus per-backend state), each written
// as "<length>:<bytes>" after a one-letter tag, so any bytes survive the round trip.
std::string EncodeFields(char tag, const std::vector<std::string>& fields) {
  std::string out(1, tag);
  for (const auto& f : fields) out += std::to_string(f.size()) + ":" + f;
  return out;
}

Result<std::vector<std::string>> DecodeFields(char tag, std::string_view s, size_t n) {
  const auto bad = [&] {
    return Status::InvalidArgument("bad cursor '" + std::string(s) + "'");
  };
  if (s.empty() || s[0] != tag) return bad();
  std::vector<std::string> fields;
  size_t pos = 1;
  while (pos < s.size()) {
    const size_t colon = s.find(':', pos);
    if (colon == std::string_view::npos) return bad();
    size_t len = 0;
    auto [ptr, ec] = std::from_chars(s.data() + pos, s.data() + colon, len);
    if (ec != std::errc() || ptr != s.data() + colon || colon + 1 + len > s.size()) return bad();
    fields.emplace_back(s.substr(colon + 1, len));
    pos = colon + 1 + len;
  }
  if (fields.size() != n) return bad();
  return fields;
}

}  // namespace

FallbackQueue::FallbackQueue(std::unique_ptr<JobQueue> redis, std::unique_ptr<JobQueue> sql,
                             const Clock& clock, FallbackQueueOptions options)
    : redis_(std::move(redis)), sql_(std::move(sql)), clock_(clock), options_(options) {}

std::optional<std::string> FallbackQueue::degraded_reason() const {
  std::lock_guard lock(mu_);
  if (!redis_down_) return std::nullopt;
  return "redis unreachable, new jobs go to the " + std::string(sql_->backend()) +
         " queue: " + down_reason_;
}

bool FallbackQueue::RedisUsable() {
  {
    std::lock_guard lock(mu_);
    if (!redis_down_) return true;
    if (probing_ || clock_.MonotonicMicros() < next_probe_us_) return false;
    probing_ = true;
  }
  const Status ping = redis_->Ping();
  std::lock_guard lock(mu_);
  probing_ = false;
  if (ping.ok()) {
    spdlog::info("job queue: redis is reachable again; new jobs go to redis; its expired leases "
                 "are left to their workers for {} ms",
                 options_.rescue_grace_ms);
    redis_down_ = false;
    redis_back_us_ = clock_.MonotonicMicros();
    down_reason_.clear();
    return true;
  }
  probe_backoff_ms_ = std::min(options_.probe_max_ms, std::max(options_.probe_min_ms,
                                                               probe_backoff_ms_ * 2));
  next_probe_us_ = clock_.MonotonicMicros() + probe_backoff_ms_ * 1000;
  down_reason_ = ping.ToString();
  return false;
}

bool FallbackQueue::NoteRedisError(const Status& status) {
  if (!IsOutage(status)) return false;
  std::lock_guard lock(mu_);
  if (!redis_down_) {
    spdlog::warn("job queue degraded: redis unreachable ({}); using the {} queue",
                 status.ToString(), sql_->backend());
    redis_down_ = true;
    probe_backoff_ms_ = options_.probe_min_ms;
    next_probe_us_ = clock_.MonotonicMicros() + probe_backoff_ms_ * 1000;
  }
  down_reason_ = status.ToString();
  return true;
}

Status FallbackQueue::RedisDownStatus() const {
  std::lock_guard lock(mu_);
  return Status::Unavailable("redis unreachable: " + down_reason_);
}

bool FallbackQueue::SqlWorthClaiming() {
  std::lock_guard lock(mu_);
  return redis_down_ || clock_.MonotonicMicros() >= sql_idle_until_us_;
}

bool FallbackQueue::InRescueGrace() const {
  std::lock_guard lock(mu_);
  return redis_back_us_ >= 0 &&
         clock_.MonotonicMicros() < redis_back_us_ + options_.rescue_grace_ms * 1000;
}

void FallbackQueue::NoteSqlClaim(bool found_work) {
  std::lock_guard lock(mu_);
  sql_idle_until_us_ = found_work ? 0 : clock_.MonotonicMicros() + options_.sql_poll_ms * 1000;
}

void FallbackQueue::Remember(const std::string& id, Side side) {
  std::lock_guard lock(mu_);
  // Leases of workers that died are never forgotten explicitly: bound the map.
  if (routes_.size() > 100'000) routes_.clear();
  routes_[id] = side;
}

void FallbackQueue::Forget(const std::string& id) {
  std::lock_guard lock(mu_);
  routes_.erase(id);
}

std::optional<FallbackQueue::Side> FallbackQueue::RouteOf(const std::string& id) {
  std::lock_guard lock(mu_);
  auto it = routes_.find(id);
  if (it == routes_.end()) return std::nullopt;
  return it->second;
}

template <typename Call>
auto FallbackQueue::ById(const std::string& id, Call&& call)
    -> decltype(call(std::declval<JobQueue&>())) {
  if (const auto side = RouteOf(id)) {
    auto r = call(Of(*side));
    if (*side == Side::kRedis) NoteRedisError(StatusOf(r));
    return r;
  }
  Status redis_error;
  if (RedisUsable()) {
    auto r = call(*redis_);
    const Status& s = StatusOf(r);
    if (s.ok() || (s.code() != StatusCode::kNotFound && !IsOutage(s))) return r;
    if (NoteRedisError(s)) redis_error = s;
  } else {
    redis_error = RedisDownStatus();
  }
  auto r = call(*sql_);
  // Not in SQL, and Redis could not say: the job may be in Redis.
  if (StatusOf(r).code() == StatusCode::kNotFound && !redis_error.ok()) return redis_error;
  return r;
}

Status FallbackQueue::Ping() {
  if (RedisUsable()) NoteRedisError(redis_->Ping());
  return sql_->Ping();
}

Result<EnqueueResult> FallbackQueue::Enqueue(const EnqueueRequest& request) {
  if (RedisUsable()) {
    auto r = redis_->Enqueue(request);
    if (!NoteRedisError(r.status())) return r;
  }
  auto r = sql_->Enqueue(request);
  if (r.ok()) NoteSqlClaim(true);
  return r;
}

Result<std::vector<Lease>> FallbackQueue::Claim(std::string_view worker_id, int max,
                                                std::span<const std::string> types,
                                                std::int64_t lease_ms) {
  if (max < 1) return Status::InvalidArgument("claim max must be >= 1");
  if (lease_ms < 1) return Status::InvalidArgument("lease_ms must be >= 1");
  // Alternate which backend goes first so neither starves the other.
  const bool sql_first = (claim_turn_.fetch_add(1, std::memory_order_relaxed) & 1) != 0;
  const Side order[2] = {sql_first ? Side::kSql : Side::kRedis,
                         sql_first ? Side::kRedis : Side::kSql};
  std::vector<Lease> out;
  Status first_error;
  for (Side side : order) {
    if (static_cast<int>(out.size()) >= max) break;
    if (side == Side::kRedis && !RedisUsable()) continue;
    if (side == Side::kSql && !SqlWorthClaiming()) continue;
    auto r = Of(side).Claim(worker_id, max - static_cast<int>(out.size()), types, lease_ms);
    if (!r.ok()) {
      if (side == Side::kRedis) NoteRedisError(r.status());
      if (first_error.ok()) first_error = r.status();
      continue;
    }
    if (side == Side::kSql) NoteSqlClaim(!r->empty());
    for (Lease& lease : *r) {
      Remember(lease.job_id, side);
      out.push_back(std::move(lease));
    }
  }
  if (out.empty() && !first_error.ok()) return first_error;
  return out;
}

Result<HeartbeatReply> FallbackQueue::Heartbeat(const Lease& lease, std::int64_t lease_ms) {
  return ById(lease.job_id, [&](JobQueue& q) { return q.Heartbeat(lease, lease_ms); });
}

Status FallbackQueue::ReportProgress(const Lease& lease, const JobProgress& progress) {
  return ById(lease.job_id, [&](JobQueue& q) { return q.ReportProgress(lease, progress); });
}

Status FallbackQueue::Complete(const Lease& lease, std::string_view result_json) {
  Status s = ById(lease.job_id, [&](JobQueue& q) { return q.Complete(lease, result_json); });
  if (!IsOutage(s)) Forget(lease.job_id);
  return s;
}

Status FallbackQueue::Fail(const Lease& lease, const JobFailure& failure) {
  Status s = ById(lease.job_id, [&](JobQueue& q) { return q.Fail(lease, failure); });
  if (!IsOutage(s)) Forget(lease.job_id);
  return s;
}

Result<int> FallbackQueue::SumBoth(const std::function<Result<int>(JobQueue&)>& call) {
  int total = 0;
  Status error;
  bool any_ok = false;
  if (RedisUsable()) {
    auto r = call(*redis_);
    if (r.ok()) {
      total += *r;
      any_ok = true;
    } else {
      NoteRedisError(r.status());
      error = r.status();
    }
  }
  auto r = call(*sql_);
  if (r.ok()) {
    total += *r;
    any_ok = true;
  } else {
    error = r.status();
  }
  if (!any_ok) return error.ok() ? RedisDownStatus() : error;
  return total;
}

Result<int> FallbackQueue::RescueExpired() {
  if (InRescueGrace()) return sql_->RescueExpired();
  return SumBoth([](JobQueue& q) { return q.RescueExpired(); });
}

Result<int> FallbackQueue::ReleaseWorker(std::string_view worker_id, std::string_view reason) {
  return SumBoth([&](JobQueue& q) { return q.ReleaseWorker(worker_id, reason); });
}

Result<int> FallbackQueue::Prune() {
  return SumBoth([](JobQueue& q) { return q.Prune(); });
}

Result<Job> FallbackQueue::Cancel(std::string_view id) {
  return ById(std::string(id), [&](JobQueue& q) { return q.Cancel(id); });
}

Result<Job> FallbackQueue::Retry(std::string_view id) {
  return ById(std::string(id), [&](JobQueue& q) { return q.Retry(id); });
}

Result<Job> FallbackQueue::Get(std::string_view id) {
  return ById(std::string(id), [&](JobQueue& q) { return q.Get(id); });
}

Result<std::vector<JobEvent>> FallbackQueue::Events(std::string_view id) {
  return ById(std::string(id), [&](JobQueue& q) { return q.Events(id); });
}

// Cursor "F" + [redis cursor, sql cursor]. Events of the two backends are merged by time; each
// side's cursor advances only past the events actually returned.
Result<std::pair<std::vector<JobEvent>, std::string>> FallbackQueue::EventsSince(
    std::string_view cursor, int limit) {
  if (limit < 1) return Status::InvalidArgument("limit must be >= 1");
  std::string cursors[2];  // by Side
  if (!cursor.empty()) {
    CT_ASSIGN_OR_RETURN(auto fields, DecodeFields('F', cursor, 2));
    cursors[0] = std::move(fields[0]);
    cursors[1] = std::move(fields[1]);
  }
  struct Tagged {
    JobEvent event;
    int side;
  };
  std::vector<Tagged> merged;
  std::string next[2] = {cursors[0], cursors[1]};
  for (int side = 0; side < 2; ++side) {
    JobQueue& q = Of(static_cast<Side>(side));
    if (side == 0 && !RedisUsable()) continue;
    // A side never positioned (Redis was down when the feed started) starts from now.
    const bool fresh = !cursor.empty() && cursors[side].empty();
    auto r = q.EventsSince(fresh ? "" : cursors[side], limit);
    if (!r.ok()) {
      if (side == 0 && NoteRedisError(r.status())) continue;
      return r.status();
    }
    next[side] = r->second;
    if (!r->first.empty()) next[side] = cursors[side];  // advanced below, per event returned
    for (JobEvent& e : r->first) merged.push_back({std::move(e), side});
  }
  std::stable_sort(merged.begin(), merged.end(),
                   [](const Tagged& a, const Tagged& b) { return a.event.at < b.event.at; });
  if (static_cast<int>(merged.size()) > limit) merged.resize(limit);
  std::vector<JobEvent> events;
  events.reserve(merged.size());
  for (Tagged& t : merged) {
    next[t.side] = t.event.cursor;
    t.event.cursor = EncodeFields('F', {next[0], next[1]});
    events.push_back(std::move(t.event));
  }
  return std::make_pair(std::move(events), EncodeFields('F', {next[0], next[1]}));
}

// Cursor "L" + per side [state, backend cursor, offset]: state "a" (more to read) or "x"
// (exhausted); `offset` items of the page at `backend cursor` were already returned. Pages of
// the two backends are merged newest first by id (ULIDs sort by creation across backends).
Result<JobPage> FallbackQueue::List(const JobFilter& filter, std::string_view cursor, int limit) {
  if (limit < 1) return Status::InvalidArgument("limit must be >= 1");
  std::vector<std::string> st = {"a", "", "0", "a", "", "0"};
  if (!cursor.empty()) {
    CT_ASSIGN_OR_RETURN(st, DecodeFields('L', cursor, 6));
  }
  struct SidePage {
    std::vector<Job> items;  // after the offset
    std::string next_cursor;
    size_t page_size = 0;
    std::int64_t offset = 0;
    bool read = false;
  };
  SidePage pages[2];
  for (int side = 0; side < 2; ++side) {
    if (st[side * 3] != "a") continue;
    if (side == 0 && !RedisUsable()) continue;  // partial while degraded
    std::int64_t offset = 0;
    std::from_chars(st[side * 3 + 2].data(), st[side * 3 + 2].data() + st[side * 3 + 2].size(),
                    offset);
    auto r = Of(static_cast<Side>(side)).List(filter, st[side * 3 + 1],
                                              static_cast<int>(offset) + limit);
    if (!r.ok()) {
      if (side == 0 && NoteRedisError(r.status())) continue;
      return r.status();
    }
    SidePage& p = pages[side];
    p.read = true;
    p.offset = offset;
    p.page_size = r->items.size();
    p.next_cursor = r->next_cursor;
    for (size_t i = static_cast<size_t>(offset); i < r->items.size(); ++i) {
      p.items.push_back(std::move(r->items[i]));
    }
  }
  JobPage page;
  size_t taken[2] = {0, 0};
  while (static_cast<int>(page.items.size()) < limit) {
    const bool has0 = taken[0] < pages[0].items.size();
    const bool has1 = taken[1] < pages[1].items.size();
    if (!has0 && !has1) break;
    const int side = !has1 || (has0 && pages[0].items[taken[0]].id > pages[1].items[taken[1]].id)
                         ? 0
                         : 1;
    page.items.push_back(pages[side].items[taken[side]++]);
  }
  bool more = false;
  for (int side = 0; side < 2; ++side) {
    const SidePage& p = pages[side];
    if (!p.read) continue;  // exhausted or skipped: state unchanged
    const std::int64_t consumed = p.offset + static_cast<std::int64_t>(taken[side]);
    if (consumed == static_cast<std::int64_t>(p.page_size)) {
      if (p.next_cursor.empty()) {
        st[side * 3] = "x";
      } else {
        st[side * 3 + 1] = p.next_cursor;
        st[side * 3 + 2] = "0";
      }
    } else {
      st[side * 3 + 2] = std::to_string(consumed);
    }
    if (st[side * 3] == "a") more = true;
  }
  if (more) page.next_cursor = EncodeFields('L', st);
  return page;
}

Result<QueueCounts> FallbackQueue::Counts() {
  std::vector<QueueCounts> parts;
  if (RedisUsable()) {
    auto r = redis_->Counts();
    if (r.ok()) parts.push_back(std::move(*r));
    else if (!NoteRedisError(r.status())) return r.status();
  }
  CT_ASSIGN_OR_RETURN(QueueCounts sql, sql_->Counts());
  parts.push_back(std::move(sql));
  std::vector<std::pair<std::string, std::int64_t>> by_state;
  std::map<std::string, std::int64_t> by_queue;
  QueueCounts out;
  for (const QueueCounts& c : parts) {
    for (const auto& [state, n] : c.by_state) {
      auto it = std::find_if(by_state.begin(), by_state.end(),
                             [&](const auto& e) { return e.first == state; });
      if (it == by_state.end()) by_state.emplace_back(state, n);
      else it->second += n;
    }
    for (const auto& [queue, n] : c.by_queue) by_queue[queue] += n;
    if (c.oldest_queued_age_ms) {
      out.oldest_queued_age_ms = std::max(out.oldest_queued_age_ms.value_or(0),
                                          *c.oldest_queued_age_ms);
    }
  }
  out.by_state = std::move(by_state);
  out.by_queue.assign(by_queue.begin(), by_queue.end());
  return out;
}

Status FallbackQueue::ReportWorker(const WorkerInfo& worker) {
  if (RedisUsable()) {
    Status s = redis_->ReportWorker(worker);
    if (!NoteRedisError(s)) return s;
  }
  return sql_->ReportWorker(worker);
}

Result<std::vector<WorkerInfo>> FallbackQueue::Workers() {
  std::map<std::string, WorkerInfo> by_id;
  auto add = [&](std::vector<WorkerInfo> workers) {
    for (WorkerInfo& w : workers) {
      auto it = by_id.find(w.id);
      if (it == by_id.end() || it->second.heartbeat_at < w.heartbeat_at) by_id[w.id] = std::move(w);
    }
  };
  if (RedisUsable()) {
    auto r = redis_->Workers();
    if (r.ok()) add(std::move(*r));
    else if (!NoteRedisError(r.status())) return r.status();
  }
  CT_ASSIGN_OR_RETURN(std::vector<WorkerInfo> sql, sql_->Workers());
  add(std::move(sql));
  std::vector<WorkerInfo> out;
  for (auto& [id, w] : by_id) out.push_back(std::move(w));
  return out;
}

Status FallbackQueue::RemoveWorker(std::string_view worker_id) {
  if (RedisUsable()) {
    Status s = redis_->RemoveWorker(worker_id);
    if (!s.ok() && !NoteRedisError(s)) return s;
  }
  return sql_->RemoveWorker(worker_id);
}

Status FallbackQueue::WaitForWork(std::int64_t timeout_ms) {
  if (!RedisUsable()) return sql_->WaitForWork(timeout_ms);
  // SQL work is not announced on Redis's wake list: wake up often enough to look at it.
  Status s = redis_->WaitForWork(std::min(timeout_ms, options_.sql_poll_ms));
  if (NoteRedisError(s)) return Status::Ok();  // spurious wake-up; the caller claims from SQL
  return s;
}

Result<bool> FallbackQueue::AcquireLeadership(std::string_view name, std::string_view holder,
                                              std::int64_t ttl_ms) {
  return sql_->AcquireLeadership(name, holder, ttl_ms);
}

Status FallbackQueue::ReleaseLeadership(std::string_view name, std::string_view holder) {
  return sql_->ReleaseLeadership(name, holder);
}

Result<bool> FallbackQueue::RecordFiring(std::string_view schedule, UnixMillis fire_time,
                                         std::int64_t keep_ms) {
  return sql_->RecordFiring(schedule, fire_time, keep_ms);
}

}  // namespace ct
