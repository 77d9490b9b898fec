// Job types for tests and chaos drills, registered only when COMPLAINTS_TEST_JOBS=1:
//   test.noop {}                         succeeds at once (inline)
//   test.sleep {seconds, append_to?}     sleeps (cancellable), then appends "<job_id>\n" to
//                                        append_to — a side effect to count executions
//   test.count {path, sleep_ms?}         (inline) sleeps sleep_ms, then appends "<job_id>\n" to
//                                        path in one O_APPEND write — counts executions across
//                                        worker processes (the Redis outage drill)
//   test.alloc {mb}                      allocates and touches mb MiB, then succeeds (for the
//                                        per-job memory limit)
//   test.progress {steps, step_ms?}      reports real progress at each step
//   test.crash {}                        the child SIGKILLs itself
//   test.hang {}                         ignores SIGTERM and cancellation, sleeps forever
//   test.fail {permanent?}               fails: permanent (dead at once) or transient (retried)
#pragma once

#include "core/status.h"
#include "jobs/job_registry.h"

namespace ct {

Status RegisterTestJobs(JobRegistry& registry);

}  // namespace ct
