#include "queue/sql/sql_job_queue.h"
#include "queue/new_job.h"

#include <algorithm>
#include <chrono>
#include <condition_variable>
#include <mutex>
#include <nlohmann/json.hpp>
#include <random>
#include <sstream>
#include <utility>

#include "queue/sql/pg_listener.h"
#include "queue/sql/sql_connection.h"
#include "queue/sql/sql_migrations.h"

namespace ct {
namespace {

using queue_sql::ConnectionPool;
using queue_sql::Dialect;
using queue_sql::SqlConnection;
using queue_sql::SqlRow;
using queue_sql::SqlRows;
using queue_sql::SqlValue;
using queue_sql::ToInt;
using queue_sql::ToOptInt;
using json = nlohmann::json;

constexpr char kJobColumns[] =
    "id, type, queue, payload, priority, state, unique_key, attempts, errors, max_attempts, "
    "crashes, max_crashes, timeout_s, created_at, run_at, started_at, finished_at, "
    "heartbeat_at, lease_expires_at, worker_id, lease_token, progress_done, progress_total, "
    "progress_message, result, last_error, last_failure, exit_signal, cancel_requested";
constexpr char kRunnable[] = "state IN ('queued', 'scheduled', 'retrying')";
constexpr char kLeased[] = "state IN ('running', 'cancelling')";
constexpr char kActive[] =
    "state IN ('queued', 'scheduled', 'running', 'retrying', 'cancelling')";
constexpr char kFinal[] = "state IN ('succeeded', 'dead', 'cancelled')";
constexpr char kChannel[] = "ct_jobs";
constexpr int kRescueBatch = 500;
constexpr int kMaxListLimit = 1'000;
constexpr std::int64_t kProgressEventEveryMs = 1'000;

SqlValue Opt(const std::optional<std::int64_t>& v) {
  return v ? SqlValue(*v) : SqlValue(nullptr);
}
std::string Str(const std::optional<std::string>& v) { return v.value_or(""); }

Result<FailureKind> ParseFailureKind(std::string_view s) {
  for (FailureKind k : {FailureKind::kTransient, FailureKind::kPermanent, FailureKind::kCrash,
                        FailureKind::kCancelled})
    if (FailureKindName(k) == s) return k;
  return Status::DataLoss("unknown failure kind '" + std::string(s) + "' in jobs table");
}

Result<Job> RowToJob(const SqlRow& r) {
  Job j;
  j.id = Str(r[0]);
  j.type = Str(r[1]);
  j.queue = Str(r[2]);
  j.payload_json = Str(r[3]);
  j.priority = static_cast<int>(ToInt(r[4]));
  CT_ASSIGN_OR_RETURN(j.state, ParseJobState(Str(r[5])));
  j.unique_key = Str(r[6]);
  j.attempts = static_cast<int>(ToInt(r[7]));
  j.errors = static_cast<int>(ToInt(r[8]));
  j.max_attempts = static_cast<int>(ToInt(r[9]));
  j.crashes = static_cast<int>(ToInt(r[10]));
  j.max_crashes = static_cast<int>(ToInt(r[11]));
  j.timeout_s = static_cast<int>(ToInt(r[12]));
  j.created_at = ToInt(r[13]);
  j.run_at = ToInt(r[14]);
  j.started_at = ToOptInt(r[15]);
  j.finished_at = ToOptInt(r[16]);
  j.heartbeat_at = ToOptInt(r[17]);
  j.lease_expires_at = ToOptInt(r[18]);
  j.worker_id = Str(r[19]);
  j.lease_token = ToInt(r[20]);
  j.progress.done = ToInt(r[21]);
  j.progress.total = ToInt(r[22]);
  j.progress.message = Str(r[23]);
  j.result_json = Str(r[24]);
  j.last_error = Str(r[25]);
  if (r[26]) {
    CT_ASSIGN_OR_RETURN(FailureKind k, ParseFailureKind(*r[26]));
    j.last_failure = k;
  }
  if (auto sig = ToOptInt(r[27])) j.exit_signal = static_cast<int>(*sig);
  j.cancel_requested = ToInt(r[28]) != 0;
  return j;
}

Result<std::vector<Job>> RowsToJobs(const SqlRows& rows) {
  std::vector<Job> out;
  out.reserve(rows.rows.size());
  for (const auto& r : rows.rows) {
    CT_ASSIGN_OR_RETURN(Job j, RowToJob(r));
    out.push_back(std::move(j));
  }
  return out;
}

// Appends "$k, $k+1, ..." for `values`, adding them to `params`.
std::string Placeholders(const std::vector<std::string>& values, std::vector<SqlValue>& params) {
  std::string out;
  for (const auto& v : values) {
    params.emplace_back(v);
    if (!out.empty()) out += ", ";
    out += "$" + std::to_string(params.size());
  }
  return out;
}

bool IsDigits(std::string_view s) {
  return !s.empty() && s.size() <= 18 &&
         std::all_of(s.begin(), s.end(), [](char c) { return c >= '0' && c <= '9'; });
}

class SqlJobQueue final : public JobQueue {
 public:
  SqlJobQueue(Dialect dialect, ConnectionPool::Opener opener, const QueueSqlOptions& options,
              const Clock& clock, std::unique_ptr<queue_sql::PgListener> listener)
      : dialect_(dialect),
        pool_(std::move(opener), options.max_idle_connections),
        options_(options),
        clock_(clock),
        listener_(std::move(listener)),
        rng_(std::random_device{}()) {
    last_due_check_ms_ = clock_.NowMillis();
  }

  Status Init() {
    {
      CT_ASSIGN_OR_RETURN(auto conn, pool_.Acquire());
      CT_RETURN_IF_ERROR(queue_sql::ApplyQueueMigrations(*conn, clock_.NowMillis()));
    }
    // Wake-ups count from now: events already in the log were someone else's business.
    return Run(Mode::kRead, [&](SqlConnection& c) -> Status {
      CT_ASSIGN_OR_RETURN(SqlRows r, c.Query("SELECT COALESCE(MAX(id), 0) FROM job_events", {}));
      last_event_id_ = ToInt(r.rows[0][0]);
      return Status::Ok();
    });
  }

