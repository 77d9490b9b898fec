#include "store/sqlite/sqlite_store.h"

#include <algorithm>
#include <condition_variable>
#include <map>
#include <mutex>
#include <vector>

#include "core/clock.h"
#include "core/config.h"
#include "core/time_format.h"
#include "domain/post_normalize.h"
#include "store/sqlite/sqlite_db.h"
#include "store/sqlite/sqlite_migrations.h"
#include "store/sqlite/sqlite_post_filter.h"

namespace ct {
namespace {

using sqlite::SqliteConnection;
using sqlite::SqlValue;
using sqlite::Statement;
using sqlite::Transaction;

// Column order shared by every post SELECT and by ReadPost.
constexpr char kPostColumns[] =
    "id, source, external_id, url, title, content, author, created_at, collected_at, language, "
    "sentiment_score, sentiment_label, is_complaint, complaint_score, product, country, "
    "relevance_score, rating, likes, score, comments, evidence, metadata, answered, answered_at, "
    "answered_by, answered_method, false_positive, content_hash";

std::string SelectPosts(std::string_view rest) {
  return std::string("SELECT ") + kPostColumns + " FROM posts " + std::string(rest);
}

Post ReadPost(const Statement& s) {
  Post p;
  p.id = s.ColumnInt(0);
  p.source = s.ColumnText(1);
  p.external_id = s.ColumnText(2);
  p.url = s.ColumnText(3);
  p.title = s.ColumnText(4);
  p.content = s.ColumnText(5);
  p.author = s.ColumnText(6);
  p.created_at = s.ColumnInt(7);
  p.collected_at = s.ColumnInt(8);
  p.language = s.ColumnText(9);
  p.sentiment_score = s.ColumnDouble(10);
  p.sentiment_label = s.ColumnText(11);
  p.is_complaint = s.ColumnInt(12) != 0;
  p.complaint_score = s.ColumnDouble(13);
  p.product = s.ColumnText(14);
  p.country = s.ColumnText(15);
  p.relevance_score = s.ColumnDouble(16);
  if (!s.ColumnIsNull(17)) p.rating = s.ColumnDouble(17);
  p.engagement.likes = s.ColumnInt(18);
  p.engagement.score = s.ColumnInt(19);
  p.engagement.comments = s.ColumnInt(20);
  p.evidence_json = s.ColumnText(21);
  p.metadata_json = s.ColumnText(22);
  p.answered = s.ColumnInt(23) != 0;
  if (!s.ColumnIsNull(24)) p.answered_at = s.ColumnInt(24);
  p.answered_by = s.ColumnText(25);
  p.answered_method = s.ColumnText(26);
  p.false_positive = s.ColumnInt(27) != 0;
  p.content_hash = s.ColumnText(28);
  return p;
}

// The fields a re-scrape may change: everything but identity, created_at and triage.
bool SameCollectedFields(const Post& a, const Post& b) {
  return a.url == b.url && a.title == b.title && a.content == b.content && a.author == b.author &&
         a.collected_at == b.collected_at && a.language == b.language &&
         a.sentiment_score == b.sentiment_score && a.sentiment_label == b.sentiment_label &&
         a.is_complaint == b.is_complaint && a.complaint_score == b.complaint_score &&
         a.product == b.product && a.country == b.country &&
         a.relevance_score == b.relevance_score && a.rating == b.rating &&
         a.engagement == b.engagement && a.evidence_json == b.evidence_json &&
         a.metadata_json == b.metadata_json && a.content_hash == b.content_hash;
}

constexpr char kInsertPost[] =
    "INSERT INTO posts (source, external_id, url, title, content, author, created_at, "
    "collected_at, language, sentiment_score, sentiment_label, is_complaint, complaint_score, "
    "product, country, relevance_score, rating, likes, score, comments, evidence, metadata, "
    "answered, answered_at, answered_by, answered_method, false_positive, content_hash) "
    "VALUES (?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?)";

constexpr char kUpdatePost[] =
    "UPDATE posts SET url = ?1, title = ?2, content = ?3, author = ?4, collected_at = ?5, "
    "language = ?6, sentiment_score = ?7, sentiment_label = ?8, is_complaint = ?9, "
    "complaint_score = ?10, product = ?11, country = ?12, relevance_score = ?13, rating = ?14, "
    "likes = ?15, score = ?16, comments = ?17, evidence = ?18, metadata = ?19, "
    "content_hash = ?20 WHERE id = ?21";

void BindCollectedForUpdate(Statement& s, const Post& p) {
  s.BindText(1, p.url);
  s.BindText(2, p.title);
  s.BindText(3, p.content);
  s.BindText(4, p.author);
  s.BindInt(5, p.collected_at);
  s.BindText(6, p.language);
  s.BindDouble(7, p.sentiment_score);
  s.BindText(8, p.sentiment_label);
  s.BindInt(9, p.is_complaint ? 1 : 0);
  s.BindDouble(10, p.complaint_score);
  s.BindText(11, p.product);
  s.BindText(12, p.country);
  s.BindDouble(13, p.relevance_score);
  s.BindOptionalDouble(14, p.rating);
  s.BindInt(15, p.engagement.likes);
  s.BindInt(16, p.engagement.score);
  s.BindInt(17, p.engagement.comments);
  s.BindText(18, p.evidence_json);
  s.BindText(19, p.metadata_json);
  s.BindText(20, p.content_hash);
}

void BindForInsert(Statement& s, const Post& p) {
  s.BindText(1, p.source);
  s.BindText(2, p.external_id);
  s.BindText(3, p.url);
  s.BindText(4, p.title);
  s.BindText(5, p.content);
  s.BindText(6, p.author);
  s.BindInt(7, p.created_at);
  s.BindInt(8, p.collected_at);
  s.BindText(9, p.language);
  s.BindDouble(10, p.sentiment_score);
  s.BindText(11, p.sentiment_label);
  s.BindInt(12, p.is_complaint ? 1 : 0);
  s.BindDouble(13, p.complaint_score);
  s.BindText(14, p.product);
  s.BindText(15, p.country);
  s.BindDouble(16, p.relevance_score);
  s.BindOptionalDouble(17, p.rating);
  s.BindInt(18, p.engagement.likes);
  s.BindInt(19, p.engagement.score);
  s.BindInt(20, p.engagement.comments);
  s.BindText(21, p.evidence_json);
  s.BindText(22, p.metadata_json);
  s.BindInt(23, p.answered ? 1 : 0);
  s.BindOptionalInt(24, p.answered_at);
  s.BindText(25, p.answered_by);
  s.BindText(26, p.answered_method);
  s.BindInt(27, p.false_positive ? 1 : 0);
  s.BindText(28, p.content_hash);
}

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

ApiToken ReadToken(const Statement& s) {
  ApiToken t;
  t.id = s.ColumnInt(0);
  t.name = s.ColumnText(1);
  auto role = ParseRole(s.ColumnText(2));
  t.role = role.ok() ? *role : Role::kViewer;  // the CHECK constraint keeps roles valid
  t.secret_hash = s.ColumnText(3);
  t.created_at = s.ColumnInt(4);
  if (!s.ColumnIsNull(5)) t.revoked_at = s.ColumnInt(5);
  return t;
}

constexpr char kSelectToken[] =
    "SELECT id, name, role, secret_hash, created_at, revoked_at FROM api_tokens";

// First day (days since epoch) of the bucket holding `day`.
std::int64_t BucketStart(std::int64_t day, StatsBucket bucket) {
  switch (bucket) {
    case StatsBucket::kDay:
      return day;
    case StatsBucket::kWeek: {
      // 1970-01-01 was a Thursday: Monday-based weekday is (day + 3) mod 7.
      const std::int64_t weekday = ((day + 3) % 7 + 7) % 7;
      return day - weekday;
    }
    case StatsBucket::kMonth: {
      int y = 0;
      unsigned m = 0, d = 0;
      CivilFromDays(day, y, m, d);
      return DaysFromCivil(y, m, 1);
    }
  }
  return day;
}

std::string DayString(std::int64_t day) {
  int y = 0;
  unsigned m = 0, d = 0;
  CivilFromDays(day, y, m, d);
  char buf[32];
  std::snprintf(buf, sizeof buf, "%04d-%02u-%02u", y, m, d);
  return buf;
}

// A fixed set of connections handed to one caller at a time.
class ConnectionPool {
 public:
  explicit ConnectionPool(std::vector<std::unique_ptr<SqliteConnection>> conns)
      : all_(std::move(conns)) {
    for (auto& c : all_) free_.push_back(c.get());
  }

