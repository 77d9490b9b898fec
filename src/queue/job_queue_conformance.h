// The JobQueue conformance suite: the behaviour every queue backend must share (job_queue.h), as
// one value-parameterised GoogleTest fixture. A backend instantiates it from its own test file:
//
//   #include "queue/job_queue_conformance.h"
//
//   ct::JobQueueBackend MyBackend() {
//     ct::JobQueueBackend b;
//     b.name = "Redis";
//     b.open = [](ct::FakeClock& clock) -> std::unique_ptr<ct::JobQueue> {
//       // A fresh, EMPTY queue (own database / key prefix per call) driven by `clock`, built
//       // with the default RetryPolicy. Return nullptr on failure (the test then fails).
//     };
//     b.open_peer = ...;  // optional, see below
//     return b;
//   }
//   INSTANTIATE_TEST_SUITE_P(Redis, JobQueueConformanceTest, ::testing::Values(MyBackend()),
//                            ::ct::JobQueueBackendName);
//
// and links the test with `ct_queue_conformance` (an OBJECT library, so the TEST_Ps are always
// linked in). The fixture calls `open` once per test; the queue is destroyed at TearDown, before
// the clock.
//
// Behaviour pinned down here beyond job_queue.h's wording (keep backends in line):
//  - The default RetryPolicy is used: transient retry n waits at most 1 s * 2^(n-1) (cap 10 min),
//    at least Retry-After; finished jobs are pruned 7 days after finishing (succeeded, dead and
//    cancelled alike).
//  - Enqueue without run_at stores run_at = now; created_at = now.
//  - A crash that is within budget puts the job back to queued with run_at = now.
//  - Claim with max < 1 or lease_ms < 1, and List with limit < 1, are InvalidArgument.
//  - Heartbeat/ReportProgress/Complete/Fail on an unknown job id: NotFound; on a known job with
//    a token that is not its current lease: Aborted (and nothing changes).
//  - The first ReportProgress of an attempt writes a progress event; further ones within 1 s
//    of the last progress event do not.
//  - Retry (replay) resets errors and crashes, keeps attempts, clears cancel_requested, and
//    makes the job runnable at once. A job whose unique key is held by another active job cannot
//    be replayed (AlreadyExists or FailedPrecondition).
//  - Workers(): an entry refreshed within the last 10 s is listed; one not refreshed for an
//    hour is not.
//  - EventsSince with a malformed cursor: InvalidArgument.
#pragma once

#include <gtest/gtest.h>

#include <functional>
#include <ostream>
#include <memory>
#include <string>

#include "core/clock.h"
#include "domain/job.h"
#include "queue/job_queue.h"

namespace ct {

using JobQueueFactory = std::function<std::unique_ptr<JobQueue>(FakeClock& clock)>;

struct JobQueueBackend {
  std::string name;  // test name suffix, e.g. "Sqlite"
  // A fresh, empty queue driven by `clock` (which outlives it). nullptr on failure.
  JobQueueFactory open;
  // Optional: another handle with its own connections to the queue most recently returned by
  // `open` (same database / prefix), for cross-connection wake-up tests. When empty those tests
  // use the same handle from another thread.
  JobQueueFactory open_peer;
};

// Names instantiations after JobQueueBackend::name.
std::string JobQueueBackendName(const ::testing::TestParamInfo<JobQueueBackend>& info);
// Failure messages show the backend's name instead of the struct's bytes.
void PrintTo(const JobQueueBackend& backend, std::ostream* os);

class JobQueueConformanceTest : public ::testing::TestWithParam<JobQueueBackend> {
 protected:
  void SetUp() override;
  void TearDown() override;

  JobQueue& queue() { return *queue_; }
  UnixMillis now() const { return clock_.NowMillis(); }

  // Enqueues a new job (asserting success and duplicate == false).
  Job Enqueue(const std::string& type, int priority = kDefaultPriority,
              std::optional<UnixMillis> run_at = std::nullopt);
  Job Enqueue(const EnqueueRequest& request);
  // Claims exactly one job (asserting it), with a 30 s lease.
  Lease ClaimOne(const std::string& worker = "w1", std::vector<std::string> types = {},
                 std::int64_t lease_ms = 30'000);
  Job GetJob(const std::string& id);
  std::vector<std::string> EventKinds(const std::string& id);

  FakeClock clock_;
  std::unique_ptr<JobQueue> queue_;
};

}  // namespace ct