  std::string_view backend() const override {
    return dialect_ == Dialect::kSqlite ? "sqlite" : "postgresql";
  }

  Status Ping() override {
    return Run(Mode::kRead, [](SqlConnection& c) { return c.Query("SELECT 1", {}).status(); });
  }

  Result<EnqueueResult> Enqueue(const EnqueueRequest& request) override {
    const UnixMillis now = clock_.NowMillis();
    CT_ASSIGN_OR_RETURN(Job job, NewJob(request, now));

    EnqueueResult result;
    // A key held by a job that finishes between our insert and our lookup: try again.
    for (int attempt = 0; attempt < 5; ++attempt) {
      bool raced = false;
      const std::string detail =
          json{{"type", job.type}, {"priority", job.priority}, {"run_at", job.run_at}}.dump();
      // PostgreSQL: job, event and NOTIFY in one autocommit statement (one round trip).
      const std::string insert =
          std::string(pg() ? "WITH ins AS (" : "") +
          "INSERT INTO jobs (id, type, queue, payload, priority, state, unique_key, "
          "max_attempts, max_crashes, timeout_s, created_at, run_at) VALUES ($1, $2, $3, $4, "
          "$5, $6, $7, $8, $9, $10, $11, $12) ON CONFLICT DO NOTHING RETURNING id" +
          (pg() ? std::string("), ev AS (INSERT INTO job_events (job_id, at, kind, detail) "
                              "SELECT id, $11, 'enqueued', CAST($13 AS TEXT) FROM ins) "
                              "SELECT id, pg_notify('") +
                      kChannel + "', '') FROM ins"
                : std::string());
      std::vector<SqlValue> params = {
          job.id, job.type, job.queue, job.payload_json, std::int64_t{job.priority},
          std::string(JobStateName(job.state)),
          job.unique_key.empty() ? SqlValue(nullptr) : SqlValue(job.unique_key),
          std::int64_t{job.max_attempts}, std::int64_t{job.max_crashes},
          std::int64_t{job.timeout_s}, job.created_at, job.run_at};
      if (pg()) params.emplace_back(detail);
      Status s = Run(pg() ? Mode::kSingleWrite : Mode::kWrite, [&](SqlConnection& c) -> Status {
        CT_ASSIGN_OR_RETURN(SqlRows ins, c.Query(insert, params));
        if (ins.rows.empty()) {
          CT_ASSIGN_OR_RETURN(
              SqlRows held, c.Query(std::string("SELECT ") + kJobColumns +
                                        " FROM jobs WHERE unique_key = $1 AND " + kActive,
                                    {job.unique_key}));
          if (held.rows.empty()) {
            raced = true;
            return Status::Ok();
          }
          CT_ASSIGN_OR_RETURN(result.job, RowToJob(held.rows[0]));
          result.duplicate = true;
          return Status::Ok();
        }
        result.job = job;
        result.duplicate = false;
        if (pg()) return Status::Ok();
        return c.Query("INSERT INTO job_events (job_id, at, kind, detail) VALUES ($1, $2, $3, $4)",
                       {job.id, now, std::string("enqueued"), detail})
            .status();
      });
      CT_RETURN_IF_ERROR(s);
      if (!raced) {
        if (!result.duplicate) Wake();
        return result;
      }
    }
    return Status::Aborted("unique key '" + request.unique_key + "' kept changing hands");
  }

  Result<std::vector<Lease>> Claim(std::string_view worker_id, int max,
                                   std::span<const std::string> types,
                                   std::int64_t lease_ms) override {
    if (max < 1) return Status::InvalidArgument("claim max must be >= 1");
    if (lease_ms < 1) return Status::InvalidArgument("lease_ms must be >= 1");
    const UnixMillis now = clock_.NowMillis();
    std::vector<SqlValue> params = {now, std::int64_t{max}, std::string(worker_id),
                                    now + lease_ms};
    std::string type_filter;
    if (!types.empty())
      type_filter = " AND type IN (" +
                    Placeholders(std::vector<std::string>(types.begin(), types.end()), params) +
                    ")";
    // SQLite would rather scan jobs_state_idx and sort; the claim index is the point.
    const std::string picked =
        std::string("picked AS (SELECT id FROM jobs ") +
        (pg() ? "" : "INDEXED BY jobs_claim_idx ") + "WHERE " + kRunnable +
        " AND run_at <= $1" + type_filter + " ORDER BY priority DESC, run_at, id LIMIT $2" +
        (pg() ? " FOR UPDATE SKIP LOCKED" : "") + ")";
    const std::string update =
        std::string("UPDATE jobs SET state = 'running', worker_id = $3, started_at = $1, "
                    "heartbeat_at = $1, lease_expires_at = $4, attempts = attempts + 1, "
                    "lease_token = lease_token + 1, progress_done = 0, progress_total = 0, "
                    "progress_message = '', progress_event_at = NULL "
                    "WHERE id IN (SELECT id FROM picked) RETURNING ") +
        kJobColumns;
    // PostgreSQL: claim and events in one autocommit statement (one round trip).
    const std::string sql =
        pg() ? "WITH " + picked + ", claimed AS (" + update +
                   "), ev AS (INSERT INTO job_events (job_id, at, kind, detail) SELECT id, $1, "
                   "'claimed', CAST(json_build_object('worker', worker_id, 'attempt', attempts, "
                   "'token', lease_token) AS TEXT) FROM claimed) SELECT " +
                   kJobColumns + " FROM claimed"
             : "WITH " + picked + " " + update;
    std::vector<Lease> leases;
    CT_RETURN_IF_ERROR(Run(pg() ? Mode::kSingleWrite : Mode::kWrite, [&](SqlConnection& c) -> Status {
      leases.clear();
      CT_ASSIGN_OR_RETURN(SqlRows rows, c.Query(sql, params));
      CT_ASSIGN_OR_RETURN(std::vector<Job> jobs, RowsToJobs(rows));
      for (Job& j : jobs) {
        if (!pg())
          CT_RETURN_IF_ERROR(AddEvent(c, j.id, now, "claimed",
                                      json{{"worker", j.worker_id},
                                           {"attempt", j.attempts},
                                           {"token", j.lease_token}}));
        Lease l;
        l.job_id = j.id;
        l.token = j.lease_token;
        l.job = std::move(j);
        leases.push_back(std::move(l));
      }
      return Status::Ok();
    }));
    std::sort(leases.begin(), leases.end(), [](const Lease& a, const Lease& b) {
      if (a.job.priority != b.job.priority) return a.job.priority > b.job.priority;
      if (a.job.run_at != b.job.run_at) return a.job.run_at < b.job.run_at;
      return a.job_id < b.job_id;
    });
    return leases;
  }

