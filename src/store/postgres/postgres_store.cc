#include "store/postgres/postgres_store.h"

#include <algorithm>
#include <cstdint>
#include <cstdio>
#include <map>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "core/clock.h"
#include "core/config.h"
#include "core/time_format.h"
#include "domain/post_normalize.h"
#include "store/postgres/pg_connection.h"
#include "store/postgres/pg_migrations.h"
#include "store/postgres/pg_pool.h"
#include "store/postgres/pg_post_filter.h"
#include "store/postgres/pg_post_row.h"
#include "store/postgres/pg_transaction.h"
#include "store/postgres/upsert_plan.h"
#include "store/stats_cache.h"

namespace ct {
namespace {

using pg::PgConnection;
using pg::PgParams;
using pg::PgResult;
using pg::PgTransaction;

// Serialises upserts across processes ("ctupsrt").
constexpr std::int64_t kUpsertLockKey = 0x6374'7570'7372'74;

// Rows a text search walks in sort order before it turns to the GIN index (ListPosts).
constexpr int kTextWalkRows = 4000;

// Per-connection staging table for the rows an upsert batch changes.
constexpr char kBeginUpsert[] =
    "CREATE TEMP TABLE IF NOT EXISTS ct_post_updates ("
    "id bigint, url text, title text, content text, author text, collected_at bigint, "
    "language text, sentiment_score double precision, sentiment_label text, "
    "is_complaint boolean, complaint_score double precision, product text, country text, "
    "relevance_score double precision, rating double precision, likes bigint, score bigint, "
    "comments bigint, evidence json, metadata json, content_hash text) ON COMMIT DELETE ROWS";

Status ValidatePost(const Post& p, std::size_t index) {
  const std::string where = "post " + std::to_string(index) + " of the batch";
  if (p.source.empty()) return Status::InvalidArgument(where + ": source is required");
  if (p.external_id.empty()) {
    return Status::InvalidArgument(where + " (source '" + p.source + "'): external_id is required");
  }
  if (p.evidence_json.empty() || p.metadata_json.empty()) {
    return Status::InvalidArgument(where + " (" + p.source + "/" + p.external_id +
                                   "): evidence_json and metadata_json must be JSON objects");
  }
  return Status::Ok();
}

ApiToken TokenFromRow(const PgResult& r, int row) {
  ApiToken t;
  t.id = r.Int(row, 0);
  t.name = r.Text(row, 1);
  auto role = ParseRole(r.Text(row, 2));
  t.role = role.ok() ? *role : Role::kViewer;  // the CHECK constraint allows only valid roles
  t.secret_hash = r.Text(row, 3);
  t.created_at = r.Int(row, 4);
  t.revoked_at = r.OptInt(row, 5);
  return t;
}

constexpr char kTokenColumns[] = "id, name, role, secret_hash, created_at, revoked_at";

// "YYYY-MM-DD" of the first day of the bucket holding `day` (days since 1970-01-01, UTC).
std::string BucketStart(std::int64_t day, StatsBucket bucket) {
  int y = 0;
  unsigned m = 0, d = 0;
  switch (bucket) {
    case StatsBucket::kDay:
      break;
    case StatsBucket::kWeek:
      // 1970-01-01 was a Thursday: (day + 3) mod 7 counts days since Monday.
      day -= ((day + 3) % 7 + 7) % 7;
      break;
    case StatsBucket::kMonth:
      CivilFromDays(day, y, m, d);
      day = DaysFromCivil(y, m, 1);
      break;
  }
  CivilFromDays(day, y, m, d);
  char buf[16];
  std::snprintf(buf, sizeof buf, "%04d-%02u-%02u", y, m, d);
  return buf;
}

void SortBreakdown(std::vector<CountByKey>& v) {
  std::sort(v.begin(), v.end(), [](const CountByKey& a, const CountByKey& b) {
    if (a.count != b.count) return a.count > b.count;
    return a.key < b.key;  // byte order
  });
}

constexpr std::int64_t kSecondsPerDay = 86400;

// UTC day of created_at (floor division, also before 1970), as post_rollup.day. Days fold into
// weeks or months in C++, which is cheaper than formatting a date per row.
constexpr char kDaySql[] =
    "created_at / 86400 - CASE WHEN created_at % 86400 < 0 THEN 1 ELSE 0 END";

std::int64_t FloorDiv(std::int64_t a, std::int64_t b) { return a / b - (a % b < 0 ? 1 : 0); }

// The rows Stats aggregates for a filter without q, with the columns of post_rollup: the whole
// UTC days inside [since, until) from post_rollup, and the partial days at either end (sub-day
// bounds) from the posts, so reading at most two days of posts. One statement: one snapshot.
std::string RollupWithEdges(const PostFilter& f, PgParams& params) {
  const std::string dims = pg::DimensionConditions(f, params);
  auto where = [&](const std::string& time) {
    std::string w = dims;
    if (!w.empty() && !time.empty()) w += " AND ";
    w += time;
    return w.empty() ? w : " WHERE " + w;
  };
  auto range = [&](const char* column, std::optional<std::int64_t> from,
                   std::optional<std::int64_t> to) {
    std::string time;
    if (from) time = std::string(column) + " >= " + params.Placeholder(*from) + "::bigint";
    if (to) {
      if (!time.empty()) time += " AND ";
      time += std::string(column) + " < " + params.Placeholder(*to) + "::bigint";
    }
    return time;
  };
  std::vector<std::string> parts;
  auto posts_between = [&](std::optional<std::int64_t> from, std::optional<std::int64_t> to) {
    parts.push_back("SELECT " + std::string(kDaySql) +
                    " AS day, source, sentiment_label, product, language, country, "
                    "is_complaint, answered, 1 AS n FROM posts" +
                    where(range("created_at", from, to)));
  };
  // Whole days: [first_day, end_day).
  std::optional<std::int64_t> first_day, end_day;
  if (f.since) first_day = -FloorDiv(-*f.since, kSecondsPerDay);  // ceiling
  if (f.until) end_day = FloorDiv(*f.until, kSecondsPerDay);
  if (first_day && end_day && *first_day >= *end_day) {
    posts_between(f.since, f.until);  // no whole day in between
  } else {
    parts.push_back(
        "SELECT day, source, sentiment_label, product, language, country, is_complaint, "
        "answered, n FROM post_rollup" +
        where(range("day", first_day, end_day)));
    if (f.since && *f.since != *first_day * kSecondsPerDay) {
      posts_between(f.since, *first_day * kSecondsPerDay);
    }
    if (f.until && *f.until != *end_day * kSecondsPerDay) {
      posts_between(*end_day * kSecondsPerDay, f.until);
    }
  }
  std::string sql;
  for (const std::string& part : parts) {
    if (!sql.empty()) sql += " UNION ALL ";
    sql += part;
  }
  return sql;
}

// One aggregate with grouping sets, so every figure comes from the same snapshot and the rows
// are read once. `count` counts the posts of a row of `from` ("count(*)" over posts, "sum(n)"
// over rows shaped like post_rollup's); `from` is a FROM item with post_rollup's columns.
std::string StatsSql(const std::string& count, const std::string& from) {
  auto count_where = [&](const char* condition) {
    return "COALESCE(" + count + " FILTER (WHERE " + condition + "), 0)";
  };
  return "SELECT GROUPING(day, source, sentiment_label, product, language, country), day, "
         "source, sentiment_label, product, language, country, COALESCE(" + count + ", 0), " +
         count_where("is_complaint") + ", " + count_where("sentiment_label = 'negative'") + ", " +
         count_where("answered") + ", " + count_where("is_complaint AND NOT answered") + ", " +
         count_where("sentiment_label = 'positive'") + ", " +
         count_where("sentiment_label = 'neutral'") + " FROM " + from +
         " GROUP BY GROUPING SETS ((), (day), (source), (sentiment_label), (product), "
         "(language), (country))";
}

class PostgresStore final : public Store {
 public:
  PostgresStore(const std::string& url, const StoreConfig& cfg, const Clock& clock,
                const PostgresStoreOptions& options)
      : clock_(clock),
        options_(options),
        pool_(url, cfg.pool_size, cfg.busy_timeout_ms, cfg.busy_timeout_ms),
        stats_cache_(static_cast<std::size_t>(std::max(0, options.stats_cache_entries))) {}

