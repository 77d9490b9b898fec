// A stand-in for `complaints run-job` in the jobs tests: the same child code (RunJobChild) and
// job types, without the app layer, so the worker is tested with real child processes without
// linking the whole product. Usage: run_job_for_tests [ignored...] run-job --type T --job-id ID
// [--attempt N] < payload
#include <signal.h>

#include <atomic>
#include <cstring>
#include <iostream>
#include <iterator>
#include <string>
#include <thread>

#include "core/clock.h"
#include "jobs/builtin_jobs.h"
#include "jobs/job_child.h"

int main(int argc, char** argv) {
  sigset_t set;
  sigemptyset(&set);
  sigaddset(&set, SIGTERM);
  pthread_sigmask(SIG_BLOCK, &set, nullptr);
  std::atomic<bool> cancel{false}, done{false};
  std::thread watcher([&] {
    timespec tick{0, 50'000'000};
    while (!done) {
      if (sigtimedwait(&set, nullptr, &tick) > 0) cancel = true;
    }
  });
  ct::JobChildArgs args;
  for (int i = 1; i + 1 < argc; ++i) {
    if (std::strcmp(argv[i], "--type") == 0) args.type = argv[++i];
    else if (std::strcmp(argv[i], "--job-id") == 0) args.job_id = argv[++i];
    else if (std::strcmp(argv[i], "--attempt") == 0) args.attempt = std::atoi(argv[++i]);
  }
  args.payload_json.assign(std::istreambuf_iterator<char>(std::cin), {});
  ct::SystemClock clock;
  ct::JobRegistry registry;
  ct::BuiltinJobOptions options;
  options.test_jobs = true;
  if (!ct::RegisterBuiltinJobs(registry, options, clock).ok()) return 4;
  const int code = ct::RunJobChild(registry, args, cancel, stdout);
  done = true;
  watcher.join();
  return code;
}