  class Lease {
   public:
    Lease(ConnectionPool* pool, SqliteConnection* conn) : pool_(pool), conn_(conn) {}
    ~Lease() { pool_->Release(conn_); }
    Lease(const Lease&) = delete;
    Lease& operator=(const Lease&) = delete;
    SqliteConnection& operator*() const { return *conn_; }
    SqliteConnection* operator->() const { return conn_; }

   private:
    ConnectionPool* pool_;
    SqliteConnection* conn_;
  };

  Lease Acquire() {
    std::unique_lock lock(mu_);
    available_.wait(lock, [&] { return !free_.empty(); });
    SqliteConnection* c = free_.back();
    free_.pop_back();
    return Lease(this, c);
  }

 private:
  void Release(SqliteConnection* c) {
    {
      std::lock_guard lock(mu_);
      free_.push_back(c);
    }
    available_.notify_one();
  }

  std::vector<std::unique_ptr<SqliteConnection>> all_;
  std::mutex mu_;
  std::condition_variable available_;
  std::vector<SqliteConnection*> free_;  // guarded by mu_
};

class SqliteStore final : public Store {
 public:
  SqliteStore(std::unique_ptr<SqliteConnection> writer, std::unique_ptr<ConnectionPool> readers,
              const Clock& clock)
      : clock_(clock), writer_(std::move(writer)), readers_(std::move(readers)) {}