  std::string_view backend() const override { return "postgresql"; }

  Status Migrate() override {
    CT_ASSIGN_OR_RETURN(std::vector<pg::Migration> migrations, pg::EmbeddedMigrations());
    return pool_.Run([&](PgConnection& conn) {
      return pg::ApplyMigrations(conn, migrations, clock_);
    });
  }

  Status Ping() override {
    return pool_.Run([](PgConnection& conn) { return conn.Exec("SELECT 1").status(); });
  }

  Result<UpsertSummary> UpsertPosts(std::span<const Post> posts) override {
    CT_ASSIGN_OR_RETURN(std::vector<Post> batch, PrepareBatch(posts));
    if (batch.empty()) return UpsertSummary{};
    UpsertSummary summary;
    CT_RETURN_IF_ERROR(pool_.Run([&](PgConnection& conn) -> Status {
      CT_ASSIGN_OR_RETURN(PgTransaction tx, PgTransaction::Begin(conn));
      CT_RETURN_IF_ERROR(BeginUpsert(conn));
      CT_ASSIGN_OR_RETURN(summary, UpsertBatch(conn, batch));
      return tx.Commit();
    }));
    return summary;
  }

  // One transaction on one connection, batch after batch; the same statements as UpsertPosts
  // (COPY is already the bulk path here, and the rollup's statement triggers run per batch).
  Result<UpsertSummary> BulkUpsertPosts(const PostBatchSource& next) override {
    UpsertSummary summary;
    CT_RETURN_IF_ERROR(pool_.Run([&](PgConnection& conn) -> Status {
      summary = UpsertSummary{};
      CT_ASSIGN_OR_RETURN(PgTransaction tx, PgTransaction::Begin(conn));
      CT_RETURN_IF_ERROR(BeginUpsert(conn));
      for (;;) {
        CT_ASSIGN_OR_RETURN(std::vector<Post> posts, next());
        if (posts.empty()) break;
        CT_ASSIGN_OR_RETURN(std::vector<Post> batch, PrepareBatch(posts));
        CT_ASSIGN_OR_RETURN(UpsertSummary s, UpsertBatch(conn, batch));
        summary += s;
      }
      return tx.Commit();
    }));
    return summary;
  }

