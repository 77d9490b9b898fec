#include "jobs/job_child.h"

#include <mutex>
#include <new>

#include "jobs/job_protocol.h"

namespace ct {

int RunJobChild(const JobRegistry& registry, const JobChildArgs& args,
                const std::atomic<bool>& cancel, std::FILE* out) {
  std::mutex out_mu;
  auto write_line = [&](const std::string& line) {
    std::lock_guard lock(out_mu);
    std::fputs(line.c_str(), out);
    std::fputc('\n', out);
    std::fflush(out);  // the worker reads line by line: progress must not sit in a buffer
  };
  const JobTypeSpec* spec = registry.Find(args.type);
  if (Status s = registry.ValidatePayload(args.type, args.payload_json); !s.ok() || !spec) {
    write_line(EncodeErrorLine(Status::InvalidArgument(s.message()), std::nullopt));
    return 3;
  }
  JobContext ctx(
      args.job_id, args.type, args.payload_json, args.attempt,
      [&](const JobProgress& p) { write_line(EncodeProgressLine(p)); }, &cancel);
  Result<std::string> result = Status::Internal("no result");
  try {
    result = spec->handler(ctx);
  } catch (const std::bad_alloc&) {
    std::fputs("run-job: out of memory (std::bad_alloc)\n", stderr);
    return kJobOutOfMemoryExitCode;
  }
  if (result.ok()) {
    write_line(EncodeResultLine(*result));
  } else {
    write_line(EncodeErrorLine(result.status(), ctx.retry_after_ms()));
  }
  return 0;
}

}  // namespace ct