  std::string_view backend() const override { return "sqlite"; }

  Status Migrate() override {
    std::lock_guard lock(writer_mu_);
    return sqlite::ApplyMigrations(*writer_, clock_);
  }

  Status Ping() override {
    auto conn = readers_->Acquire();
    CT_ASSIGN_OR_RETURN(Statement s, conn->Prepare("SELECT 1"));
    CT_ASSIGN_OR_RETURN(bool row, s.Step());
    if (!row) return Status::Internal("sqlite ping returned no row");
    return Status::Ok();
  }

  Result<UpsertSummary> UpsertPosts(std::span<const Post> posts) override {
    // Validate and normalise before taking the write lock.
    std::vector<Post> batch(posts.begin(), posts.end());
    for (std::size_t i = 0; i < batch.size(); ++i) {
      CT_RETURN_IF_ERROR(ValidatePost(batch[i], i));
      NormalizePost(batch[i]);
    }
    UpsertSummary summary;
    if (batch.empty()) return summary;

    std::lock_guard lock(writer_mu_);
    SqliteConnection& conn = *writer_;
    CT_ASSIGN_OR_RETURN(Transaction tx, Transaction::Begin(conn, Transaction::Kind::kImmediate));
    for (const Post& post : batch) {
      CT_ASSIGN_OR_RETURN(std::optional<Post> stored, FindDuplicate(conn, post));
      if (!stored) {
        CT_ASSIGN_OR_RETURN(Statement insert, conn.Prepare(kInsertPost));
        BindForInsert(insert, post);
        Status s = insert.Run();
        if (!s.ok()) return s.WithContext("inserting " + post.source + "/" + post.external_id);
        ++summary.inserted;
      } else if (SameCollectedFields(*stored, post)) {
        ++summary.unchanged;
      } else {
        CT_ASSIGN_OR_RETURN(Statement update, conn.Prepare(kUpdatePost));
        BindCollectedForUpdate(update, post);
        update.BindInt(21, stored->id);
        Status s = update.Run();
        if (!s.ok()) return s.WithContext("updating post " + std::to_string(stored->id));
        ++summary.updated;
      }
    }
    CT_RETURN_IF_ERROR(tx.Commit());
    return summary;
  }

  Result<Post> GetPost(std::int64_t id) override {
    auto conn = readers_->Acquire();
    return ReadPostById(*conn, id);
  }