  Result<HeartbeatReply> Heartbeat(const Lease& lease, std::int64_t lease_ms) override {
    const UnixMillis now = clock_.NowMillis();
    HeartbeatReply reply;
    CT_RETURN_IF_ERROR(Run(Mode::kSingleWrite, [&](SqlConnection& c) -> Status {
      CT_ASSIGN_OR_RETURN(
          SqlRows r, c.Query(std::string("UPDATE jobs SET heartbeat_at = $3, "
                                         "lease_expires_at = $4 WHERE id = $1 AND "
                                         "lease_token = $2 AND ") +
                                 kLeased + " RETURNING cancel_requested",
                             {lease.job_id, lease.token, now, now + lease_ms}));
      if (r.rows.empty()) return FenceError(c, lease);
      reply.cancel_requested = ToInt(r.rows[0][0]) != 0;
      return Status::Ok();
    }));
    return reply;
  }

  Status ReportProgress(const Lease& lease, const JobProgress& progress) override {
    const UnixMillis now = clock_.NowMillis();
    return Run(Mode::kWrite, [&](SqlConnection& c) -> Status {
      // The event is written when the last one is at least a second old (in the same UPDATE,
      // so concurrent reports cannot both decide to log).
      CT_ASSIGN_OR_RETURN(
          SqlRows r,
          c.Query(std::string("UPDATE jobs SET progress_done = $3, progress_total = $4, "
                              "progress_message = $5, progress_event_at = CASE WHEN "
                              "progress_event_at IS NULL OR progress_event_at <= $6 THEN $7 "
                              "ELSE progress_event_at END WHERE id = $1 AND lease_token = $2 "
                              "AND ") +
                      kLeased + " RETURNING progress_event_at",
                  {lease.job_id, lease.token, progress.done, progress.total, progress.message,
                   now - kProgressEventEveryMs, now}));
      if (r.rows.empty()) return FenceError(c, lease);
      if (ToInt(r.rows[0][0]) != now) return Status::Ok();
      return AddEvent(c, lease.job_id, now, "progress",
                      json{{"done", progress.done},
                           {"total", progress.total},
                           {"message", progress.message}});
    });
  }

  Status Complete(const Lease& lease, std::string_view result_json) override {
    const UnixMillis now = clock_.NowMillis();
    const std::string update =
        std::string("UPDATE jobs SET state = 'succeeded', finished_at = $3, result = $4, "
                    "expires_at = $5, lease_expires_at = NULL WHERE id = $1 AND "
                    "lease_token = $2 AND ") +
        kLeased + " RETURNING id";
    // PostgreSQL: update and event in one autocommit statement (one round trip).
    const std::string sql =
        pg() ? "WITH done AS (" + update +
                   ") INSERT INTO job_events (job_id, at, kind, detail) SELECT id, $3, "
                   "'succeeded', '{}' FROM done RETURNING job_id"
             : update;
    return Run(pg() ? Mode::kSingleWrite : Mode::kWrite, [&](SqlConnection& c) -> Status {
      CT_ASSIGN_OR_RETURN(SqlRows r, c.Query(sql, {lease.job_id, lease.token, now,
                                                   std::string(result_json),
                                                   now + options_.retry.result_ttl_ms}));
      if (r.rows.empty()) return FenceError(c, lease);
      if (pg()) return Status::Ok();
      return AddEvent(c, lease.job_id, now, "succeeded", json::object());
    });
  }

  Status Fail(const Lease& lease, const JobFailure& failure) override {
    const UnixMillis now = clock_.NowMillis();
    bool requeued = false;
    CT_RETURN_IF_ERROR(Run(Mode::kWrite, [&](SqlConnection& c) -> Status {
      CT_ASSIGN_OR_RETURN(Job job, LoadForUpdate(c, lease.job_id));
      if (job.lease_token != lease.token || !(job.state == JobState::kRunning ||
                                              job.state == JobState::kCancelling))
        return StaleLease(lease);
      CT_ASSIGN_OR_RETURN(requeued, EndAttempt(c, std::move(job), failure, now));
      return Status::Ok();
    }));
    if (requeued) Wake();
    return Status::Ok();
  }

  Result<int> RescueExpired() override {
    const UnixMillis now = clock_.NowMillis();
    return CrashFailWhere(std::string("lease_expires_at < $1"), {now}, "lease expired", now);
  }

  Result<int> ReleaseWorker(std::string_view worker_id, std::string_view reason) override {
    const UnixMillis now = clock_.NowMillis();
    return CrashFailWhere("worker_id = $1", {std::string(worker_id)},
                          "worker released: " + std::string(reason), now);
  }