  Result<Post> GetPost(std::int64_t id) override {
    std::optional<Post> post;
    CT_RETURN_IF_ERROR(pool_.Run([&](PgConnection& conn) -> Status {
      PgParams params;
      params.Add(id);
      CT_ASSIGN_OR_RETURN(
          PgResult r,
          conn.Exec(std::string("SELECT ") + pg::kPostColumns + " FROM posts WHERE id = $1",
                    params));
      if (r.rows() > 0) post = pg::PostFromRow(r, 0);
      return Status::Ok();
    }));
    if (!post) return Status::NotFound("no post with id " + std::to_string(id));
    return std::move(*post);
  }

  Result<PostPage> ListPosts(const PostPageRequest& request) override {
    if (request.limit < 1 || request.limit > kMaxPageSize) {
      return Status::InvalidArgument("limit must be between 1 and " +
                                     std::to_string(kMaxPageSize));
    }
    if (request.after && request.after->sort != request.sort) {
      return Status::InvalidArgument("cursor was made for another sort");
    }
    // q is matched apart (below); every other condition selects the rows in sort order.
    PostFilter without_q = request.filter;
    without_q.q.clear();
    PgParams params;
    std::string where = pg::PostWhere(without_q, params);
    const char* glue = where.empty() ? " WHERE " : " AND ";
    std::string order;
    switch (request.sort) {
      case PostSort::kNewest:
        if (request.after) {
          where += glue;
          where += "(created_at, id) < (" + params.Placeholder(request.after->created_at) +
                   "::bigint, " + params.Placeholder(request.after->id) + "::bigint)";
        }
        order = " ORDER BY created_at DESC, id DESC";
        break;
      case PostSort::kOldest:
        if (request.after) {
          where += glue;
          where += "(created_at, id) > (" + params.Placeholder(request.after->created_at) +
                   "::bigint, " + params.Placeholder(request.after->id) + "::bigint)";
        }
        order = " ORDER BY created_at ASC, id ASC";
        break;
      case PostSort::kRelevance:
        if (request.after) {
          where += glue;
          where += "(relevance_score, id) < (" + params.Placeholder(request.after->relevance) +
                   "::double precision, " + params.Placeholder(request.after->id) + "::bigint)";
        }
        order = " ORDER BY relevance_score DESC, id DESC";
        break;
    }
    // One row more than asked tells whether another page follows.
    const std::string limit = " LIMIT " + std::to_string(request.limit + 1);
    std::vector<std::string> attempts;
    if (request.filter.q.empty()) {
      attempts.push_back(std::string("SELECT ") + pg::kPostColumns + " FROM posts" + where + order +
                         limit);
    } else {
      // How many posts hold the words decides the plan, and the planner cannot tell for words
      // outside its short list of most common ones (it guesses 0.5%, and would walk a million
      // rows in order for a word found once). So: first the newest kTextWalkRows rows in order
      // (a common word fills the page within a few); when they hold no full page and more rows
      // follow, the words are rare: the GIN index finds every match and they are sorted.
      const std::string match =
          "search @@ ct_search_query(" + params.Placeholder(request.filter.q) + "::text)";
      const std::string walk = std::to_string(kTextWalkRows);
      // The walk carries narrow rows (row_number() keeps what it numbers); only the matches
      // are read in full.
      attempts.push_back(std::string("SELECT ") + pg::kPostColumns +
                         ", hit, rn FROM (SELECT p.*, h.hit, h.rn FROM (SELECT id, hit, rn FROM "
                         "(SELECT id, created_at, relevance_score, hit, row_number() OVER (" +
                         order.substr(1) +
                         ") AS rn FROM (SELECT id, created_at, relevance_score, " + match +
                         " AS hit FROM posts" + where + order + " LIMIT " + walk +
                         ") w) x WHERE hit OR rn = " + walk + order + limit +
                         ") h JOIN posts p ON p.id = h.id) j ORDER BY rn");
      // OFFSET 0 keeps the sort order from reaching the scan, so it is not walked in order.
      attempts.push_back(std::string("SELECT ") + pg::kPostColumns + " FROM (SELECT * FROM posts" +
                         where + glue + match + " OFFSET 0) m" + order + limit);
    }
    PostPage page;
    CT_RETURN_IF_ERROR(pool_.Run([&](PgConnection& conn) -> Status {
      page.items.clear();
      page.next.reset();
      int rows = 0;
      for (size_t i = 0; i < attempts.size(); ++i) {
        CT_ASSIGN_OR_RETURN(PgResult r, conn.Exec(attempts[i], params));
        page.items.clear();
        rows = 0;
        bool walked_all = false;  // the bounded walk reached its last row
        const bool bounded = i + 1 < attempts.size();
        for (int row = 0; row < r.rows(); ++row) {
          if (bounded) {
            if (r.Int(row, 30) == kTextWalkRows) walked_all = true;
            if (!r.Bool(row, 29)) continue;
          }
          ++rows;
          if (static_cast<int>(page.items.size()) < request.limit) {
            page.items.push_back(pg::PostFromRow(r, row));
          }
        }
        // Done unless the bounded walk ended short of a full page with rows left unread.
        if (!bounded || rows > request.limit || !walked_all) break;
      }
      if (rows > request.limit) page.next = CursorAfter(page.items.back(), request.sort);
      return Status::Ok();
    }));
    return page;
  }

