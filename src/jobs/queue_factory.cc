#include "jobs/queue_factory.h"

#include <spdlog/spdlog.h>

#ifdef CT_HAVE_QUEUE_SQL
#include "queue/sql/sql_job_queue.h"
#endif
#if defined(CT_HAVE_QUEUE_REDIS) && defined(CT_HAVE_FALLBACK_QUEUE)
#include "queue/fallback_queue.h"
#include "queue/redis/redis_job_queue.h"
#endif

namespace ct {

Result<std::unique_ptr<JobQueue>> OpenJobQueue(const AppConfig& config, const Clock& clock) {
#ifdef CT_HAVE_QUEUE_SQL
  QueueSqlOptions sql_options;
  sql_options.busy_timeout_ms = std::max(config.store.busy_timeout_ms, 10'000);
  auto sql = OpenSqlJobQueue(config.store.database_url, sql_options, clock);
  if (!sql.ok()) return sql.status().WithContext("opening the SQL job queue");
  if (config.queue.redis_url.empty()) return std::move(sql).value();
#if defined(CT_HAVE_QUEUE_REDIS) && defined(CT_HAVE_FALLBACK_QUEUE)
  RedisQueueOptions redis_options;
  redis_options.connect_lazily = true;  // a dead Redis at start means "degraded", not "down"
  auto redis = OpenRedisJobQueue(config.queue.redis_url, redis_options, clock);
  if (!redis.ok()) return redis.status().WithContext("opening the Redis job queue");
  return std::unique_ptr<JobQueue>(
      std::make_unique<FallbackQueue>(std::move(redis).value(), std::move(sql).value(), clock));
#else
  spdlog::warn("REDIS_URL is set but this binary has no Redis queue: using the SQL queue only");
  return std::move(sql).value();
#endif
#else
  (void)config;
  (void)clock;
  return Status::Unavailable("no SQL job queue backend is built into this binary");
#endif
}

}  // namespace ct