  Result<PostPage> ListPosts(const PostPageRequest& request) override {
    if (request.limit < 1 || request.limit > kMaxPageSize) {
      return Status::InvalidArgument("limit must be between 1 and " +
                                     std::to_string(kMaxPageSize));
    }
    if (request.after && request.after->sort != request.sort) {
      return Status::InvalidArgument("cursor was made for another sort");
    }
    sqlite::SqlWhere where = sqlite::BuildPostWhere(request.filter);
    std::string sql = SelectPosts("") + where.sql;
    const char* glue = where.sql.empty() ? " WHERE " : " AND ";
    switch (request.sort) {
      case PostSort::kNewest:
        if (request.after) {
          sql += glue;
          sql += "(created_at, id) < (?, ?)";
          where.params.emplace_back(request.after->created_at);
          where.params.emplace_back(request.after->id);
        }
        sql += " ORDER BY created_at DESC, id DESC";
        break;
      case PostSort::kOldest:
        if (request.after) {
          sql += glue;
          sql += "(created_at, id) > (?, ?)";
          where.params.emplace_back(request.after->created_at);
          where.params.emplace_back(request.after->id);
        }
        sql += " ORDER BY created_at ASC, id ASC";
        break;
      case PostSort::kRelevance:
        if (request.after) {
          sql += glue;
          sql += "(relevance_score, id) < (?, ?)";
          where.params.emplace_back(request.after->relevance);
          where.params.emplace_back(request.after->id);
        }
        sql += " ORDER BY relevance_score DESC, id DESC";
        break;
    }
    sql += " LIMIT ?";
    // One extra row tells whether another page follows.
    where.params.emplace_back(static_cast<std::int64_t>(request.limit) + 1);

    auto conn = readers_->Acquire();
    CT_ASSIGN_OR_RETURN(Statement s, conn->Prepare(sql));
    s.BindAll(where.params);
    PostPage page;
    page.items.reserve(static_cast<std::size_t>(request.limit) + 1);
    for (;;) {
      CT_ASSIGN_OR_RETURN(bool row, s.Step());
      if (!row) break;
      page.items.push_back(ReadPost(s));
    }
    if (page.items.size() > static_cast<std::size_t>(request.limit)) {
      page.items.pop_back();
      page.next = CursorAfter(page.items.back(), request.sort);
    }
    return page;
  }

  Result<PostStats> Stats(const PostFilter& filter, StatsBucket bucket) override {
    const sqlite::SqlWhere where = sqlite::BuildPostWhere(filter);
    auto conn = readers_->Acquire();
    // One snapshot for every aggregate, so totals and breakdowns agree.
    CT_ASSIGN_OR_RETURN(Transaction tx, Transaction::Begin(*conn, Transaction::Kind::kDeferred));
    PostStats stats;
    {
      // Grouped by whole UTC day (floor division, also right before 1970); weeks and months
      // are folded from days below, which is cheaper than date() on every row.
      CT_ASSIGN_OR_RETURN(
          Statement s,
          conn->Prepare("SELECT (created_at - ((created_at % 86400) + 86400) % 86400) / 86400 AS "
                        "day, count(*), sum(sentiment_label = 'positive'), "
                        "sum(sentiment_label = 'neutral'), sum(sentiment_label = 'negative'), "
                        "sum(is_complaint), sum(answered), sum(is_complaint AND NOT answered) "
                        "FROM posts" +
                        where.sql + " GROUP BY day"));
      s.BindAll(where.params);
      std::map<std::int64_t, TimelinePoint> points;
      for (;;) {
        CT_ASSIGN_OR_RETURN(bool row, s.Step());
        if (!row) break;
        TimelinePoint& p = points[BucketStart(s.ColumnInt(0), bucket)];
        p.total += s.ColumnInt(1);
        p.positive += s.ColumnInt(2);
        p.neutral += s.ColumnInt(3);
        p.negative += s.ColumnInt(4);
        p.complaints += s.ColumnInt(5);
        stats.answered += s.ColumnInt(6);
        stats.unanswered_complaints += s.ColumnInt(7);
      }
      for (auto& [start, p] : points) {
        p.period = DayString(start);
        stats.total += p.total;
        stats.complaints += p.complaints;
        stats.negative += p.negative;
        stats.timeline.push_back(std::move(p));
      }
    }
    CT_RETURN_IF_ERROR(Breakdown(*conn, where, "source", stats.by_source));
    CT_RETURN_IF_ERROR(Breakdown(*conn, where, "sentiment_label", stats.by_sentiment));
    CT_RETURN_IF_ERROR(Breakdown(*conn, where, "product", stats.by_product));
    CT_RETURN_IF_ERROR(Breakdown(*conn, where, "language", stats.by_language));
    CT_RETURN_IF_ERROR(Breakdown(*conn, where, "country", stats.by_country));
    CT_RETURN_IF_ERROR(tx.Commit());
    return stats;
  }

