// bench_jobs: the measuring half of the job-system benchmark (bench/jobs/run.sh drives it).
// It talks to the queue through the JobQueue interface only, exactly as the API does, and reads
// its figures from what the queue records (created_at, started_at, finished_at, events), so the
// numbers are those of the real worker processes, not of this program.
//
//   bench_jobs enqueue  --count N [--rate R]     N jobs (test.noop by default); R per second
//   bench_jobs wait     --count N                until N jobs of the type succeeded
//   bench_jobs report                            drain jobs/s + enqueue-to-start percentiles
//   bench_jobs recovery --data-dir D --workers W --kills K   SIGKILL drills under `serve`
//   bench_jobs kill-loop --data-dir D --interval-ms I --duration-ms T
//
// The queue: --database-url (SQLite or PostgreSQL, the SQL queue), or --redis-url (the Redis
// queue, default key prefix: the one workers use). Every command prints one JSON object on
// stdout; progress and errors go to stderr.
#include <signal.h>
#include <sys/types.h>

#include <CLI/CLI.hpp>
#include <algorithm>
#include <chrono>
#include <cmath>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <iostream>
#include <map>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <thread>
#include <vector>

#include "core/clock.h"
#include "queue/job_queue.h"
#include "queue/redis/redis_job_queue.h"
#include "queue/sql/sql_job_queue.h"

