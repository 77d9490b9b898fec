// Scheduler: turns cron schedules into jobs, exactly once per tick across any number of
// scheduler processes.
//  - Leadership: only the holder of the "scheduler" lease (JobQueue::AcquireLeadership: a SQL
//    lease row or Redis SET NX PX) fires; others stand by and take over when it lapses.
//  - Firing key: before enqueueing, the tick is recorded with RecordFiring(schedule, fire time);
//    only the first recorder enqueues, so even two leaders (a paused process whose lease
//    lapsed) never enqueue the same tick twice.
//  - Misfires: kFireOnce fires the latest missed tick within `misfire_window_ms` once (a
//    scheduler that was down catches up with one run, not a burst); kSkip fires a tick only
//    within `misfire_window_ms` of its time.
//  - Overlap: kSkip enqueues with unique key "schedule:<name>", so a tick is skipped while the
//    previous run of that schedule is still active; kAllow gives each tick its own key.
// Time comes from the Clock: tests drive RunOnce() with a FakeClock.
// Thread safety: RunOnce/Run from one thread; Stop from any.
#pragma once

#include <atomic>
#include <condition_variable>
#include <cstdint>
#include <mutex>
#include <optional>
#include <string>
#include <vector>

#include "core/clock.h"
#include "core/status.h"
#include "jobs/cron.h"

namespace ct {

class JobQueue;
struct ScheduleConfig;
struct SourceConfig;

enum class MisfirePolicy { kFireOnce, kSkip };
enum class OverlapPolicy { kSkip, kAllow };

struct ScheduleSpec {
  std::string name;
  CronSchedule cron;
  std::string job_type;
  std::string payload_json = "{}";
  int priority = 5;
  MisfirePolicy misfire = MisfirePolicy::kFireOnce;
  std::int64_t misfire_window_ms = 24LL * 3600 * 1000;
  OverlapPolicy overlap = OverlapPolicy::kSkip;
};

// Builds specs from config: parses cron expressions and policies, drops disabled schedules.
// Errors name the schedule and the bad value.
Result<std::vector<ScheduleSpec>> BuildScheduleSpecs(const std::vector<ScheduleConfig>& configs);

// The schedules of sources with a `schedule` of their own ([sources.NAME] schedule = "cron"):
// one per enabled source that has one, named "source:NAME", enqueuing `scrape {"source": NAME}`
// with the [schedules.*] defaults (fire once after a misfire; skip a tick while that source's
// previous scheduled scrape is active). A bad expression is reported by BuildScheduleSpecs,
// naming "source:NAME".
std::vector<ScheduleConfig> SourceSchedules(const std::vector<SourceConfig>& sources);

// Every schedule the scheduler runs: `schedules` then SourceSchedules(sources).
Result<std::vector<ScheduleSpec>> BuildAllScheduleSpecs(const std::vector<ScheduleConfig>& schedules,
                                                        const std::vector<SourceConfig>& sources);

struct SchedulerOptions {
  std::string holder_id;                // unique per process, e.g. "host:pid"
  std::int64_t lease_ttl_ms = 15'000;   // leadership lapses this long after the last renewal
  std::int64_t firing_keep_ms = 8LL * 24 * 3600 * 1000;  // firing records outlive the window
};

struct TickReport {
  bool leader = false;
  std::vector<std::string> fired;     // "name@2024-01-01T03:00:00Z"
  std::vector<std::string> skipped;   // overlap or already fired elsewhere, with the reason
  std::vector<std::string> errors;
};

class Scheduler {
 public:
  Scheduler(JobQueue& queue, std::vector<ScheduleSpec> schedules, SchedulerOptions options,
            const Clock& clock);
  ~Scheduler();

  // One pass at the clock's current time.
  TickReport RunOnce();
  // RunOnce in a loop until Stop(), waking for the next tick or lease renewal (real time).
  void Run();
  void Stop();  // idempotent; releases leadership

  // The next tick of any schedule after now (Unix ms), or -1.
  std::int64_t NextTickMs() const;

 private:
  struct State {
    ScheduleSpec spec;
    std::optional<std::int64_t> cursor_ms;  // ticks at or before this were examined
    std::vector<std::int64_t> pending;      // recorded ticks whose enqueue failed; retried
  };
  void Fire(State& s, std::int64_t tick_ms, TickReport& report);

  JobQueue& queue_;
  std::vector<State> states_;
  SchedulerOptions options_;
  const Clock& clock_;
  std::atomic<bool> was_leader_{false};

  std::mutex mu_;
  std::condition_variable cv_;
  bool stop_ = false;
};

}  // namespace ct
