// The child side of an isolated job (`complaints run-job`): runs one handler in this process and
// speaks the line protocol of job_protocol.h on `out`. The payload comes from stdin, so the
// child shares no memory with its worker.
// Thread safety: call once per process; progress lines may come from any handler thread (they
// are serialised).
#pragma once

#include <atomic>
#include <cstdio>
#include <string>

#include "jobs/job_registry.h"

namespace ct {

struct JobChildArgs {
  std::string type;
  std::string job_id;
  int attempt = 1;
  std::string payload_json = "{}";
};

// The exit code of a child whose handler ran out of memory (std::bad_alloc: typically the
// worker's per-process memory limit, RLIMIT_AS). The worker records it as a crash naming the
// limit; no result or error line is written.
inline constexpr int kJobOutOfMemoryExitCode = 88;

// Runs the handler and writes progress lines then exactly one result or error line. Returns the
// process exit code: 0 when a result or an error line was written (the outcome is in the line),
// 3 when the type is unknown or the payload invalid (an error line says which, permanent),
// kJobOutOfMemoryExitCode when the handler ran out of memory.
// `cancel` is set by the caller when SIGTERM arrives.
int RunJobChild(const JobRegistry& registry, const JobChildArgs& args,
                const std::atomic<bool>& cancel, std::FILE* out);

}  // namespace ct