  Result<Job> Cancel(std::string_view id) override {
    const UnixMillis now = clock_.NowMillis();
    Job out;
    CT_RETURN_IF_ERROR(Run(Mode::kWrite, [&](SqlConnection& c) -> Status {
      CT_ASSIGN_OR_RETURN(Job job, LoadForUpdate(c, id));
      switch (job.state) {
        case JobState::kQueued:
        case JobState::kScheduled:
        case JobState::kRetrying:
          job.state = JobState::kCancelled;
          job.finished_at = now;
          CT_RETURN_IF_ERROR(Save(c, job, now + options_.retry.result_ttl_ms));
          CT_RETURN_IF_ERROR(AddEvent(c, job.id, now, "cancelled", json::object()));
          break;
        case JobState::kRunning:
          job.state = JobState::kCancelling;
          job.cancel_requested = true;
          CT_RETURN_IF_ERROR(Save(c, job, std::nullopt));
          CT_RETURN_IF_ERROR(AddEvent(c, job.id, now, "cancel_requested", json::object()));
          break;
        case JobState::kCancelling:
        case JobState::kCancelled:
          break;
        case JobState::kSucceeded:
        case JobState::kDead:
          return Status::FailedPrecondition("job " + job.id + " is " +
                                            std::string(JobStateName(job.state)) +
                                            ": nothing to cancel");
      }
      out = std::move(job);
      return Status::Ok();
    }));
    return out;
  }

  Result<Job> Retry(std::string_view id) override {
    const UnixMillis now = clock_.NowMillis();
    Job out;
    CT_RETURN_IF_ERROR(Run(Mode::kWrite, [&](SqlConnection& c) -> Status {
      CT_ASSIGN_OR_RETURN(Job job, LoadForUpdate(c, id));
      if (job.state != JobState::kDead && job.state != JobState::kCancelled)
        return Status::FailedPrecondition("only dead or cancelled jobs can be replayed; job " +
                                          job.id + " is " +
                                          std::string(JobStateName(job.state)));
      if (!job.unique_key.empty()) {
        CT_ASSIGN_OR_RETURN(SqlRows held,
                            c.Query(std::string("SELECT id FROM jobs WHERE unique_key = $1 AND ") +
                                        kActive,
                                    {job.unique_key}));
        if (!held.rows.empty())
          return Status::AlreadyExists("unique key '" + job.unique_key + "' is held by job " +
                                       Str(held.rows[0][0]));
      }
      job.state = JobState::kQueued;
      job.errors = 0;
      job.crashes = 0;
      job.run_at = now;
      job.finished_at.reset();
      job.lease_expires_at.reset();
      job.cancel_requested = false;
      CT_RETURN_IF_ERROR(Save(c, job, std::nullopt));
      CT_RETURN_IF_ERROR(AddEvent(c, job.id, now, "replayed", json::object()));
      out = std::move(job);
      return Notify(c);
    }));
    Wake();
    return out;
  }

  Result<Job> Get(std::string_view id) override {
    Job out;
    CT_RETURN_IF_ERROR(Run(Mode::kRead, [&](SqlConnection& c) -> Status {
      CT_ASSIGN_OR_RETURN(out, Load(c, id, false));
      return Status::Ok();
    }));
    return out;
  }

  Result<std::vector<JobEvent>> Events(std::string_view id) override {
    std::vector<JobEvent> out;
    CT_RETURN_IF_ERROR(Run(Mode::kRead, [&](SqlConnection& c) -> Status {
      CT_ASSIGN_OR_RETURN(SqlRows r, c.Query("SELECT id, job_id, at, kind, detail FROM job_events "
                                             "WHERE job_id = $1 ORDER BY id",
                                             {std::string(id)}));
      out = ToEvents(r);
      if (out.empty()) return Load(c, id, false).status();
      return Status::Ok();
    }));
    return out;
  }

  Result<std::pair<std::vector<JobEvent>, std::string>> EventsSince(std::string_view cursor,
                                                                    int limit) override {
    if (limit < 1) return Status::InvalidArgument("limit must be >= 1");
    if (!cursor.empty() && !IsDigits(cursor))
      return Status::InvalidArgument("malformed events cursor '" + std::string(cursor) + "'");
    std::pair<std::vector<JobEvent>, std::string> out;
    CT_RETURN_IF_ERROR(Run(Mode::kRead, [&](SqlConnection& c) -> Status {
      if (cursor.empty()) {
        CT_ASSIGN_OR_RETURN(SqlRows r,
                            c.Query("SELECT COALESCE(MAX(id), 0) FROM job_events", {}));
        out.second = Str(r.rows[0][0]);
        return Status::Ok();
      }
      const std::int64_t after = std::stoll(std::string(cursor));
      CT_ASSIGN_OR_RETURN(
          SqlRows r,
          c.Query(pg() ? "SELECT id, job_id, at, kind, detail, CAST(EXTRACT(EPOCH FROM "
                         "clock_timestamp() - inserted_at) * 1000 AS BIGINT) FROM job_events "
                         "WHERE id > $1 ORDER BY id LIMIT $2"
                       : "SELECT id, job_id, at, kind, detail FROM job_events "
                         "WHERE id > $1 ORDER BY id LIMIT $2",
                  {after, std::int64_t{limit}}));
      if (pg()) {
        // SQLite commits one writer at a time, so ids appear in order; PostgreSQL may show
        // N+1 before N commits. Stop at a gap while what follows it is young.
        std::int64_t expected = after + 1;
        for (std::size_t i = 0; i < r.rows.size(); ++i) {
          const std::int64_t id = ToInt(r.rows[i][0]);
          if (id != expected && ToInt(r.rows[i][5]) < options_.pg_feed_gap_wait_ms) {
            r.rows.resize(i);
            break;
          }
          expected = id + 1;
        }
      }
      out.first = ToEvents(r);
      out.second = out.first.empty() ? std::string(cursor) : out.first.back().cursor;
      return Status::Ok();
    }));
    return out;
  }

