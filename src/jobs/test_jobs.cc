#include "jobs/test_jobs.h"

#include <fcntl.h>
#include <signal.h>
#include <unistd.h>

#include <chrono>
#include <fstream>
#include <nlohmann/json.hpp>
#include <thread>
#include <vector>

#include "jobs/payload_rules.h"

namespace ct {
namespace {

using nlohmann::json;

json Payload(const JobContext& ctx) { return json::parse(ctx.payload_json(), nullptr, false); }

// Sleeps `ms` in small slices; false if cancelled meanwhile.
bool CancellableSleep(const JobContext& ctx, std::int64_t ms) {
  const auto end = std::chrono::steady_clock::now() + std::chrono::milliseconds(ms);
  while (std::chrono::steady_clock::now() < end) {
    if (ctx.cancelled()) return false;
    std::this_thread::sleep_for(std::chrono::milliseconds(10));
  }
  return !ctx.cancelled();
}

Result<std::string> Sleep(JobContext& ctx) {
  const json p = Payload(ctx);
  const double seconds = p.value("seconds", 0.0);
  if (!CancellableSleep(ctx, static_cast<std::int64_t>(seconds * 1000))) {
    return Status::Aborted("test.sleep cancelled");
  }
  if (auto it = p.find("append_to"); it != p.end()) {
    std::ofstream out(it->get<std::string>(), std::ios::app);
    out << ctx.job_id() << "\n";
    if (!out.flush()) return Status::Unavailable("test.sleep: cannot append to the marker file");
  }
  return json{{"slept_s", seconds}}.dump();
}

// One write(2) on an O_APPEND descriptor: lines of concurrent workers never interleave.
Result<std::string> Count(JobContext& ctx) {
  const json p = Payload(ctx);
  if (!CancellableSleep(ctx, p.value("sleep_ms", std::int64_t{0}))) {
    return Status::Aborted("test.count cancelled");
  }
  const std::string path = p.at("path").get<std::string>();
  const int fd = open(path.c_str(), O_WRONLY | O_APPEND | O_CREAT | O_CLOEXEC, 0644);
  if (fd < 0) return Status::Unavailable("test.count: cannot open " + path);
  const std::string line = ctx.job_id() + "\n";
  const ssize_t n = write(fd, line.data(), line.size());
  close(fd);
  if (n != static_cast<ssize_t>(line.size())) {
    return Status::Unavailable("test.count: cannot append to " + path);
  }
  return json{{"counted", ctx.job_id()}}.dump();
}

Result<std::string> Alloc(JobContext& ctx) {
  const std::int64_t mb = Payload(ctx).value("mb", std::int64_t{1});
  std::vector<char> block(static_cast<std::size_t>(mb) << 20);  // bad_alloc past the limit
  for (std::size_t i = 0; i < block.size(); i += 4096) block[i] = 1;  // really use it
  return json{{"allocated_mb", mb}, {"touched", block[block.size() / 2] == 1}}.dump();
}

Result<std::string> Progress(JobContext& ctx) {
  const json p = Payload(ctx);
  const std::int64_t steps = p.value("steps", std::int64_t{1});
  const std::int64_t step_ms = p.value("step_ms", std::int64_t{50});
  for (std::int64_t i = 1; i <= steps; ++i) {
    if (!CancellableSleep(ctx, step_ms)) return Status::Aborted("test.progress cancelled");
    ctx.Progress(i, steps, "step " + std::to_string(i));
  }
  return json{{"steps", steps}}.dump();
}

Result<std::string> Crash(JobContext&) {
  kill(getpid(), SIGKILL);
  return Status::Internal("unreachable: SIGKILL did not kill");
}

Result<std::string> Hang(JobContext&) {
  signal(SIGTERM, SIG_IGN);
  for (;;) pause();
}

Result<std::string> Fail(JobContext& ctx) {
  if (Payload(ctx).value("permanent", false)) {
    return Status::InvalidArgument("test.fail: permanent failure as requested");
  }
  ctx.set_retry_after_ms(10);
  return Status::Unavailable("test.fail: transient failure as requested");
}

}  // namespace

Status RegisterTestJobs(JobRegistry& r) {
  CT_RETURN_IF_ERROR(r.Register(
      {"test.noop", JobIsolation::kInline, [](const json& p) { return payload::OnlyKeys(p, {}); },
       [](JobContext&) -> Result<std::string> { return std::string(R"({"ok":true})"); },
       "does nothing"}));
  CT_RETURN_IF_ERROR(r.Register({"test.sleep", JobIsolation::kIsolated,
                                 [](const json& p) {
                                   CT_RETURN_IF_ERROR(
                                       payload::OnlyKeys(p, {"seconds", "append_to"}));
                                   CT_RETURN_IF_ERROR(payload::OptionalString(p, "append_to"));
                                   return payload::OptionalNumber(p, "seconds", 0, 3600);
                                 },
                                 Sleep, "sleeps, then leaves a side effect"}));
  CT_RETURN_IF_ERROR(r.Register({"test.count", JobIsolation::kInline,
                                 [](const json& p) {
                                   CT_RETURN_IF_ERROR(payload::OnlyKeys(p, {"path", "sleep_ms"}));
                                   CT_RETURN_IF_ERROR(payload::RequiredString(p, "path"));
                                   return payload::OptionalInt(p, "sleep_ms", 0, 60'000);
                                 },
                                 Count, "appends its job id to a file, counting executions"}));
  CT_RETURN_IF_ERROR(r.Register({"test.alloc", JobIsolation::kIsolated,
                                 [](const json& p) {
                                   CT_RETURN_IF_ERROR(payload::OnlyKeys(p, {"mb"}));
                                   return payload::OptionalInt(p, "mb", 1, 65'536);
                                 },
                                 Alloc, "allocates memory (for the job memory limit)"}));
  CT_RETURN_IF_ERROR(r.Register({"test.progress", JobIsolation::kIsolated,
                                 [](const json& p) {
                                   CT_RETURN_IF_ERROR(payload::OnlyKeys(p, {"steps", "step_ms"}));
                                   CT_RETURN_IF_ERROR(payload::OptionalInt(p, "steps", 1, 10'000));
                                   return payload::OptionalInt(p, "step_ms", 0, 60'000);
                                 },
                                 Progress, "reports progress step by step"}));
  CT_RETURN_IF_ERROR(r.Register({"test.crash", JobIsolation::kIsolated,
                                 [](const json& p) { return payload::OnlyKeys(p, {}); }, Crash,
                                 "the child kills itself"}));
  CT_RETURN_IF_ERROR(r.Register({"test.hang", JobIsolation::kIsolated,
                                 [](const json& p) { return payload::OnlyKeys(p, {}); }, Hang,
                                 "ignores SIGTERM, never ends"}));
  return r.Register({"test.fail", JobIsolation::kIsolated,
                     [](const json& p) {
                       CT_RETURN_IF_ERROR(payload::OnlyKeys(p, {"permanent"}));
                       return payload::OptionalBool(p, "permanent");
                     },
                     Fail, "fails transiently or permanently"});
}

}  // namespace ct
