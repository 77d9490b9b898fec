#include "jobs/scheduler.h"

#include <nlohmann/json.hpp>
#include <spdlog/spdlog.h>

#include <algorithm>
#include <chrono>

#include "core/config.h"
#include "core/time_format.h"
#include "queue/job_queue.h"

namespace ct {
namespace {

constexpr char kLeaseName[] = "scheduler";

std::string TickName(const std::string& name, std::int64_t tick_ms) {
  return name + "@" + FormatIso8601(tick_ms / 1000);
}

}  // namespace

Result<std::vector<ScheduleSpec>> BuildScheduleSpecs(const std::vector<ScheduleConfig>& configs) {
  std::vector<ScheduleSpec> specs;
  for (const auto& c : configs) {
    if (!c.enabled) continue;
    auto cron = CronSchedule::Parse(c.cron);
    if (!cron.ok()) return cron.status().WithContext("schedule '" + c.name + "'");
    ScheduleSpec s{c.name, *std::move(cron), c.job_type};
    s.payload_json = c.payload_json;
    s.priority = c.priority;
    if (c.misfire == "fire_once") s.misfire = MisfirePolicy::kFireOnce;
    else if (c.misfire == "skip") s.misfire = MisfirePolicy::kSkip;
    else
      return Status::InvalidArgument("schedule '" + c.name +
                                     "': misfire must be fire_once or skip, got '" + c.misfire + "'");
    if (c.overlap == "skip") s.overlap = OverlapPolicy::kSkip;
    else if (c.overlap == "allow") s.overlap = OverlapPolicy::kAllow;
    else
      return Status::InvalidArgument("schedule '" + c.name +
                                     "': overlap must be skip or allow, got '" + c.overlap + "'");
    s.misfire_window_ms = static_cast<std::int64_t>(c.misfire_window_s) * 1000;
    specs.push_back(std::move(s));
  }
  return specs;
}

std::vector<ScheduleConfig> SourceSchedules(const std::vector<SourceConfig>& sources) {
  std::vector<ScheduleConfig> out;
  for (const SourceConfig& src : sources) {
    if (!src.enabled || src.schedule.empty()) continue;
    ScheduleConfig c;
    c.name = "source:" + src.name;
    c.cron = src.schedule;
    c.job_type = "scrape";
    c.payload_json = nlohmann::json{{"source", src.name}}.dump();
    out.push_back(std::move(c));
  }
  return out;
}

Result<std::vector<ScheduleSpec>> BuildAllScheduleSpecs(const std::vector<ScheduleConfig>& schedules,
                                                        const std::vector<SourceConfig>& sources) {
  std::vector<ScheduleConfig> all = schedules;
  for (ScheduleConfig& c : SourceSchedules(sources)) all.push_back(std::move(c));
  return BuildScheduleSpecs(all);
}

Scheduler::Scheduler(JobQueue& queue, std::vector<ScheduleSpec> schedules, SchedulerOptions options,
                     const Clock& clock)
    : queue_(queue), options_(std::move(options)), clock_(clock) {
  for (auto& s : schedules) states_.push_back(State{std::move(s), std::nullopt, {}});
}

Scheduler::~Scheduler() { Stop(); }

void Scheduler::Fire(State& s, std::int64_t tick_ms, TickReport& report) {
  EnqueueRequest req;
  req.type = s.spec.job_type;
  req.payload_json = s.spec.payload_json;
  req.priority = s.spec.priority;
  req.unique_key = s.spec.overlap == OverlapPolicy::kSkip
                       ? "schedule:" + s.spec.name
                       : "schedule:" + s.spec.name + ":" + std::to_string(tick_ms);
  auto r = queue_.Enqueue(req);
  const std::string tick = TickName(s.spec.name, tick_ms);
  if (!r.ok()) {
    // The tick is recorded as fired; keep it and retry the enqueue next pass.
    s.pending.push_back(tick_ms);
    report.errors.push_back(tick + ": " + r.status().ToString());
    spdlog::warn("schedule {}: enqueue failed, will retry: {}", tick, r.status().ToString());
    return;
  }
  if (r->duplicate) {
    report.skipped.push_back(tick + ": previous run " + r->job.id + " still active");
    spdlog::info("schedule {}: skipped, previous run {} still active", tick, r->job.id);
  } else {
    report.fired.push_back(tick);
    spdlog::info("schedule {}: enqueued {} job {}", tick, s.spec.job_type, r->job.id);
  }
}

TickReport Scheduler::RunOnce() {
  TickReport report;
  const std::int64_t now = clock_.NowMillis();
  auto leader = queue_.AcquireLeadership(kLeaseName, options_.holder_id, options_.lease_ttl_ms);
  if (!leader.ok()) {
    report.errors.push_back("leadership: " + leader.status().ToString());
    return report;
  }
  report.leader = *leader;
  if (report.leader != was_leader_) {
    spdlog::info("scheduler {}: {} leadership", options_.holder_id,
                 report.leader ? "acquired" : "lost");
    was_leader_ = report.leader;
  }
  if (!report.leader) return report;

  for (State& s : states_) {
    std::vector<std::int64_t> retry;
    retry.swap(s.pending);
    for (std::int64_t tick : retry) Fire(s, tick, report);

    if (!s.cursor_ms) s.cursor_ms = now - s.spec.misfire_window_ms;
    std::optional<std::int64_t> latest;
    std::int64_t t = *s.cursor_ms / 1000;
    for (int guard = 0; guard < 1'000'000; ++guard) {
      const std::int64_t n = s.spec.cron.Next(t);
      if (n < 0 || n * 1000 > now) break;
      latest = n * 1000;
      t = n;
    }
    s.cursor_ms = now;
    if (!latest) continue;
    if (s.spec.misfire == MisfirePolicy::kSkip && now - *latest > s.spec.misfire_window_ms) continue;
    auto first = queue_.RecordFiring(s.spec.name, *latest, options_.firing_keep_ms);
    if (!first.ok()) {
      // Not recorded: examine this tick again next pass.
      s.cursor_ms = *latest - 1;
      report.errors.push_back(TickName(s.spec.name, *latest) + ": " + first.status().ToString());
      continue;
    }
    if (!*first) {
      report.skipped.push_back(TickName(s.spec.name, *latest) + ": already fired");
      continue;
    }
    Fire(s, *latest, report);
  }
  return report;
}

std::int64_t Scheduler::NextTickMs() const {
  const std::int64_t now_s = clock_.NowSeconds();
  std::int64_t best = -1;
  for (const State& s : states_) {
    const std::int64_t n = s.spec.cron.Next(now_s);
    if (n >= 0 && (best < 0 || n * 1000 < best)) best = n * 1000;
  }
  return best;
}

void Scheduler::Run() {
  while (true) {
    TickReport r = RunOnce();
    for (const auto& e : r.errors) spdlog::warn("scheduler: {}", e);
    // Wake for the next tick, and often enough to renew (or contest) the lease.
    std::int64_t wait_ms = options_.lease_ttl_ms / 3;
    const std::int64_t next = NextTickMs();
    const bool pending = std::any_of(states_.begin(), states_.end(),
                                     [](const State& s) { return !s.pending.empty(); });
    if (pending) wait_ms = std::min<std::int64_t>(wait_ms, 1000);
    if (next > 0) wait_ms = std::min(wait_ms, std::max<std::int64_t>(next - clock_.NowMillis(), 0) + 5);
    std::unique_lock lock(mu_);
    if (cv_.wait_for(lock, std::chrono::milliseconds(wait_ms), [this] { return stop_; })) break;
  }
}

void Scheduler::Stop() {
  {
    std::lock_guard lock(mu_);
    if (stop_) return;
    stop_ = true;
  }
  cv_.notify_all();
  if (was_leader_) (void)queue_.ReleaseLeadership(kLeaseName, options_.holder_id);
}

}  // namespace ct