  Result<Post> UpdateTriage(std::int64_t id, const TriagePatch& patch) override {
    std::lock_guard lock(writer_mu_);
    SqliteConnection& conn = *writer_;
    CT_ASSIGN_OR_RETURN(Transaction tx, Transaction::Begin(conn, Transaction::Kind::kImmediate));
    std::string set;
    std::vector<SqlValue> params;
    if (patch.answered) {
      if (*patch.answered) {
        set += "answered = 1, answered_at = ?, answered_by = ?, answered_method = ?";
        params.emplace_back(static_cast<std::int64_t>(patch.now));
        params.emplace_back(patch.actor);
        params.emplace_back(patch.method);
      } else {
        set += "answered = 0, answered_at = NULL, answered_by = '', answered_method = ''";
      }
    }
    if (patch.false_positive) {
      if (!set.empty()) set += ", ";
      set += *patch.false_positive ? "false_positive = 1" : "false_positive = 0";
    }
    if (!set.empty()) {
      params.emplace_back(id);
      CT_ASSIGN_OR_RETURN(Statement s, conn.Prepare("UPDATE posts SET " + set + " WHERE id = ?"));
      s.BindAll(params);
      CT_RETURN_IF_ERROR(s.Run());
    }
    CT_ASSIGN_OR_RETURN(Post post, ReadPostById(conn, id));
    CT_RETURN_IF_ERROR(tx.Commit());
    return post;
  }

  Result<ApiToken> CreateToken(const ApiToken& token) override {
    if (token.name.empty()) return Status::InvalidArgument("token name is required");
    if (token.secret_hash.empty()) return Status::InvalidArgument("token secret_hash is required");
    ApiToken stored = token;
    if (stored.created_at == 0) stored.created_at = clock_.NowSeconds();
    std::lock_guard lock(writer_mu_);
    SqliteConnection& conn = *writer_;
    CT_ASSIGN_OR_RETURN(Transaction tx, Transaction::Begin(conn, Transaction::Kind::kImmediate));
    {
      CT_ASSIGN_OR_RETURN(Statement live,
                          conn.Prepare("SELECT 1 FROM api_tokens WHERE name = ? AND revoked_at IS NULL"));
      live.BindText(1, stored.name);
      CT_ASSIGN_OR_RETURN(bool exists, live.Step());
      if (exists && !stored.revoked_at) {
        return Status::AlreadyExists("a token named '" + stored.name + "' already exists");
      }
    }
    {
      CT_ASSIGN_OR_RETURN(Statement s,
                          conn.Prepare("INSERT INTO api_tokens (name, role, secret_hash, "
                                       "created_at, revoked_at) VALUES (?, ?, ?, ?, ?)"));
      s.BindText(1, stored.name);
      s.BindText(2, RoleName(stored.role));
      s.BindText(3, stored.secret_hash);
      s.BindInt(4, stored.created_at);
      s.BindOptionalInt(5, stored.revoked_at);
      CT_RETURN_IF_ERROR(s.Run());
    }
    stored.id = conn.LastInsertRowid();
    CT_RETURN_IF_ERROR(tx.Commit());
    return stored;
  }

  Result<ApiToken> GetToken(std::int64_t id) override {
    auto conn = readers_->Acquire();
    CT_ASSIGN_OR_RETURN(Statement s, conn->Prepare(std::string(kSelectToken) + " WHERE id = ?"));
    s.BindInt(1, id);
    CT_ASSIGN_OR_RETURN(bool row, s.Step());
    if (!row) return Status::NotFound("no token with id " + std::to_string(id));
    return ReadToken(s);
  }

  Result<std::vector<ApiToken>> ListTokens() override {
    auto conn = readers_->Acquire();
    CT_ASSIGN_OR_RETURN(Statement s, conn->Prepare(std::string(kSelectToken) + " ORDER BY id"));
    std::vector<ApiToken> tokens;
    for (;;) {
      CT_ASSIGN_OR_RETURN(bool row, s.Step());
      if (!row) break;
      tokens.push_back(ReadToken(s));
    }
    return tokens;
  }

  Status RevokeToken(std::int64_t id, UnixSeconds at) override {
    std::lock_guard lock(writer_mu_);
    SqliteConnection& conn = *writer_;
    CT_ASSIGN_OR_RETURN(
        Statement s,
        conn.Prepare("UPDATE api_tokens SET revoked_at = coalesce(revoked_at, ?) WHERE id = ?"));
    s.BindInt(1, at);
    s.BindInt(2, id);
    CT_RETURN_IF_ERROR(s.Run());
    if (conn.Changes() == 0) return Status::NotFound("no token with id " + std::to_string(id));
    return Status::Ok();
  }