  Result<PostStats> Stats(const PostFilter& filter, StatsBucket bucket) override {
    PgParams params;
    std::string sql;
    if (options_.stats_from_rollup && filter.q.empty()) {
      sql = StatsSql("sum(n)", "(" + RollupWithEdges(filter, params) + ") f");
    } else {
      // One scan of the posts.
      sql = StatsSql("count(*)", "(SELECT " + std::string(kDaySql) +
                                     " AS day, source, sentiment_label, product, language, "
                                     "country, is_complaint, answered FROM posts" +
                                     pg::PostWhere(filter, params) + ") f");
    }
    // One REPEATABLE READ snapshot for the data version and the aggregate, so a cached result
    // is exactly what a fresh computation at that version gives (migrations/0006).
    StatsCache::Value cached;
    CT_RETURN_IF_ERROR(pool_.Run([&](PgConnection& conn) -> Status {
      CT_ASSIGN_OR_RETURN(
          pg::PgTransaction tx,
          pg::PgTransaction::Begin(conn, "BEGIN ISOLATION LEVEL REPEATABLE READ READ ONLY"));
      CT_ASSIGN_OR_RETURN(PgResult v, conn.Exec("SELECT version FROM post_data_version"));
      const std::int64_t version = v.rows() > 0 ? v.Int(0, 0) : 0;
      CT_ASSIGN_OR_RETURN(cached,
                          stats_cache_.GetOrCompute(StatsCacheKey(filter, bucket), version, [&]() {
                            return ComputeStats(conn, sql, params, bucket);
                          }));
      return tx.Commit();
    }));
    return *cached;
  }