  Result<JobPage> List(const JobFilter& filter, std::string_view cursor, int limit) override {
    if (limit < 1 || limit > kMaxListLimit)
      return Status::InvalidArgument("limit must be between 1 and 1000");
    std::vector<SqlValue> params;
    std::string where = "1 = 1";
    if (!filter.states.empty()) {
      std::vector<std::string> names;
      for (JobState s : filter.states) names.emplace_back(JobStateName(s));
      where += " AND state IN (" + Placeholders(names, params) + ")";
    }
    if (!filter.type.empty()) {
      params.emplace_back(filter.type);
      where += " AND type = $" + std::to_string(params.size());
    }
    if (!cursor.empty()) {
      params.emplace_back(std::string(cursor));
      where += " AND id < $" + std::to_string(params.size());
    }
    params.emplace_back(std::int64_t{limit} + 1);
    const std::string sql = std::string("SELECT ") + kJobColumns + " FROM jobs WHERE " + where +
                            " ORDER BY id DESC LIMIT $" + std::to_string(params.size());
    JobPage page;
    CT_RETURN_IF_ERROR(Run(Mode::kRead, [&](SqlConnection& c) -> Status {
      CT_ASSIGN_OR_RETURN(SqlRows r, c.Query(sql, params));
      CT_ASSIGN_OR_RETURN(page.items, RowsToJobs(r));
      return Status::Ok();
    }));
    if (static_cast<int>(page.items.size()) > limit) {
      page.items.resize(limit);
      page.next_cursor = page.items.back().id;
    }
    return page;
  }

  Result<QueueCounts> Counts() override {
    const UnixMillis now = clock_.NowMillis();
    QueueCounts out;
    CT_RETURN_IF_ERROR(Run(Mode::kRead, [&](SqlConnection& c) -> Status {
      CT_ASSIGN_OR_RETURN(SqlRows by_state,
                          c.Query("SELECT state, COUNT(*) FROM jobs GROUP BY state", {}));
      out.by_state.clear();
      for (int s = 0; s < 8; ++s)
        out.by_state.emplace_back(std::string(JobStateName(static_cast<JobState>(s))), 0);
      for (const auto& row : by_state.rows)
        for (auto& [name, n] : out.by_state)
          if (name == Str(row[0])) n = ToInt(row[1]);
      CT_ASSIGN_OR_RETURN(SqlRows by_queue,
                          c.Query(std::string("SELECT queue, COUNT(*) FROM jobs WHERE ") +
                                      kActive + " GROUP BY queue ORDER BY queue",
                                  {}));
      out.by_queue.clear();
      for (const auto& row : by_queue.rows) out.by_queue.emplace_back(Str(row[0]), ToInt(row[1]));
      CT_ASSIGN_OR_RETURN(SqlRows oldest,
                          c.Query(std::string("SELECT MIN(run_at) FROM jobs WHERE ") + kRunnable +
                                      " AND run_at <= $1",
                                  {now}));
      out.oldest_queued_age_ms.reset();
      if (auto min_run_at = ToOptInt(oldest.rows[0][0])) out.oldest_queued_age_ms = now - *min_run_at;
      return Status::Ok();
    }));
    return out;
  }

  Result<int> Prune() override {
    const UnixMillis now = clock_.NowMillis();
    int pruned = 0;
    CT_RETURN_IF_ERROR(Run(Mode::kWrite, [&](SqlConnection& c) -> Status {
      const std::string expired = std::string("expires_at < $1 AND ") + kFinal;
      CT_RETURN_IF_ERROR(c.Query("DELETE FROM job_events WHERE job_id IN (SELECT id FROM jobs "
                                 "WHERE " + expired + ")",
                                 {now})
                             .status());
      CT_ASSIGN_OR_RETURN(SqlRows r, c.Query("DELETE FROM jobs WHERE " + expired, {now}));
      pruned = static_cast<int>(r.changes);
      return Status::Ok();
    }));
    return pruned;
  }

  Status ReportWorker(const WorkerInfo& w) override {
    std::string jobs;
    for (const auto& id : w.current_jobs) jobs += (jobs.empty() ? "" : ",") + id;
    return Run(Mode::kSingleWrite, [&](SqlConnection& c) {
      return c
          .Query("INSERT INTO workers (id, host, pid, concurrency, current_jobs, started_at, "
                 "heartbeat_at) VALUES ($1, $2, $3, $4, $5, $6, $7) ON CONFLICT (id) DO UPDATE "
                 "SET host = excluded.host, pid = excluded.pid, concurrency = "
                 "excluded.concurrency, current_jobs = excluded.current_jobs, started_at = "
                 "excluded.started_at, heartbeat_at = excluded.heartbeat_at",
                 {w.id, w.host, std::int64_t{w.pid}, std::int64_t{w.concurrency}, jobs,
                  w.started_at, w.heartbeat_at})
          .status();
    });
  }

  Result<std::vector<WorkerInfo>> Workers() override {
    const UnixMillis stale_before = clock_.NowMillis() - options_.worker_stale_ms;
    std::vector<WorkerInfo> out;
    CT_RETURN_IF_ERROR(Run(Mode::kWrite, [&](SqlConnection& c) -> Status {
      CT_RETURN_IF_ERROR(
          c.Query("DELETE FROM workers WHERE heartbeat_at < $1", {stale_before}).status());
      CT_ASSIGN_OR_RETURN(SqlRows r, c.Query("SELECT id, host, pid, concurrency, current_jobs, "
                                             "started_at, heartbeat_at FROM workers ORDER BY id",
                                             {}));
      out.clear();
      for (const auto& row : r.rows) {
        WorkerInfo w;
        w.id = Str(row[0]);
        w.host = Str(row[1]);
        w.pid = static_cast<int>(ToInt(row[2]));
        w.concurrency = static_cast<int>(ToInt(row[3]));
        std::stringstream jobs(Str(row[4]));
        for (std::string id; std::getline(jobs, id, ',');)
          if (!id.empty()) w.current_jobs.push_back(id);
        w.started_at = ToInt(row[5]);
        w.heartbeat_at = ToInt(row[6]);
        out.push_back(std::move(w));
      }
      return Status::Ok();
    }));
    return out;
  }

