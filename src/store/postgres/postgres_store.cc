#include "store/postgres/postgres_store.h"

#include <algorithm>
#include <utility>

#include "core/clock.h"
#include "core/config.h"
#include "domain/post_normalize.h"
#include "store/postgres/pg_connection.h"
#include "store/postgres/pg_migrations.h"
#include "store/postgres/pg_pool.h"
#include "store/postgres/pg_post_filter.h"
#include "store/postgres/pg_post_row.h"
#include "store/postgres/pg_transaction.h"
#include "store/postgres/upsert_plan.h"

namespace ct {
namespace {

using pg::PgConnection;
using pg::PgParams;
using pg::PgResult;
using pg::PgTransaction;

// Serialises upserts across processes ("ctupsrt").
constexpr std::int64_t kUpsertLockKey = 0x6374'7570'7372'74;

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

std::string_view TruncUnit(StatsBucket bucket) {
  switch (bucket) {
    case StatsBucket::kDay: return "day";
    case StatsBucket::kWeek: return "week";  // ISO weeks: Monday
    case StatsBucket::kMonth: return "month";
  }
  return "day";
}

void SortBreakdown(std::vector<CountByKey>& v) {
  std::sort(v.begin(), v.end(), [](const CountByKey& a, const CountByKey& b) {
    if (a.count != b.count) return a.count > b.count;
    return a.key < b.key;  // byte order
  });
}

class PostgresStore final : public Store {
 public:
  PostgresStore(const std::string& url, const StoreConfig& cfg, const Clock& clock)
      : clock_(clock),
        pool_(url, cfg.pool_size, cfg.busy_timeout_ms, cfg.busy_timeout_ms) {}

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
    std::vector<Post> batch(posts.begin(), posts.end());
    for (std::size_t i = 0; i < batch.size(); ++i) {
      CT_RETURN_IF_ERROR(ValidatePost(batch[i], i));
      NormalizePost(batch[i]);
    }
    if (batch.empty()) return UpsertSummary{};
    UpsertSummary summary;
    CT_RETURN_IF_ERROR(pool_.Run([&](PgConnection& conn) -> Status {
      CT_ASSIGN_OR_RETURN(PgTransaction tx, PgTransaction::Begin(conn));
      // The lookups are point probes by construction; during a bulk load into a growing table the
      // statistics lag behind and the planner would pick hash joins over full scans instead.
      CT_RETURN_IF_ERROR(
          conn.Exec("SELECT pg_advisory_xact_lock(" + std::to_string(kUpsertLockKey) + "); " +
                    kBeginUpsert +
                    "; SET LOCAL enable_hashjoin = off; SET LOCAL enable_mergejoin = off; "
                    "SET LOCAL enable_seqscan = off")
              .status());
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
        CT_RETURN_IF_ERROR(conn.CopyIn(std::string("COPY ct_post_updates (") +
                                           pg::kUpdateColumns + ") FROM STDIN",
                                       data)
                               .status());
        CT_RETURN_IF_ERROR(conn.Exec(std::string("UPDATE posts p SET ") + pg::kUpdateAssignments +
                                     " FROM ct_post_updates u WHERE p.id = u.id")
                               .status());
      }
      CT_RETURN_IF_ERROR(tx.Commit());
      summary = plan.summary;
      return Status::Ok();
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
    PgParams params;
    std::string where = pg::PostWhere(request.filter, params);
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
    const std::string sql = std::string("SELECT ") + pg::kPostColumns + " FROM posts" + where +
                            order + " LIMIT " + std::to_string(request.limit + 1);
    PostPage page;
    CT_RETURN_IF_ERROR(pool_.Run([&](PgConnection& conn) -> Status {
      CT_ASSIGN_OR_RETURN(PgResult r, conn.Exec(sql, params));
      page.items.clear();
      for (int i = 0; i < r.rows() && i < request.limit; ++i) {
        page.items.push_back(pg::PostFromRow(r, i));
      }
      page.next.reset();
      if (r.rows() > request.limit) page.next = CursorAfter(page.items.back(), request.sort);
      return Status::Ok();
    }));
    return page;
  }

  Result<PostStats> Stats(const PostFilter& filter, StatsBucket bucket) override {
    PgParams params;
    const std::string where = pg::PostWhere(filter, params);
    const std::string unit(TruncUnit(bucket));
    // One statement, so every figure comes from the same snapshot.
    const std::string sql =
        "WITH f AS MATERIALIZED (SELECT created_at, source, sentiment_label, product, language, "
        "country, is_complaint, answered FROM posts" + where + ") "
        "SELECT 0, NULL::text, count(*), count(*) FILTER (WHERE is_complaint), "
        "count(*) FILTER (WHERE sentiment_label = 'negative'), count(*) FILTER (WHERE answered), "
        "count(*) FILTER (WHERE is_complaint AND NOT answered) FROM f "
        "UNION ALL SELECT 1, to_char(date_trunc('" + unit +
        "', to_timestamp(created_at) AT TIME ZONE 'UTC'), 'YYYY-MM-DD'), count(*), "
        "count(*) FILTER (WHERE sentiment_label = 'positive'), "
        "count(*) FILTER (WHERE sentiment_label = 'neutral'), "
        "count(*) FILTER (WHERE sentiment_label = 'negative'), "
        "count(*) FILTER (WHERE is_complaint) FROM f GROUP BY 2 "
        "UNION ALL SELECT 2, source, count(*), 0, 0, 0, 0 FROM f GROUP BY 2 "
        "UNION ALL SELECT 3, sentiment_label, count(*), 0, 0, 0, 0 FROM f GROUP BY 2 "
        "UNION ALL SELECT 4, product, count(*), 0, 0, 0, 0 FROM f GROUP BY 2 "
        "UNION ALL SELECT 5, language, count(*), 0, 0, 0, 0 FROM f GROUP BY 2 "
        "UNION ALL SELECT 6, country, count(*), 0, 0, 0, 0 FROM f GROUP BY 2";
    PostStats stats;
    CT_RETURN_IF_ERROR(pool_.Run([&](PgConnection& conn) -> Status {
      CT_ASSIGN_OR_RETURN(PgResult r, conn.Exec(sql, params));
      stats = PostStats{};
      for (int i = 0; i < r.rows(); ++i) {
        const std::int64_t kind = r.Int(i, 0);
        std::string key(r.Text(i, 1));
        const std::int64_t a = r.Int(i, 2), b = r.Int(i, 3), c = r.Int(i, 4), d = r.Int(i, 5),
                           e = r.Int(i, 6);
        switch (kind) {
          case 0:
            stats.total = a;
            stats.complaints = b;
            stats.negative = c;
            stats.answered = d;
            stats.unanswered_complaints = e;
            break;
          case 1: stats.timeline.push_back({std::move(key), a, b, c, d, e}); break;
          case 2: stats.by_source.push_back({std::move(key), a}); break;
          case 3: stats.by_sentiment.push_back({std::move(key), a}); break;
          case 4: stats.by_product.push_back({std::move(key), a}); break;
          case 5: stats.by_language.push_back({std::move(key), a}); break;
          case 6: stats.by_country.push_back({std::move(key), a}); break;
        }
      }
      return Status::Ok();
    }));
    std::sort(stats.timeline.begin(), stats.timeline.end(),
              [](const TimelinePoint& x, const TimelinePoint& y) { return x.period < y.period; });
    for (auto* v : {&stats.by_source, &stats.by_sentiment, &stats.by_product, &stats.by_language,
                    &stats.by_country}) {
      SortBreakdown(*v);
    }
    return stats;
  }

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
      CT_ASSIGN_OR_RETURN(PgResult r, conn.Exec(sql, params));
      if (r.rows() > 0) post = pg::PostFromRow(r, 0);
      return Status::Ok();
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
  pg::PgPool pool_;
};

}  // namespace

Result<std::unique_ptr<Store>> OpenPostgresStore(const std::string& url, const StoreConfig& cfg,
                                                 const Clock& clock) {
  if (cfg.pool_size < 1) return Status::InvalidArgument("pool_size must be at least 1");
  if (cfg.busy_timeout_ms < 0) {
    return Status::InvalidArgument("busy_timeout_ms must not be negative");
  }
  auto store = std::make_unique<PostgresStore>(url, cfg, clock);
  CT_RETURN_IF_ERROR(store->Migrate().WithContext("opening the postgresql store"));
  return std::unique_ptr<Store>(std::move(store));
}

}  // namespace ct