 private:
  static Result<PostStats> ComputeStats(PgConnection& conn, const std::string& sql,
                                        const PgParams& params, StatsBucket bucket) {
    PostStats stats;
    {
      CT_ASSIGN_OR_RETURN(PgResult r, conn.Exec(sql, params));
      std::map<std::string, TimelinePoint> timeline;
      for (int i = 0; i < r.rows(); ++i) {
        const std::int64_t count = r.Int(i, 7);
        // GROUPING(): bit k (from the left of its 6 arguments) is set when that column is
        // aggregated away, so exactly one clear bit names the grouped column.
        switch (r.Int(i, 0)) {
          case 0b111111:
            stats.total = count;
            stats.complaints = r.Int(i, 8);
            stats.negative = r.Int(i, 9);
            stats.answered = r.Int(i, 10);
            stats.unanswered_complaints = r.Int(i, 11);
            break;
          case 0b011111: {
            TimelinePoint& p = timeline[BucketStart(r.Int(i, 1), bucket)];
            p.total += count;
            p.positive += r.Int(i, 12);
            p.neutral += r.Int(i, 13);
            p.negative += r.Int(i, 9);
            p.complaints += r.Int(i, 8);
            break;
          }
          case 0b101111:
            stats.by_source.push_back({std::string(r.Text(i, 2)), count});
            break;
          case 0b110111:
            stats.by_sentiment.push_back({std::string(r.Text(i, 3)), count});
            break;
          case 0b111011:
            stats.by_product.push_back({std::string(r.Text(i, 4)), count});
            break;
          case 0b111101:
            stats.by_language.push_back({std::string(r.Text(i, 5)), count});
            break;
          case 0b111110:
            stats.by_country.push_back({std::string(r.Text(i, 6)), count});
            break;
        }
      }
      for (auto& [period, point] : timeline) {  // std::map: ascending by period
        point.period = period;
        stats.timeline.push_back(std::move(point));
      }
    }
    for (auto* v : {&stats.by_source, &stats.by_sentiment, &stats.by_product, &stats.by_language,
                    &stats.by_country}) {
      SortBreakdown(*v);
    }
    return stats;
  }

 public:
  Result<Post> UpdateTriage(std::int64_t id, const TriagePatch& patch) override {
    PgParams params;
    std::string set;
    if (patch.answered) {
      if (*patch.answered) {
        set += "answered = true, answered_at = " +
               params.Placeholder(static_cast<std::int64_t>(patch.now)) +
               "::bigint, answered_by = " + params.Placeholder(patch.actor) +
               ", answered_method = " + params.Placeholder(patch.method);
      } else {
        set += "answered = false, answered_at = NULL, answered_by = '', answered_method = ''";
      }
    }
    if (patch.false_positive) {
      if (!set.empty()) set += ", ";
      set += *patch.false_positive ? "false_positive = true" : "false_positive = false";
    }
    if (set.empty()) return GetPost(id);
    const std::string sql = "UPDATE posts SET " + set + " WHERE id = " +
                            params.Placeholder(id) + " RETURNING " + pg::kPostColumns;
    std::optional<Post> post;
    CT_RETURN_IF_ERROR(pool_.Run([&](PgConnection& conn) -> Status {
      CT_ASSIGN_OR_RETURN(PgTransaction tx, PgTransaction::Begin(conn));
      // The rollup trigger locks post_rollup rows after this post's row; an upsert batch locks
      // rollup rows between its post rows (COPY, then UPDATE). Waiting for batches in flight
      // (shared: triage calls do not wait for each other) keeps the two from deadlocking.
      CT_RETURN_IF_ERROR(
          conn.Exec("SELECT pg_advisory_xact_lock_shared(" + std::to_string(kUpsertLockKey) + ")")
              .status());
      CT_ASSIGN_OR_RETURN(PgResult r, conn.Exec(sql, params));
      if (r.rows() > 0) post = pg::PostFromRow(r, 0);
      return tx.Commit();
    }));
    if (!post) return Status::NotFound("no post with id " + std::to_string(id));
    return std::move(*post);
  }

