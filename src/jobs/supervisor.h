// Supervisor: the heart of `complaints serve`. Starts its children (api, N workers, scheduler —
// each the same binary re-exec'd with a role subcommand, each in its own process group), watches
// them, restarts a dead one at once (exponential backoff while it keeps dying quickly, reset once
// it has stayed up), tells the queue when a WORKER dies so its jobs are requeued at once, and
// publishes its children's state in a JSON file for GET /jobs/status.
//
// Restart policy: a child that ran at least stable_after_ms is restarted immediately; each
// further quick death (uptime < stable_after_ms) doubles the delay from backoff_initial_ms up to
// backoff_max_ms.
// Stop: SIGTERM to every child (workers drain), up to stop_grace_ms for them to exit, then
// SIGKILL; every exited worker is released. Children also get SIGTERM if the supervisor dies
// (PR_SET_PDEATHSIG), so a SIGKILLed supervisor leaves no role process behind.
//
// State file (written atomically: temp file + rename):
//   {"pid":..,"state":"running|stopping|stopped","started_at":"..","updated_at":"..",
//    "children":[{"name":"worker-1","role":"worker","pid":123,"state":"running|backoff|stopped",
//                 "restarts":2,"started_at":"..","last_exit":{"at":"..","status":"killed by
//                 signal 9 (Killed)","code":null,"signal":9}}]}
//
// Thread safety: Start/Stop from one thread; Children() from any thread.
#pragma once

#include <condition_variable>
#include <cstdint>
#include <functional>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <thread>
#include <vector>

#include "core/clock.h"
#include "core/status.h"
#include "jobs/process_group.h"

namespace ct {

struct ChildSpec {
  std::string name;       // unique: "api", "worker-1", "scheduler"
  std::string role;       // "api" | "worker" | "scheduler"
  std::vector<std::string> argv;
  std::string worker_id;  // for workers: the id the worker claims jobs under
};

struct SupervisorOptions {
  std::vector<ChildSpec> children;
  std::string state_path;                 // "" = no state file
  std::int64_t backoff_initial_ms = 100;
  std::int64_t backoff_max_ms = 30'000;
  std::int64_t stable_after_ms = 10'000;  // uptime that resets the backoff
  std::int64_t stop_grace_ms = 30'000;    // SIGTERM -> SIGKILL at Stop
  std::int64_t poll_ms = 20;              // how often exits are looked for
};

struct ChildExit {
  std::int64_t at_ms = 0;  // wall clock
  ExitInfo info;
};

struct ChildState {
  std::string name;
  std::string role;
  int pid = 0;  // 0 when not running
  std::string state;  // running | backoff | stopped
  int restarts = 0;
  std::int64_t started_at_ms = 0;
  std::optional<ChildExit> last_exit;
};

// Called (on the supervisor's thread) after a worker child exited, with its worker id and why.
using WorkerExitHook = std::function<void(const std::string& worker_id, const std::string& why)>;

class Supervisor {
 public:
  Supervisor(SupervisorOptions options, const Clock& clock, WorkerExitHook on_worker_exit);
  ~Supervisor();  // Stop()
  Supervisor(const Supervisor&) = delete;
  Supervisor& operator=(const Supervisor&) = delete;

  // Spawns every child and the monitor thread. A child that cannot be spawned is retried with
  // backoff like one that died. FailedPrecondition if started twice; InvalidArgument for a bad
  // spec (empty argv, duplicate name).
  Status Start();
  // SIGTERM, grace, SIGKILL; waits for every child; writes the final state. Idempotent.
  void Stop();

  std::vector<ChildState> Children() const;

 private:
  struct Child {
    ChildSpec spec;
    std::unique_ptr<ProcessGroup> group;
    int restarts = 0;
    int quick_deaths = 0;
    std::int64_t started_mono_us = 0;
    std::int64_t started_at_ms = 0;
    std::int64_t restart_at_mono_us = 0;  // when not running
    bool ever_started = false;
    std::optional<ChildExit> last_exit;
  };

  void MonitorLoop();
  void SpawnChild(Child& child);
  // Records an exit (and releases a worker's jobs); schedules the restart unless stopping.
  void OnExit(Child& child, const ExitInfo& info, bool stopping);
  void StopChildren();
  void WriteState(const std::string& state);
  ChildState StateOf(const Child& child) const;

  SupervisorOptions options_;
  const Clock& clock_;
  WorkerExitHook on_worker_exit_;

  mutable std::mutex mu_;
  std::condition_variable cv_;
  std::vector<Child> children_;
  bool started_ = false;
  bool stop_requested_ = false;
  std::int64_t started_at_ms_ = 0;
  std::thread monitor_;
  std::once_flag stop_once_;
};

}  // namespace ct
