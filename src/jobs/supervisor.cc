#include "jobs/supervisor.h"

#include <signal.h>
#include <unistd.h>

#include <algorithm>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <nlohmann/json.hpp>
#include <set>
#include <spdlog/spdlog.h>

#include "core/time_format.h"

namespace ct {

Supervisor::Supervisor(SupervisorOptions options, const Clock& clock, WorkerExitHook on_worker_exit)
    : options_(std::move(options)), clock_(clock), on_worker_exit_(std::move(on_worker_exit)) {}

Supervisor::~Supervisor() { Stop(); }

Status Supervisor::Start() {
  std::set<std::string> names;
  for (const ChildSpec& spec : options_.children) {
    if (spec.argv.empty()) return Status::InvalidArgument("child " + spec.name + " has no argv");
    if (!names.insert(spec.name).second) {
      return Status::InvalidArgument("two children named " + spec.name);
    }
  }
  std::lock_guard lock(mu_);
  if (started_) return Status::FailedPrecondition("supervisor already started");
  started_ = true;
  started_at_ms_ = clock_.NowMillis();
  for (const ChildSpec& spec : options_.children) {
    Child child;
    child.spec = spec;
    children_.push_back(std::move(child));
  }
  // Children are forked from the monitor thread: PR_SET_PDEATHSIG fires when the forking THREAD
  // ends, and that thread lives exactly as long as the supervision.
  monitor_ = std::thread([this] { MonitorLoop(); });
  return Status::Ok();
}

void Supervisor::Stop() {
  std::call_once(stop_once_, [this] {
    {
      std::lock_guard lock(mu_);
      if (!started_) return;
      stop_requested_ = true;
    }
    cv_.notify_all();
    monitor_.join();
  });
}

void Supervisor::SpawnChild(Child& child) {
  SpawnOptions o;
  o.argv = child.spec.argv;
  o.capture_stdout = false;  // the children log to our stderr; nothing to parse
  o.capture_stderr = false;
  o.parent_death_signal = SIGTERM;
  child.started_mono_us = clock_.MonotonicMicros();
  child.started_at_ms = clock_.NowMillis();
  if (child.ever_started) ++child.restarts;
  child.ever_started = true;
  auto group = ProcessGroup::Spawn(o);
  if (!group.ok()) {
    spdlog::error("supervisor: cannot start {}: {}", child.spec.name, group.status().ToString());
    ExitInfo failed;
    failed.exit_code = 127;
    OnExit(child, failed, /*stopping=*/false);
    return;
  }
  child.group = std::move(group).value();
  spdlog::info("supervisor: {} started (pid {}, restarts {})", child.spec.name,
               child.group->pid(), child.restarts);
}

void Supervisor::OnExit(Child& child, const ExitInfo& info, bool stopping) {
  child.group.reset();
  child.last_exit = ChildExit{clock_.NowMillis(), info};
  if (child.spec.role == "worker" && on_worker_exit_) {
    // Before any restart: the new worker reuses the id, and must not lose its own jobs.
    on_worker_exit_(child.spec.worker_id, "worker " + child.spec.worker_id + " " + info.ToString());
  }
  if (stopping) {
    spdlog::info("supervisor: {} stopped ({})", child.spec.name, info.ToString());
    return;
  }
  const std::int64_t now = clock_.MonotonicMicros();
  const std::int64_t uptime_ms = (now - child.started_mono_us) / 1000;
  std::int64_t delay_ms = 0;
  if (uptime_ms >= options_.stable_after_ms) {
    child.quick_deaths = 0;
  } else {
    ++child.quick_deaths;
    const int shift = std::min(child.quick_deaths - 1, 20);
    delay_ms = std::min(options_.backoff_max_ms, options_.backoff_initial_ms << shift);
  }
  child.restart_at_mono_us = now + delay_ms * 1000;
  spdlog::warn("supervisor: {} exited ({}) after {} ms; restarting in {} ms", child.spec.name,
               info.ToString(), uptime_ms, delay_ms);
}

void Supervisor::MonitorLoop() {
  std::unique_lock lock(mu_);
  for (Child& c : children_) SpawnChild(c);
  WriteState("running");
  while (!stop_requested_) {
    cv_.wait_for(lock, std::chrono::milliseconds(options_.poll_ms),
                 [this] { return stop_requested_; });
    if (stop_requested_) break;
    bool changed = false;
    for (Child& c : children_) {
      if (c.group) {
        if (auto e = c.group->TryWait()) {
          OnExit(c, *e, /*stopping=*/false);
          changed = true;
        }
      }
      if (!c.group && clock_.MonotonicMicros() >= c.restart_at_mono_us) {
        SpawnChild(c);
        changed = true;
      }
    }
    if (changed) WriteState("running");
  }
  WriteState("stopping");
  lock.unlock();
  StopChildren();
  lock.lock();
  WriteState("stopped");
}

void Supervisor::StopChildren() {
  {
    std::lock_guard lock(mu_);
    for (Child& c : children_) {
      if (c.group) c.group->Signal(SIGTERM);
    }
  }
  const std::int64_t deadline = clock_.MonotonicMicros() + options_.stop_grace_ms * 1000;
  for (;;) {
    bool any_running = false;
    {
      std::lock_guard lock(mu_);
      for (Child& c : children_) {
        if (!c.group) continue;
        if (auto e = c.group->TryWait()) {
          OnExit(c, *e, /*stopping=*/true);
        } else {
          any_running = true;
        }
      }
    }
    if (!any_running) return;
    if (clock_.MonotonicMicros() >= deadline) break;
    std::this_thread::sleep_for(std::chrono::milliseconds(options_.poll_ms));
  }
  std::lock_guard lock(mu_);
  for (Child& c : children_) {
    if (!c.group) continue;
    spdlog::warn("supervisor: {} did not stop within {} ms: SIGKILL", c.spec.name,
                 options_.stop_grace_ms);
    ExitInfo e = c.group->Terminate(std::chrono::milliseconds(0));
    OnExit(c, e, /*stopping=*/true);
  }
}

ChildState Supervisor::StateOf(const Child& c) const {
  ChildState s;
  s.name = c.spec.name;
  s.role = c.spec.role;
  s.pid = c.group ? c.group->pid() : 0;
  s.state = c.group ? "running" : (stop_requested_ ? "stopped" : "backoff");
  s.restarts = c.restarts;
  s.started_at_ms = c.started_at_ms;
  s.last_exit = c.last_exit;
  return s;
}

std::vector<ChildState> Supervisor::Children() const {
  std::lock_guard lock(mu_);
  std::vector<ChildState> out;
  for (const Child& c : children_) out.push_back(StateOf(c));
  return out;
}

void Supervisor::WriteState(const std::string& state) {
  if (options_.state_path.empty()) return;
  using nlohmann::json;
  auto iso = [](std::int64_t ms) { return FormatIso8601(ms / 1000); };
  json children = json::array();
  for (const Child& c : children_) {
    ChildState s = StateOf(c);
    json child{{"name", s.name},         {"role", s.role},
               {"pid", s.pid},           {"state", s.state},
               {"restarts", s.restarts}, {"started_at", s.started_at_ms ? iso(s.started_at_ms) : ""}};
    if (s.last_exit) {
      child["last_exit"] = {
          {"at", iso(s.last_exit->at_ms)},
          {"status", s.last_exit->info.ToString()},
          {"code", s.last_exit->info.signaled() ? json(nullptr) : json(s.last_exit->info.exit_code)},
          {"signal", s.last_exit->info.signaled() ? json(s.last_exit->info.signal) : json(nullptr)}};
    } else {
      child["last_exit"] = nullptr;
    }
    children.push_back(std::move(child));
  }
  json doc{{"pid", getpid()},
           {"state", state},
           {"started_at", iso(started_at_ms_)},
           {"updated_at", iso(clock_.NowMillis())},
           {"children", std::move(children)}};
  // Readers (the API) never see a half-written file: write aside, then rename over.
  const std::string tmp = options_.state_path + ".tmp." + std::to_string(getpid());
  {
    std::ofstream out(tmp, std::ios::trunc);
    out << doc.dump(2) << "\n";
    if (!out.flush()) {
      spdlog::warn("supervisor: cannot write {}", tmp);
      return;
    }
  }
  if (std::rename(tmp.c_str(), options_.state_path.c_str()) != 0) {
    spdlog::warn("supervisor: cannot rename {} to {}", tmp, options_.state_path);
  }
}

}  // namespace ct