  Result<ApiToken> CreateToken(const ApiToken& token) override {
    if (token.name.empty()) return Status::InvalidArgument("token name is required");
    if (token.secret_hash.empty()) return Status::InvalidArgument("token secret_hash is required");
    ApiToken stored = token;
    if (stored.created_at == 0) stored.created_at = clock_.NowSeconds();
    PgParams params;
    params.Add(stored.name).Add(RoleName(stored.role)).Add(stored.secret_hash).Add(stored.created_at);
    if (stored.revoked_at) {
      params.Add(*stored.revoked_at);
    } else {
      params.AddNull();
    }
    Status s = pool_.Run([&](PgConnection& conn) -> Status {
      CT_ASSIGN_OR_RETURN(PgResult r, conn.Exec("INSERT INTO api_tokens (name, role, secret_hash, "
                                                "created_at, revoked_at) VALUES ($1, $2, $3, "
                                                "$4::bigint, $5::bigint) RETURNING id",
                                                params));
      stored.id = r.Int(0, 0);
      return Status::Ok();
    });
    if (s.code() == StatusCode::kAlreadyExists) {
      return Status::AlreadyExists("a token named '" + stored.name + "' already exists");
    }
    CT_RETURN_IF_ERROR(s);
    return stored;
  }

  Result<ApiToken> GetToken(std::int64_t id) override {
    std::optional<ApiToken> token;
    CT_RETURN_IF_ERROR(pool_.Run([&](PgConnection& conn) -> Status {
      PgParams params;
      params.Add(id);
      CT_ASSIGN_OR_RETURN(PgResult r, conn.Exec(std::string("SELECT ") + kTokenColumns +
                                                    " FROM api_tokens WHERE id = $1",
                                                params));
      if (r.rows() > 0) token = TokenFromRow(r, 0);
      return Status::Ok();
    }));
    if (!token) return Status::NotFound("no token with id " + std::to_string(id));
    return std::move(*token);
  }

  Result<std::vector<ApiToken>> ListTokens() override {
    std::vector<ApiToken> tokens;
    CT_RETURN_IF_ERROR(pool_.Run([&](PgConnection& conn) -> Status {
      CT_ASSIGN_OR_RETURN(PgResult r, conn.Exec(std::string("SELECT ") + kTokenColumns +
                                                " FROM api_tokens ORDER BY id"));
      tokens.clear();
      for (int i = 0; i < r.rows(); ++i) tokens.push_back(TokenFromRow(r, i));
      return Status::Ok();
    }));
    return tokens;
  }

  Status RevokeToken(std::int64_t id, UnixSeconds at) override {
    std::int64_t changed = 0;
    CT_RETURN_IF_ERROR(pool_.Run([&](PgConnection& conn) -> Status {
      PgParams params;
      params.Add(id).Add(static_cast<std::int64_t>(at));
      // Revoking twice keeps the first time.
      CT_ASSIGN_OR_RETURN(PgResult r,
                          conn.Exec("UPDATE api_tokens SET revoked_at = COALESCE(revoked_at, "
                                    "$2::bigint) WHERE id = $1",
                                    params));
      changed = r.AffectedRows();
      return Status::Ok();
    }));
    if (changed == 0) return Status::NotFound("no token with id " + std::to_string(id));
    return Status::Ok();
  }

 private:
  static Result<std::vector<Post>> PrepareBatch(std::span<const Post> posts) {
    std::vector<Post> batch(posts.begin(), posts.end());
    for (std::size_t i = 0; i < batch.size(); ++i) {
      CT_RETURN_IF_ERROR(ValidatePost(batch[i], i));
      NormalizePost(batch[i]);
    }
    return batch;
  }

  // Inside the writing transaction, before its first UpsertBatch: upserts are serialised, and
  // the lookups are point probes by construction (during a bulk load into a growing table the
  // statistics lag behind and the planner would pick hash joins over full scans instead).
  static Status BeginUpsert(PgConnection& conn) {
    return conn
        .Exec("SELECT pg_advisory_xact_lock(" + std::to_string(kUpsertLockKey) + "); " +
              kBeginUpsert +
              "; SET LOCAL enable_hashjoin = off; SET LOCAL enable_mergejoin = off; "
              "SET LOCAL enable_seqscan = off")
        .status();
  }

