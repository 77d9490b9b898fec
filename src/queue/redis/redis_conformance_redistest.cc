// The JobQueue conformance suite on the Redis backend: a fresh key prefix per test on one
// redis-server per test binary.
#include <gtest/gtest.h>

#include <memory>
#include <string>

#include "queue/job_queue_conformance.h"
#include "queue/redis/redis_job_queue.h"
#include "queue/redis/testing/redis_server.h"

namespace ct {
namespace {

std::unique_ptr<JobQueue> OpenOn(const std::string& prefix, FakeClock& clock) {
  auto server = testing::SharedRedisServer();
  if (!server.ok()) {
    ADD_FAILURE() << server.status().ToString();
    return nullptr;
  }
  RedisQueueOptions options;
  options.key_prefix = prefix;
  auto queue = OpenRedisJobQueue((*server)->url(), options, clock);
  if (!queue.ok()) {
    ADD_FAILURE() << queue.status().ToString();
    return nullptr;
  }
  return std::move(queue).value();
}

JobQueueBackend RedisBackend() {
  // The prefix of the queue `open` returned last, for `open_peer`.
  auto last_prefix = std::make_shared<std::string>();
  JobQueueBackend b;
  b.name = "Redis";
  b.open = [last_prefix](FakeClock& clock) -> std::unique_ptr<JobQueue> {
    auto server = testing::SharedRedisServer();
    if (!server.ok()) {
      ADD_FAILURE() << server.status().ToString();
      return nullptr;
    }
    *last_prefix = "conf:" + (*server)->NewKeyPrefix();
    return OpenOn(*last_prefix, clock);
  };
  b.open_peer = [last_prefix](FakeClock& clock) { return OpenOn(*last_prefix, clock); };
  return b;
}

INSTANTIATE_TEST_SUITE_P(Redis, JobQueueConformanceTest, ::testing::Values(RedisBackend()),
                         ::ct::JobQueueBackendName);

}  // namespace
}  // namespace ct