namespace ct {
namespace {

using nlohmann::json;
using std::chrono::milliseconds;

struct QueueFlags {
  std::string database_url;
  std::string redis_url;
  std::string type = "test.noop";
};

[[noreturn]] void Die(const std::string& what) {
  std::cerr << "bench_jobs: " << what << "\n";
  std::exit(1);
}

std::unique_ptr<JobQueue> OpenQueue(const QueueFlags& f, const Clock& clock) {
  Result<std::unique_ptr<JobQueue>> q = Status::InvalidArgument("no queue");
  if (!f.redis_url.empty()) {
    q = OpenRedisJobQueue(f.redis_url, RedisQueueOptions{}, clock);
  } else if (!f.database_url.empty()) {
    q = OpenSqlJobQueue(f.database_url, QueueSqlOptions{}, clock);
  } else {
    Die("give --database-url or --redis-url");
  }
  if (!q.ok()) Die("opening the queue: " + q.status().ToString());
  return std::move(q).value();
}

// Nearest-rank percentile of sorted values.
double Percentile(const std::vector<double>& sorted, double p) {
  if (sorted.empty()) return 0;
  const auto rank = static_cast<std::size_t>(std::ceil(p / 100.0 * sorted.size()));
  return sorted[std::min(sorted.size(), std::max<std::size_t>(rank, 1)) - 1];
}

json Summary(std::vector<double> v) {
  std::sort(v.begin(), v.end());
  if (v.empty()) return json{{"n", 0}};
  return json{{"n", v.size()},
              {"p50", Percentile(v, 50)},
              {"p99", Percentile(v, 99)},
              {"max", v.back()},
              {"min", v.front()},
              {"values", v.size() <= 100 ? json(v) : json::array()}};
}

std::int64_t Counted(const QueueCounts& c, std::string_view state) {
  for (const auto& [name, n] : c.by_state) {
    if (name == state) return n;
  }
  return 0;
}

// --- enqueue ----------------------------------------------------------------------------------

struct EnqueueFlags {
  int count = 1000;
  double rate = 0;  // per second; 0 = as fast as one connection goes
  std::string payload = "{}";
  int max_crashes = 3;
  int timeout_s = 300;
};

void Enqueue(const QueueFlags& qf, const EnqueueFlags& f) {
  SystemClock clock;
  auto queue = OpenQueue(qf, clock);
  EnqueueRequest r;
  r.type = qf.type;
  r.payload_json = f.payload;
  r.max_crashes = f.max_crashes;
  r.timeout_s = f.timeout_s;
  const auto t0 = std::chrono::steady_clock::now();
  for (int i = 0; i < f.count; ++i) {
    if (f.rate > 0) {
      // An absolute schedule: a slow call is caught up, so the mean rate is the one asked for.
      std::this_thread::sleep_until(
          t0 + std::chrono::microseconds(static_cast<std::int64_t>(i * 1e6 / f.rate)));
    }
    auto e = queue->Enqueue(r);
    if (!e.ok()) Die("enqueue #" + std::to_string(i) + ": " + e.status().ToString());
  }
  const double s = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
  std::cout << json{{"enqueued", f.count}, {"seconds", s}, {"per_second", f.count / s}}.dump()
            << std::endl;
}

// --- wait -------------------------------------------------------------------------------------

void Wait(const QueueFlags& qf, int count, int timeout_s) {
  SystemClock clock;
  auto queue = OpenQueue(qf, clock);
  const auto end = std::chrono::steady_clock::now() + std::chrono::seconds(timeout_s);
  std::int64_t done = 0;
  while (std::chrono::steady_clock::now() < end) {
    auto c = queue->Counts();
    if (!c.ok()) Die("counts: " + c.status().ToString());
    done = Counted(*c, "succeeded");
    const std::int64_t bad = Counted(*c, "dead") + Counted(*c, "cancelled");
    if (bad > 0) Die(std::to_string(bad) + " job(s) dead or cancelled: the run is not valid");
    if (done >= count) {
      std::cout << json{{"succeeded", done}}.dump() << std::endl;
      return;
    }
    std::this_thread::sleep_for(milliseconds(50));
  }
  Die("timed out: " + std::to_string(done) + " of " + std::to_string(count) + " succeeded");
}

// --- report -----------------------------------------------------------------------------------

void Report(const QueueFlags& qf) {
  SystemClock clock;
  auto queue = OpenQueue(qf, clock);
  JobFilter filter;
  filter.states = {JobState::kSucceeded};
  filter.type = qf.type;
  std::string cursor;
  std::vector<double> latency;
  std::int64_t first_start = 0, last_finish = 0, first_created = 0;
  std::int64_t n = 0, reclaimed = 0;
  do {
    auto page = queue->List(filter, cursor, 1000);
    if (!page.ok()) Die("list: " + page.status().ToString());
    for (const Job& j : page->items) {
      if (!j.started_at || !j.finished_at) Die("job " + j.id + " succeeded without timestamps");
      ++n;
      if (j.attempts > 1) ++reclaimed;
      latency.push_back(static_cast<double>(*j.started_at - j.created_at));
      first_start = first_start == 0 ? *j.started_at : std::min(first_start, *j.started_at);
      first_created = first_created == 0 ? j.created_at : std::min(first_created, j.created_at);
      last_finish = std::max(last_finish, *j.finished_at);
    }
    cursor = page->next_cursor;
  } while (!cursor.empty());
  if (n == 0) Die("no succeeded " + qf.type + " job to report on");
  const double drain_ms = static_cast<double>(std::max<std::int64_t>(1, last_finish - first_start));
  std::cout << json{{"jobs", n},
                    {"attempts_gt_1", reclaimed},
                    {"drain_ms", drain_ms},
                    {"jobs_per_s", n * 1000.0 / drain_ms},
                    {"span_from_first_enqueue_ms", last_finish - first_created},
                    {"latency_ms", Summary(latency)}}
                   .dump()
            << std::endl;
}

// --- supervisor state -------------------------------------------------------------------------

struct ChildState {
  int pid = 0;
  std::string state;
  int restarts = 0;
};

std::map<std::string, ChildState> ReadSupervisor(const std::filesystem::path& data_dir) {
  std::map<std::string, ChildState> out;
  std::ifstream in(data_dir / "supervisor.json");
  if (!in) return out;
  json doc = json::parse(in, nullptr, false);
  if (doc.is_discarded() || !doc.contains("children")) return out;
  for (const json& c : doc["children"]) {
    out[c.value("name", "")] =
        ChildState{c.value("pid", 0), c.value("state", ""), c.value("restarts", 0)};
  }
  return out;
}

template <typename F>
bool Poll(F f, milliseconds limit, milliseconds step = milliseconds(5)) {
  const auto end = std::chrono::steady_clock::now() + limit;
  while (std::chrono::steady_clock::now() < end) {
    if (f()) return true;
    std::this_thread::sleep_for(step);
  }
  return f();
}

// --- recovery ---------------------------------------------------------------------------------

struct RecoveryFlags {
  std::string data_dir;
  int workers = 4;
  int kills = 20;
  std::int64_t stable_ms = 10'500;  // serve restarts at once a child up >= 10 s
};

// W long test.sleep jobs keep every worker (concurrency 1) busy. Kill i SIGKILLs worker
// (i mod W) + 1 while it runs its job, once that worker has been up stable_ms (else serve would
// apply its crash-loop backoff, which is a different measurement). Then, from the queue:
//  ready: the replacement's WorkerInfo.started_at (Worker::Start, about to claim) - kill time;
//  rerun: the interrupted job's first `claimed` event after the kill - kill time.
void Recovery(const QueueFlags& qf, const RecoveryFlags& f) {
  SystemClock clock;
  auto queue = OpenQueue(qf, clock);
  const std::filesystem::path dir(f.data_dir);
  EnqueueRequest r;
  r.type = "test.sleep";
  r.payload_json = R"({"seconds":3600})";
  r.max_crashes = 1000;
  r.timeout_s = 3600;
  for (int i = 0; i < f.workers; ++i) {
    if (auto e = queue->Enqueue(r); !e.ok()) Die("enqueue: " + e.status().ToString());
  }
  // Every worker has its job.
  auto running_by_worker = [&]() {
    std::map<std::string, std::string> out;  // worker id -> job id
    JobFilter filter;
    filter.states = {JobState::kRunning};
    auto page = queue->List(filter, "", 100);
    if (!page.ok()) return out;
    for (const Job& j : page->items) out[j.worker_id] = j.id;
    return out;
  };
  if (!Poll([&] { return static_cast<int>(running_by_worker().size()) == f.workers; },
            milliseconds(30'000), milliseconds(50))) {
    Die("the workers did not all start their job within 30 s");
  }
  std::vector<double> ready_ms, rerun_ms, restart_ms;
  json kills = json::array();
  for (int k = 0; k < f.kills; ++k) {
    const std::string worker = "worker-" + std::to_string(k % f.workers + 1);
    std::string job_id;
    WorkerInfo before;
    // Wait until that worker is up for stable_ms, reports itself and runs its job.
    const bool ready = Poll(
        [&] {
          auto ws = queue->Workers();
          if (!ws.ok()) return false;
          auto it = std::find_if(ws->begin(), ws->end(),
                                 [&](const WorkerInfo& w) { return w.id == worker; });
          if (it == ws->end() || it->current_jobs.empty()) return false;
          if (clock.NowMillis() - it->started_at < f.stable_ms) return false;
          before = *it;
          job_id = it->current_jobs.front();
          return true;
        },
        milliseconds(60'000), milliseconds(50));
    if (!ready) Die(worker + " never ran a job for " + std::to_string(f.stable_ms) + " ms");
    const auto children = ReadSupervisor(dir);
    auto child = children.find(worker);
    if (child == children.end() || child->second.pid != before.pid) {
      Die("supervisor.json and the queue disagree on " + worker + "'s pid");
    }
    const std::int64_t kill_at = clock.NowMillis();
    if (kill(before.pid, SIGKILL) != 0) Die("kill " + std::to_string(before.pid) + " failed");
    // The replacement: a new pid under the same id in supervisor.json, then in Workers().
    std::int64_t restart_seen = 0;
    WorkerInfo after;
    const bool back = Poll(
        [&] {
          if (restart_seen == 0) {
            auto c = ReadSupervisor(dir);
            auto it = c.find(worker);
            if (it != c.end() && it->second.pid != 0 && it->second.pid != before.pid) {
              restart_seen = clock.NowMillis();
            }
          }
          auto ws = queue->Workers();
          if (!ws.ok()) return false;
          for (const WorkerInfo& w : *ws) {
            if (w.id == worker && w.pid != before.pid && w.started_at >= kill_at) {
              after = w;
              return true;
            }
          }
          return false;
        },
        milliseconds(30'000));
    if (!back) Die(worker + " was not replaced within 30 s of kill " + std::to_string(k + 1));
    std::int64_t reclaimed_at = 0;
    const bool rerun = Poll(
        [&] {
          auto events = queue->Events(job_id);
          if (!events.ok()) return false;
          for (const JobEvent& e : *events) {
            if (e.kind == "claimed" && e.at >= kill_at) {
              reclaimed_at = e.at;
              return true;
            }
          }
          return false;
        },
        milliseconds(30'000), milliseconds(20));
    if (!rerun)
      Die("job " + job_id + " did not run again within 30 s of kill " + std::to_string(k + 1));
    ready_ms.push_back(static_cast<double>(after.started_at - kill_at));
    rerun_ms.push_back(static_cast<double>(reclaimed_at - kill_at));
    if (restart_seen) restart_ms.push_back(static_cast<double>(restart_seen - kill_at));
    kills.push_back(json{{"worker", worker},
                         {"old_pid", before.pid},
                         {"new_pid", after.pid},
                         {"job", job_id},
                         {"ready_ms", after.started_at - kill_at},
                         {"rerun_ms", reclaimed_at - kill_at}});
    std::cerr << "bench_jobs: kill " << k + 1 << "/" << f.kills << " " << worker << ": ready "
              << ready_ms.back() << " ms, job running again " << rerun_ms.back() << " ms\n";
  }
  std::cout << json{{"kills", kills},
                    {"ready_ms", Summary(ready_ms)},
                    {"rerun_ms", Summary(rerun_ms)},
                    {"supervisor_json_new_pid_ms", Summary(restart_ms)}}
                   .dump()
            << std::endl;
}

// --- kill loop --------------------------------------------------------------------------------

void KillLoop(const std::string& data_dir, std::int64_t interval_ms, std::int64_t duration_ms) {
  const std::filesystem::path dir(data_dir);
  const auto t0 = std::chrono::steady_clock::now();
  int kills = 0, skipped = 0;
  for (int i = 1;; ++i) {
    std::this_thread::sleep_until(t0 + milliseconds(i * interval_ms));
    if (std::chrono::steady_clock::now() - t0 >= milliseconds(duration_ms)) break;
    // Round robin over the workers that are running now (one in backoff is skipped).
    auto children = ReadSupervisor(dir);
    std::vector<int> pids;
    for (const auto& [name, c] : children) {
      if (name.rfind("worker-", 0) == 0 && c.state == "running" && c.pid > 0) {
        pids.push_back(c.pid);
      }
    }
    if (pids.empty()) {
      ++skipped;
      continue;
    }
    if (kill(pids[i % pids.size()], SIGKILL) == 0) ++kills;
  }
  std::cout << json{{"kills", kills}, {"skipped_no_worker_running", skipped}}.dump() << std::endl;
}

}  // namespace
}  // namespace ct

int main(int argc, char** argv) {
  CLI::App app{"Job-system benchmark helper (bench/jobs/run.sh)"};
  app.require_subcommand(1);
  auto qf = std::make_shared<ct::QueueFlags>();
  auto add_queue = [&](CLI::App* c) {
    c->add_option("--database-url", qf->database_url, "SQL queue (sqlite:PATH | postgresql://)");
    c->add_option("--redis-url", qf->redis_url, "Redis queue (redis://HOST:PORT)");
    c->add_option("--type", qf->type, "Job type");
  };

  auto ef = std::make_shared<ct::EnqueueFlags>();
  CLI::App* enqueue = app.add_subcommand("enqueue", "Enqueue jobs");
  add_queue(enqueue);
  enqueue->add_option("--count", ef->count)->check(CLI::PositiveNumber);
  enqueue->add_option("--rate", ef->rate, "Jobs per second (0 = at once)");
  enqueue->add_option("--payload", ef->payload);
  enqueue->callback([qf, ef] { ct::Enqueue(*qf, *ef); });

  auto count = std::make_shared<int>(0);
  auto timeout_s = std::make_shared<int>(600);
  CLI::App* wait = app.add_subcommand("wait", "Wait until COUNT jobs succeeded");
  add_queue(wait);
  wait->add_option("--count", *count)->required();
  wait->add_option("--timeout-s", *timeout_s);
  wait->callback([qf, count, timeout_s] { ct::Wait(*qf, *count, *timeout_s); });

  CLI::App* report = app.add_subcommand("report", "Throughput and latency of succeeded jobs");
  add_queue(report);
  report->callback([qf] { ct::Report(*qf); });

  auto rf = std::make_shared<ct::RecoveryFlags>();
  CLI::App* recovery = app.add_subcommand("recovery", "SIGKILL drills under complaints serve");
  add_queue(recovery);
  recovery->add_option("--data-dir", rf->data_dir)->required();
  recovery->add_option("--workers", rf->workers)->check(CLI::Range(1, 64));
  recovery->add_option("--kills", rf->kills)->check(CLI::Range(1, 1000));
  recovery->callback([qf, rf] { ct::Recovery(*qf, *rf); });

  auto data_dir = std::make_shared<std::string>();
  auto interval = std::make_shared<std::int64_t>(2000);
  auto duration = std::make_shared<std::int64_t>(60000);
  CLI::App* kl = app.add_subcommand("kill-loop", "SIGKILL a worker of serve every interval");
  kl->add_option("--data-dir", *data_dir)->required();
  kl->add_option("--interval-ms", *interval)->check(CLI::PositiveNumber);
  kl->add_option("--duration-ms", *duration)->check(CLI::PositiveNumber);
  kl->callback([data_dir, interval, duration] { ct::KillLoop(*data_dir, *interval, *duration); });

  CLI11_PARSE(app, argc, argv);
  return 0;
}