  Status RemoveWorker(std::string_view worker_id) override {
    return Run(Mode::kSingleWrite, [&](SqlConnection& c) {
      return c.Query("DELETE FROM workers WHERE id = $1", {std::string(worker_id)}).status();
    });
  }

  Status WaitForWork(std::int64_t timeout_ms) override {
    const auto deadline =
        std::chrono::steady_clock::now() + std::chrono::milliseconds(std::max<std::int64_t>(0, timeout_ms));
    const int poll_ms = pg() ? options_.pg_poll_interval_ms : options_.sqlite_poll_interval_ms;
    while (true) {
      std::uint64_t gen0;
      {
        std::lock_guard<std::mutex> lock(wake_mu_);
        gen0 = wake_gen_;
      }
      CT_ASSIGN_OR_RETURN(bool work, PollForWork());
      if (work) return Status::Ok();
      const auto remaining = std::chrono::duration_cast<std::chrono::milliseconds>(
          deadline - std::chrono::steady_clock::now());
      if (remaining.count() <= 0) return Status::Ok();
      const auto slice = std::min<std::int64_t>(remaining.count(), poll_ms);
      if (listener_) {
        std::unique_lock<std::mutex> hold(listener_mu_, std::try_to_lock);
        if (hold.owns_lock()) {
          auto outcome = listener_->Wait(static_cast<int>(slice));
          if (outcome == queue_sql::PgListener::Outcome::kNotified) {
            Wake();  // other waiters of this process share the news
            return Status::Ok();
          }
          if (outcome == queue_sql::PgListener::Outcome::kTimeout) continue;
        }
      }
      std::unique_lock<std::mutex> lock(wake_mu_);
      if (wake_cv_.wait_for(lock, std::chrono::milliseconds(slice),
                            [&] { return wake_gen_ != gen0; }))
        return Status::Ok();
    }
  }

  Result<bool> AcquireLeadership(std::string_view name, std::string_view holder,
                                 std::int64_t ttl_ms) override {
    if (ttl_ms < 1) return Status::InvalidArgument("ttl_ms must be >= 1");
    const UnixMillis now = clock_.NowMillis();
    bool held = false;
    CT_RETURN_IF_ERROR(Run(Mode::kSingleWrite, [&](SqlConnection& c) -> Status {
      CT_ASSIGN_OR_RETURN(
          SqlRows r,
          c.Query("INSERT INTO leader_leases (name, holder, expires_at) VALUES ($1, $2, $3) "
                  "ON CONFLICT (name) DO UPDATE SET holder = excluded.holder, expires_at = "
                  "excluded.expires_at WHERE leader_leases.holder = excluded.holder OR "
                  "leader_leases.expires_at <= $4 RETURNING holder",
                  {std::string(name), std::string(holder), now + ttl_ms, now}));
      held = !r.rows.empty();
      return Status::Ok();
    }));
    return held;
  }

  Status ReleaseLeadership(std::string_view name, std::string_view holder) override {
    return Run(Mode::kSingleWrite, [&](SqlConnection& c) {
      return c
          .Query("DELETE FROM leader_leases WHERE name = $1 AND holder = $2",
                 {std::string(name), std::string(holder)})
          .status();
    });
  }

  Result<bool> RecordFiring(std::string_view schedule, UnixMillis fire_time,
                            std::int64_t keep_ms) override {
    const UnixMillis now = clock_.NowMillis();
    bool first = false;
    CT_RETURN_IF_ERROR(Run(Mode::kWrite, [&](SqlConnection& c) -> Status {
      CT_RETURN_IF_ERROR(
          c.Query("DELETE FROM schedule_firings WHERE expires_at < $1", {now}).status());
      CT_ASSIGN_OR_RETURN(
          SqlRows r, c.Query("INSERT INTO schedule_firings (schedule, fire_time, expires_at) "
                             "VALUES ($1, $2, $3) ON CONFLICT DO NOTHING RETURNING schedule",
                             {std::string(schedule), fire_time,
                              std::max(now, fire_time) + std::max<std::int64_t>(keep_ms, 0)}));
      first = !r.rows.empty();
      return Status::Ok();
    }));
    return first;
  }

 private:
  // kRead: no transaction; retried once on a fresh connection when the pooled one died.
  // kWrite: a transaction (SQLite: BEGIN IMMEDIATE under the in-process writer mutex).
  // kSingleWrite: one statement; a transaction on SQLite (for the mutex), autocommit on
  // PostgreSQL (saves two round trips).
  enum class Mode { kRead, kWrite, kSingleWrite };

  bool pg() const { return dialect_ == Dialect::kPostgres; }

  Status Run(Mode mode, const std::function<Status(SqlConnection&)>& body) {
    const bool txn = mode == Mode::kWrite || (mode == Mode::kSingleWrite && !pg());
    for (int attempt = 0;; ++attempt) {
      CT_ASSIGN_OR_RETURN(auto conn, pool_.Acquire());
      std::unique_lock<std::mutex> writer;
      if (txn) {
        if (!pg()) writer = std::unique_lock<std::mutex>(sqlite_writer_mu_);
        Status s = conn->Exec(pg() ? "BEGIN" : "BEGIN IMMEDIATE");
        if (!s.ok()) {
          // Nothing ran yet: a connection that died with its server is replaced, once.
          if (pg() && s.code() == StatusCode::kUnavailable) {
            conn.Discard();
            if (attempt == 0) continue;
          }
          return s;
        }
      }
      Status s = body(*conn);
      if (!s.ok()) {
        if (txn) {
          if (!conn->Exec("ROLLBACK").ok()) conn.Discard();
        } else if (pg() && s.code() == StatusCode::kUnavailable) {
          conn.Discard();
          if (attempt == 0 && mode == Mode::kRead) continue;
        }
        return s;
      }
      if (txn) {
        s = conn->Exec("COMMIT");
        if (!s.ok() && !conn->Exec("ROLLBACK").ok()) conn.Discard();
      }
      return s;
    }
  }