 private:
  static Result<Post> ReadPostById(SqliteConnection& conn, std::int64_t id) {
    CT_ASSIGN_OR_RETURN(Statement s, conn.Prepare(SelectPosts("WHERE id = ?")));
    s.BindInt(1, id);
    CT_ASSIGN_OR_RETURN(bool row, s.Step());
    if (!row) return Status::NotFound("no post with id " + std::to_string(id));
    return ReadPost(s);
  }

  // The stored post `post` duplicates, by (source, external_id), then normalised URL, then
  // (source, content_hash); the oldest one when several match.
  static Result<std::optional<Post>> FindDuplicate(SqliteConnection& conn, const Post& post) {
    {
      CT_ASSIGN_OR_RETURN(Statement s,
                          conn.Prepare(SelectPosts("WHERE source = ? AND external_id = ?")));
      s.BindText(1, post.source);
      s.BindText(2, post.external_id);
      CT_ASSIGN_OR_RETURN(bool row, s.Step());
      if (row) return std::optional<Post>(ReadPost(s));
    }
    if (!post.url.empty()) {
      // "url <> ''" lets SQLite use the partial index posts_url.
      CT_ASSIGN_OR_RETURN(Statement s, conn.Prepare(SelectPosts(
                                           "WHERE url = ? AND url <> '' ORDER BY id LIMIT 1")));
      s.BindText(1, post.url);
      CT_ASSIGN_OR_RETURN(bool row, s.Step());
      if (row) return std::optional<Post>(ReadPost(s));
    }
    {
      CT_ASSIGN_OR_RETURN(Statement s, conn.Prepare(SelectPosts(
                                           "WHERE source = ? AND content_hash = ? "
                                           "ORDER BY id LIMIT 1")));
      s.BindText(1, post.source);
      s.BindText(2, post.content_hash);
      CT_ASSIGN_OR_RETURN(bool row, s.Step());
      if (row) return std::optional<Post>(ReadPost(s));
    }
    return std::optional<Post>();
  }

  static Status Breakdown(SqliteConnection& conn, const sqlite::SqlWhere& where,
                          std::string_view column, std::vector<CountByKey>& out) {
    const std::string col(column);
    CT_ASSIGN_OR_RETURN(Statement s, conn.Prepare("SELECT " + col + ", count(*) AS n FROM posts" +
                                                  where.sql + " GROUP BY " + col +
                                                  " ORDER BY n DESC, " + col + " ASC"));
    s.BindAll(where.params);
    for (;;) {
      CT_ASSIGN_OR_RETURN(bool row, s.Step());
      if (!row) break;
      out.push_back(CountByKey{s.ColumnText(0), s.ColumnInt(1)});
    }
    return Status::Ok();
  }

  const Clock& clock_;
  std::mutex writer_mu_;
  std::unique_ptr<SqliteConnection> writer_;  // guarded by writer_mu_
  std::unique_ptr<ConnectionPool> readers_;
};

}  // namespace

Result<std::unique_ptr<Store>> OpenSqliteStore(const std::string& path, const StoreConfig& cfg,
                                               const Clock& clock) {
  if (path.empty()) return Status::InvalidArgument("sqlite database path is empty");
  if (cfg.busy_timeout_ms < 0) {
    return Status::InvalidArgument("busy_timeout_ms must not be negative");
  }
  SqliteConnection::Options writer_options;
  writer_options.busy_timeout_ms = cfg.busy_timeout_ms;
  writer_options.cache_kib = 64 * 1024;  // index maintenance during imports
  auto writer = SqliteConnection::Open(path, writer_options);
  if (!writer.ok()) return writer.status();
  Status migrated = sqlite::ApplyMigrations(**writer, clock);
  if (!migrated.ok()) return migrated.WithContext("migrating '" + path + "'");

  SqliteConnection::Options reader_options = writer_options;
  reader_options.query_only = true;
  reader_options.cache_kib = 16 * 1024;
  std::vector<std::unique_ptr<SqliteConnection>> readers;
  const int n = std::max(2, cfg.pool_size);
  for (int i = 0; i < n; ++i) {
    CT_ASSIGN_OR_RETURN(auto reader, SqliteConnection::Open(path, reader_options));
    readers.push_back(std::move(reader));
  }
  return std::unique_ptr<Store>(new SqliteStore(
      std::move(*writer), std::make_unique<ConnectionPool>(std::move(readers)), clock));
}

}  // namespace ct