  // Upserts a validated, normalised, non-empty batch inside the caller's transaction.
  Result<UpsertSummary> UpsertBatch(PgConnection& conn, const std::vector<Post>& batch) {
    CT_ASSIGN_OR_RETURN(std::vector<Post> candidates, LoadCandidates(conn, batch));
    const pg::UpsertPlan plan = pg::PlanUpsert(batch, candidates);
    std::string data;
    if (!plan.inserts.empty()) {
      for (const Post& p : plan.inserts) pg::AppendInsertRow(data, p);
      CT_RETURN_IF_ERROR(
          conn.CopyIn(std::string("COPY posts (") + pg::kInsertColumns + ") FROM STDIN", data)
              .status());
    }
    if (!plan.updates.empty()) {
      data.clear();
      for (const Post& p : plan.updates) pg::AppendUpdateRow(data, p);
      CT_RETURN_IF_ERROR(
          conn.CopyIn(std::string("COPY ct_post_updates (") + pg::kUpdateColumns + ") FROM STDIN",
                      data)
              .status());
      // The staging table empties at commit; a bulk load runs several batches before that.
      CT_RETURN_IF_ERROR(conn.Exec(std::string("UPDATE posts p SET ") + pg::kUpdateAssignments +
                                   " FROM ct_post_updates u WHERE p.id = u.id; "
                                   "TRUNCATE ct_post_updates")
                             .status());
    }
    return plan.summary;
  }

  // Stored rows that may match a post of the batch (see upsert_plan.h).
  Result<std::vector<Post>> LoadCandidates(PgConnection& conn, const std::vector<Post>& batch) {
    std::vector<std::string> sources, external_ids, urls, hashes;
    sources.reserve(batch.size());
    external_ids.reserve(batch.size());
    hashes.reserve(batch.size());
    for (const Post& p : batch) {
      sources.push_back(p.source);
      external_ids.push_back(p.external_id);
      hashes.push_back(p.content_hash);
      if (!p.url.empty()) urls.push_back(p.url);
    }
    PgParams params;
    params.AddTextArray(sources).AddTextArray(external_ids).AddTextArray(urls).AddTextArray(hashes);
    CT_ASSIGN_OR_RETURN(
        PgResult r,
        conn.Exec(std::string("SELECT ") + pg::kPostColumns +
                      " FROM posts WHERE id = ANY(ARRAY("
                      "SELECT p.id FROM unnest($1::text[], $2::text[]) AS k(s, e) JOIN posts p "
                      "ON p.source = k.s AND p.external_id = k.e "
                      "UNION SELECT p.id FROM unnest($3::text[]) AS u(url) JOIN posts p "
                      "ON p.url = u.url WHERE p.url <> '' "
                      "UNION SELECT p.id FROM unnest($1::text[], $4::text[]) AS h(s, c) JOIN posts p "
                      "ON p.source = h.s AND p.content_hash = h.c))",
                  params));
    std::vector<Post> out;
    out.reserve(static_cast<std::size_t>(r.rows()));
    for (int i = 0; i < r.rows(); ++i) out.push_back(pg::PostFromRow(r, i));
    return out;
  }

  const Clock& clock_;
  const PostgresStoreOptions options_;
  pg::PgPool pool_;
  StatsCache stats_cache_;
};

}  // namespace

Result<std::unique_ptr<Store>> OpenPostgresStore(const std::string& url, const StoreConfig& cfg,
                                                 const Clock& clock) {
  return OpenPostgresStore(url, cfg, clock, PostgresStoreOptions{});
}

Result<std::unique_ptr<Store>> OpenPostgresStore(const std::string& url, const StoreConfig& cfg,
                                                 const Clock& clock,
                                                 const PostgresStoreOptions& options) {
  if (cfg.pool_size < 1) return Status::InvalidArgument("pool_size must be at least 1");
  if (cfg.busy_timeout_ms < 0) {
    return Status::InvalidArgument("busy_timeout_ms must not be negative");
  }
  auto store = std::make_unique<PostgresStore>(url, cfg, clock, options);
  CT_RETURN_IF_ERROR(store->Migrate().WithContext("opening the postgresql store"));
  return std::unique_ptr<Store>(std::move(store));
}

}  // namespace ct