  void Wake() {
    {
      std::lock_guard<std::mutex> lock(wake_mu_);
      ++wake_gen_;
    }
    wake_cv_.notify_all();
  }

  Status Notify(SqlConnection& c) {
    if (!pg()) return Status::Ok();
    return c.Query(std::string("SELECT pg_notify('") + kChannel + "', '')", {}).status();
  }

  // True when work may have appeared since the last poll of this handle: an enqueue, rescue or
  // replay in the event log, or a scheduled/retrying job whose run_at has since come.
  Result<bool> PollForWork() {
    std::lock_guard<std::mutex> lock(poll_mu_);
    const UnixMillis now = clock_.NowMillis();
    bool work = false;
    CT_RETURN_IF_ERROR(Run(Mode::kRead, [&](SqlConnection& c) -> Status {
      CT_ASSIGN_OR_RETURN(
          SqlRows ev, c.Query("SELECT MAX(id), MAX(CASE WHEN kind IN ('enqueued', 'rescued', "
                              "'replayed') THEN id END) FROM job_events WHERE id > $1",
                              {last_event_id_}));
      if (auto max_id = ToOptInt(ev.rows[0][0])) last_event_id_ = *max_id;
      if (ToOptInt(ev.rows[0][1])) work = true;
      if (now > last_due_check_ms_) {
        CT_ASSIGN_OR_RETURN(
            SqlRows due, c.Query("SELECT COUNT(*) FROM (SELECT 1 FROM jobs WHERE state IN "
                                 "('scheduled', 'retrying') AND run_at > $1 AND run_at <= $2 "
                                 "LIMIT 1) due",
                                 {last_due_check_ms_, now}));
        if (ToInt(due.rows[0][0]) > 0) work = true;
        last_due_check_ms_ = now;
      }
      return Status::Ok();
    }));
    return work;
  }

  Result<Job> Load(SqlConnection& c, std::string_view id, bool for_update) {
    CT_ASSIGN_OR_RETURN(SqlRows r, c.Query(std::string("SELECT ") + kJobColumns +
                                               " FROM jobs WHERE id = $1" +
                                               (for_update && pg() ? " FOR UPDATE" : ""),
                                           {std::string(id)}));
    if (r.rows.empty()) return Status::NotFound("job " + std::string(id) + " not found");
    return RowToJob(r.rows[0]);
  }
  Result<Job> LoadForUpdate(SqlConnection& c, std::string_view id) { return Load(c, id, true); }

  static Status StaleLease(const Lease& lease) {
    return Status::Aborted("stale lease on job " + lease.job_id + " (token " +
                           std::to_string(lease.token) + ")");
  }

  // A fenced write matched nothing: an unknown job, or a lease that is no longer current.
  Status FenceError(SqlConnection& c, const Lease& lease) {
    CT_ASSIGN_OR_RETURN(SqlRows r,
                        c.Query("SELECT 1 FROM jobs WHERE id = $1", {lease.job_id}));
    if (r.rows.empty()) return Status::NotFound("job " + lease.job_id + " not found");
    return StaleLease(lease);
  }

  // Writes every mutable column of `job`.
  Status Save(SqlConnection& c, const Job& job, std::optional<UnixMillis> expires_at) {
    return c
        .Query("UPDATE jobs SET state = $2, attempts = $3, errors = $4, crashes = $5, "
               "run_at = $6, started_at = $7, finished_at = $8, heartbeat_at = $9, "
               "lease_expires_at = $10, worker_id = $11, lease_token = $12, last_error = $13, "
               "last_failure = $14, exit_signal = $15, cancel_requested = $16, "
               "expires_at = $17 WHERE id = $1",
               {job.id, std::string(JobStateName(job.state)), std::int64_t{job.attempts},
                std::int64_t{job.errors}, std::int64_t{job.crashes}, job.run_at,
                Opt(job.started_at), Opt(job.finished_at), Opt(job.heartbeat_at),
                Opt(job.lease_expires_at), job.worker_id, job.lease_token, job.last_error,
                job.last_failure ? SqlValue(std::string(FailureKindName(*job.last_failure)))
                                 : SqlValue(nullptr),
                job.exit_signal ? SqlValue(std::int64_t{*job.exit_signal}) : SqlValue(nullptr),
                std::int64_t{job.cancel_requested ? 1 : 0}, Opt(expires_at)})
        .status();
  }

  Status AddEvent(SqlConnection& c, const std::string& job_id, UnixMillis at,
                  std::string_view kind, const json& detail) {
    return c
        .Query("INSERT INTO job_events (job_id, at, kind, detail) VALUES ($1, $2, $3, $4)",
               {job_id, at, std::string(kind), detail.dump()})
        .status();
  }

  static std::vector<JobEvent> ToEvents(const SqlRows& r) {
    std::vector<JobEvent> out;
    out.reserve(r.rows.size());
    for (const auto& row : r.rows) {
      JobEvent e;
      e.cursor = Str(row[0]);
      e.job_id = Str(row[1]);
      e.at = ToInt(row[2]);
      e.kind = Str(row[3]);
      e.detail_json = Str(row[4]);
      out.push_back(std::move(e));
    }
    return out;
  }

  double Uniform01() {
    if (options_.uniform01) return options_.uniform01();
    std::lock_guard<std::mutex> lock(rng_mu_);
    return std::uniform_real_distribution<double>(0.0, 1.0)(rng_);
  }

  // Ends a leased attempt of `job` (loaded under lock) per JobQueue::Fail. True when the job is
  // runnable again at once (a wake-up is due).
  Result<bool> EndAttempt(SqlConnection& c, Job job, const JobFailure& failure, UnixMillis now) {
    job.last_error = failure.message;
    job.last_failure = failure.kind;
    job.exit_signal = failure.exit_signal;
    job.lease_expires_at.reset();
    std::string kind;
    json detail = {{"error", failure.message}, {"failure", FailureKindName(failure.kind)}};
    if (failure.exit_signal) detail["exit_signal"] = *failure.exit_signal;
    bool requeued = false;
    if (job.state == JobState::kCancelling || failure.kind == FailureKind::kCancelled) {
      job.state = JobState::kCancelled;
      kind = "cancelled";
    } else if (failure.kind == FailureKind::kCrash) {
      ++job.crashes;
      detail["crashes"] = job.crashes;
      if (job.crashes < job.max_crashes) {
        job.state = JobState::kQueued;
        job.run_at = now;
        kind = "rescued";
        requeued = true;
      } else {
        job.state = JobState::kDead;
        kind = "dead";
      }
    } else {
      ++job.errors;
      detail["errors"] = job.errors;
      if (failure.kind == FailureKind::kTransient && job.errors < job.max_attempts) {
        job.state = JobState::kRetrying;
        job.run_at = now + BackoffMs(options_.retry, job.errors, failure.retry_after_ms,
                                     [this] { return Uniform01(); });
        detail["run_at"] = job.run_at;
        kind = "retried";
      } else {
        job.state = JobState::kDead;
        kind = "dead";
      }
    }
    std::optional<UnixMillis> expires_at;
    if (IsFinal(job.state)) {
      job.finished_at = now;
      expires_at = now + options_.retry.result_ttl_ms;
    }
    CT_RETURN_IF_ERROR(Save(c, job, expires_at));
    CT_RETURN_IF_ERROR(AddEvent(c, job.id, now, kind, detail));
    if (requeued) CT_RETURN_IF_ERROR(Notify(c));
    return requeued;
  }

  // Crash-fails every leased job matching `condition` (parameters from $1), in batches.
  Result<int> CrashFailWhere(const std::string& condition, const std::vector<SqlValue>& params,
                             const std::string& reason, UnixMillis now) {
    int total = 0;
    bool requeued_any = false;
    while (true) {
      int batch = 0;
      CT_RETURN_IF_ERROR(Run(Mode::kWrite, [&](SqlConnection& c) -> Status {
        batch = 0;
        CT_ASSIGN_OR_RETURN(
            SqlRows r, c.Query(std::string("SELECT ") + kJobColumns + " FROM jobs WHERE " +
                                   kLeased + " AND " + condition + " ORDER BY id LIMIT " +
                                   std::to_string(kRescueBatch) +
                                   (pg() ? " FOR UPDATE SKIP LOCKED" : ""),
                               params));
        CT_ASSIGN_OR_RETURN(std::vector<Job> jobs, RowsToJobs(r));
        JobFailure crash;
        crash.kind = FailureKind::kCrash;
        crash.message = reason;
        for (Job& j : jobs) {
          CT_ASSIGN_OR_RETURN(bool requeued, EndAttempt(c, std::move(j), crash, now));
          requeued_any = requeued_any || requeued;
          ++batch;
        }
        return Status::Ok();
      }));
      total += batch;
      if (batch < kRescueBatch) break;
    }
    if (requeued_any) Wake();
    return total;
  }

  const Dialect dialect_;
  ConnectionPool pool_;
  const QueueSqlOptions options_;
  const Clock& clock_;

  std::mutex sqlite_writer_mu_;  // one in-process writer at a time: no busy-wait sleeps

  std::unique_ptr<queue_sql::PgListener> listener_;  // PostgreSQL only
  std::mutex listener_mu_;                            // one waiter reads the socket

  std::mutex wake_mu_;  // in-process wake-ups (enqueues made through this handle)
  std::condition_variable wake_cv_;
  std::uint64_t wake_gen_ = 0;

  std::mutex poll_mu_;  // guards what PollForWork has already seen
  std::int64_t last_event_id_ = 0;
  UnixMillis last_due_check_ms_ = 0;

  std::mutex rng_mu_;
  std::mt19937_64 rng_;
};

}  // namespace

Result<std::unique_ptr<JobQueue>> OpenSqlJobQueue(const std::string& database_url,
                                                  const QueueSqlOptions& options,
                                                  const Clock& clock) {
  std::unique_ptr<SqlJobQueue> queue;
  if (database_url.starts_with("sqlite:")) {
    std::string path = database_url.substr(7);
    if (path.starts_with("//")) path = path.substr(2);
    if (path.empty()) return Status::InvalidArgument("sqlite URL without a path");
    const int busy = options.busy_timeout_ms;
    queue = std::make_unique<SqlJobQueue>(
        Dialect::kSqlite, [path, busy] { return queue_sql::OpenSqliteConnection(path, busy); },
        options, clock, nullptr);
  } else if (database_url.starts_with("postgresql://") ||
             database_url.starts_with("postgres://")) {
    const int stmt = options.statement_timeout_ms;
    const int connect = options.connect_timeout_s;
    auto listener =
        std::make_unique<queue_sql::PgListener>(database_url, kChannel, connect);
    if (!listener->EnsureListening())
      return Status::Unavailable("cannot LISTEN on " + database_url);
    queue = std::make_unique<SqlJobQueue>(
        Dialect::kPostgres,
        [database_url, stmt, connect] {
          return queue_sql::OpenPostgresConnection(database_url, stmt, connect);
        },
        options, clock, std::move(listener));
  } else {
    return Status::InvalidArgument("unsupported queue database URL '" + database_url +
                                   "' (sqlite:PATH or postgresql://...)");
  }
  CT_RETURN_IF_ERROR(queue->Init().WithContext("opening SQL job queue"));
  return std::unique_ptr<JobQueue>(std::move(queue));
}

}  // namespace ct
