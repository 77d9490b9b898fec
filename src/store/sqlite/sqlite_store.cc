#include "store/sqlite/sqlite_store.h"

#include <algorithm>
#include <condition_variable>
#include <functional>
#include <future>
#include <map>
#include <memory>
#include <mutex>
#include <string_view>
#include <thread>
#include <unordered_map>
#include <vector>

#include "core/clock.h"
#include "core/config.h"
#include "core/time_format.h"
#include "domain/post_normalize.h"
#include "store/sqlite/sqlite_db.h"
#include "store/sqlite/sqlite_migrations.h"
#include "store/sqlite/sqlite_post_filter.h"
#include "store/stats_cache.h"

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

constexpr std::int64_t kSecondsPerDay = 86'400;

// The full-text rowid is the search key created_at * 2^31 + id (migration 0003), which bounds
// both: 0 < id < 2^31 and -2^32 <= created_at < 2^32.
constexpr std::int64_t kSearchKeyIdLimit = 2'147'483'648;
constexpr std::int64_t kSearchKeyTimeLimit = 4'294'967'296;

std::int64_t FloorDiv(std::int64_t a, std::int64_t b) {
  const std::int64_t q = a / b;
  return (a % b != 0 && (a < 0) != (b < 0)) ? q - 1 : q;
}

// Counts per key of one breakdown, looked up by the column's text without copying it.
struct StringHash {
  using is_transparent = void;
  std::size_t operator()(std::string_view s) const { return std::hash<std::string_view>{}(s); }
};
using KeyCounts = std::unordered_map<std::string, std::int64_t, StringHash, std::equal_to<>>;

void AddTo(KeyCounts& counts, std::string_view key, std::int64_t n) {
  auto it = counts.find(key);
  if (it == counts.end()) it = counts.emplace(std::string(key), 0).first;
  it->second += n;
}

// Sorted by count descending, then key ascending in byte order (std::string compares bytes
// as unsigned char, like COLLATE "C").
std::vector<CountByKey> SortedBreakdown(const KeyCounts& counts) {
  std::vector<CountByKey> out;
  out.reserve(counts.size());
  for (const auto& [key, n] : counts) out.push_back(CountByKey{key, n});
  std::sort(out.begin(), out.end(), [](const CountByKey& a, const CountByKey& b) {
    return a.count != b.count ? a.count > b.count : a.key < b.key;
  });
  return out;
}

// Every aggregate of PostStats from one pass over rows of
//   (day, sentiment_label, is_complaint, answered, source, product, language, country, n)
// where n posts share those values (1 per row when scanning posts, the count when reading
// post_rollup). Both stats paths feed this, so they cannot disagree on the arithmetic.
constexpr char kStatsColumns[] =
    "sentiment_label, is_complaint, answered, source, product, language, country";

class StatsAccumulator {
 public:
  void Add(const Statement& s) {
    const std::int64_t n = s.ColumnInt(8);
    const std::string_view sentiment = s.ColumnView(1);
    const bool complaint = s.ColumnInt(2) != 0;
    const bool answered = s.ColumnInt(3) != 0;
    DayCounts& d = days_[s.ColumnInt(0)];
    d.total += n;
    if (sentiment == "positive") d.positive += n;
    if (sentiment == "neutral") d.neutral += n;
    if (sentiment == "negative") d.negative += n;
    if (complaint) d.complaints += n;
    if (answered) answered_ += n;
    if (complaint && !answered) unanswered_complaints_ += n;
    AddTo(by_sentiment_, sentiment, n);
    AddTo(by_source_, s.ColumnView(4), n);
    AddTo(by_product_, s.ColumnView(5), n);
    AddTo(by_language_, s.ColumnView(6), n);
    AddTo(by_country_, s.ColumnView(7), n);
  }

  PostStats Finish(StatsBucket bucket) const {
    PostStats stats;
    std::map<std::int64_t, TimelinePoint> points;
    for (const auto& [day, d] : days_) {
      TimelinePoint& p = points[BucketStart(day, bucket)];
      p.total += d.total;
      p.positive += d.positive;
      p.neutral += d.neutral;
      p.negative += d.negative;
      p.complaints += d.complaints;
    }
    for (auto& [start, p] : points) {
      p.period = DayString(start);
      stats.total += p.total;
      stats.complaints += p.complaints;
      stats.negative += p.negative;
      stats.timeline.push_back(std::move(p));
    }
    stats.answered = answered_;
    stats.unanswered_complaints = unanswered_complaints_;
    stats.by_source = SortedBreakdown(by_source_);
    stats.by_sentiment = SortedBreakdown(by_sentiment_);
    stats.by_product = SortedBreakdown(by_product_);
    stats.by_language = SortedBreakdown(by_language_);
    stats.by_country = SortedBreakdown(by_country_);
    return stats;
  }

 private:
  struct DayCounts {
    std::int64_t total = 0, positive = 0, neutral = 0, negative = 0, complaints = 0;
  };
  std::unordered_map<std::int64_t, DayCounts> days_;
  std::int64_t answered_ = 0;
  std::int64_t unanswered_complaints_ = 0;
  KeyCounts by_source_, by_sentiment_, by_product_, by_language_, by_country_;
};

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
              const Clock& clock, const SqliteStoreOptions& options)
      : clock_(clock),
        options_(options),
        writer_(std::move(writer)),
        readers_(std::move(readers)),
        stats_cache_(static_cast<std::size_t>(std::max(0, options.stats_cache_entries))) {}

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
    CT_ASSIGN_OR_RETURN(std::vector<Post> batch, PrepareBatch(posts));
    UpsertSummary summary;
    if (batch.empty()) return summary;

    std::lock_guard lock(writer_mu_);
    SqliteConnection& conn = *writer_;
    CT_ASSIGN_OR_RETURN(Transaction tx, Transaction::Begin(conn, Transaction::Kind::kImmediate));
    CT_RETURN_IF_ERROR(UpsertLocked(conn, batch, nullptr, summary));
    CT_RETURN_IF_ERROR(tx.Commit());
    return summary;
  }

  // One transaction. The triggers that index each new row on its own (full text, rollup, data
  // version) are dropped for its duration and recreated before the commit, from the SQL stored
  // in sqlite_master, so the schema is unchanged afterwards (and untouched if anything fails:
  // the drop rolls back with the rest). Meanwhile:
  //   - new rows (id >= first_new_id: ids only grow inside the transaction) are indexed at the
  //     end in one pass: full-text entries inserted in search-key order (FTS5 appends instead
  //     of flushing a segment per out-of-order row) and the rollup from one GROUP BY;
  //   - updates of rows stored before the load maintain the full text and the rollup here,
  //     exactly as the dropped triggers would (updates of new rows need nothing: the final pass
  //     reads their last values).
  Result<UpsertSummary> BulkUpsertPosts(const PostBatchSource& next) override {
    std::lock_guard lock(writer_mu_);
    SqliteConnection& conn = *writer_;
    CT_ASSIGN_OR_RETURN(Transaction tx, Transaction::Begin(conn, Transaction::Kind::kImmediate));
    BulkLoad bulk;
    {
      CT_ASSIGN_OR_RETURN(Statement s, conn.Prepare("SELECT COALESCE(max(id), 0) + 1 FROM posts"));
      CT_ASSIGN_OR_RETURN(bool row, s.Step());
      if (!row) return Status::Internal("max(id) returned no row");
      bulk.first_new_id = s.ColumnInt(0);
    }
    std::vector<std::pair<std::string, std::string>> deferred;  // (name, CREATE TRIGGER sql)
    for (const char* name : kDeferredTriggers) {
      CT_ASSIGN_OR_RETURN(Statement s, conn.Prepare("SELECT sql FROM sqlite_master WHERE "
                                                    "type = 'trigger' AND name = ?"));
      s.BindText(1, name);
      CT_ASSIGN_OR_RETURN(bool row, s.Step());
      if (!row) return Status::Internal(std::string("bulk load: trigger ") + name + " is missing");
      deferred.emplace_back(name, s.ColumnText(0));
    }
    for (const auto& [name, sql] : deferred) {
      CT_RETURN_IF_ERROR(conn.Exec("DROP TRIGGER " + name));
    }

    UpsertSummary summary;
    for (;;) {
      CT_ASSIGN_OR_RETURN(std::vector<Post> posts, next());
      if (posts.empty()) break;
      CT_ASSIGN_OR_RETURN(std::vector<Post> batch, PrepareBatch(posts));
      CT_RETURN_IF_ERROR(UpsertLocked(conn, batch, &bulk, summary));
    }

    if (summary.inserted > 0) {
      CT_ASSIGN_OR_RETURN(Statement fts,
                          conn.Prepare("INSERT INTO posts_fts (rowid, title, content) "
                                       "SELECT created_at * 2147483648 + id, title, content "
                                       "FROM posts WHERE id >= ? ORDER BY created_at, id"));
      fts.BindInt(1, bulk.first_new_id);
      CT_RETURN_IF_ERROR(fts.Run().WithContext("bulk load: full-text entries of the new posts"));
      CT_ASSIGN_OR_RETURN(
          Statement rollup,
          conn.Prepare("INSERT INTO post_rollup "
                       "SELECT (created_at - ((created_at % 86400) + 86400) % 86400) / 86400, "
                       "source, sentiment_label, product, language, country, is_complaint, "
                       "answered, false_positive, count(*) FROM posts WHERE id >= ? "
                       "GROUP BY 1, 2, 3, 4, 5, 6, 7, 8, 9 "
                       "ON CONFLICT DO UPDATE SET n = n + excluded.n"));
      rollup.BindInt(1, bulk.first_new_id);
      CT_RETURN_IF_ERROR(rollup.Run().WithContext("bulk load: rollup of the new posts"));
    }
    if (summary.inserted > 0 || summary.updated > 0) {
      CT_RETURN_IF_ERROR(conn.Exec("UPDATE post_data_version SET version = version + 1"));
    }
    for (const auto& [name, sql] : deferred) CT_RETURN_IF_ERROR(conn.Exec(sql));
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
    if (!request.filter.q.empty() && request.sort != PostSort::kRelevance) {
      if (auto sql = SearchPageSql(request)) return ReadPage(request, sql->first, sql->second);
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
    return ReadPage(request, sql, where.params);
  }

  // Newest/oldest page of a text search: walks the FTS index in search-key order (= created_at,
  // id; see migration 0003) from the cursor and joins each match to its post, stopping after
  // limit + 1 rows, instead of collecting every match and sorting. Cost grows with the matches
  // skipped by the other filters, not with the matches in total. nullopt when a bound lies
  // outside the search key range (the general plan handles those).
  static std::optional<std::pair<std::string, std::vector<SqlValue>>> SearchPageSql(
      const PostPageRequest& request) {
    const bool newest = request.sort == PostSort::kNewest;
    std::string sql = "SELECT ";
    // Qualified: posts_fts has title and content columns too.
    for (std::string_view cols = kPostColumns;;) {
      const std::size_t comma = cols.find(", ");
      sql += "posts.";
      sql += cols.substr(0, comma);
      if (comma == std::string_view::npos) break;
      sql += ", ";
      cols.remove_prefix(comma + 2);
    }
    auto from = SearchFrom(request.filter);
    if (!from) return std::nullopt;
    sql += from->first;
    std::vector<SqlValue> params = std::move(from->second);
    if (request.after) {
      auto key = sqlite::SearchKey(request.after->created_at, request.after->id);
      if (!key) return std::nullopt;
      sql += newest ? " AND posts_fts.rowid < ?" : " AND posts_fts.rowid > ?";
      params.emplace_back(*key);
    }
    sql += newest ? " ORDER BY posts_fts.rowid DESC" : " ORDER BY posts_fts.rowid ASC";
    sql += " LIMIT ?";
    params.emplace_back(static_cast<std::int64_t>(request.limit) + 1);
    return std::make_pair(std::move(sql), std::move(params));
  }

  // " FROM posts_fts CROSS JOIN posts ... WHERE ..." for a filter with words in q: the FTS
  // matches restricted to [since, until) by search-key range (migration 0003), each joined to
  // its post and checked against the other filters. nullopt when q has no word or a bound lies
  // outside the search key range (BuildPostWhere's form handles those).
  static std::optional<std::pair<std::string, std::vector<SqlValue>>> SearchFrom(
      const PostFilter& filter) {
    std::string match = sqlite::FtsMatchExpression(filter.q);
    if (match.empty()) return std::nullopt;
    std::vector<SqlValue> params;
    params.emplace_back(std::move(match));
    std::string sql =
        " FROM posts_fts CROSS JOIN posts ON posts.id = (posts_fts.rowid & 2147483647)"
        " WHERE posts_fts MATCH ?";
    if (filter.since) {
      auto key = sqlite::SearchKey(*filter.since, 0);
      if (!key) return std::nullopt;
      sql += " AND posts_fts.rowid >= ?";
      params.emplace_back(*key);
    }
    if (filter.until) {
      auto key = sqlite::SearchKey(*filter.until, 0);
      if (!key) return std::nullopt;
      sql += " AND posts_fts.rowid < ?";
      params.emplace_back(*key);
    }
    PostFilter rest = filter;
    rest.q.clear();
    const sqlite::SqlWhere where = sqlite::BuildPostWhere(rest);
    if (!where.sql.empty()) {
      // " WHERE a AND b" -> " AND a AND b"; its columns are all posts columns.
      sql += " AND " + where.sql.substr(std::string_view(" WHERE ").size());
      params.insert(params.end(), where.params.begin(), where.params.end());
    }
    return std::make_pair(std::move(sql), std::move(params));
  }

  Result<PostPage> ReadPage(const PostPageRequest& request, const std::string& sql,
                            const std::vector<SqlValue>& params) {
    auto conn = readers_->Acquire();
    CT_ASSIGN_OR_RETURN(Statement s, conn->Prepare(sql));
    s.BindAll(params);
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
    auto conn = readers_->Acquire();
    // One snapshot for the version and every row read, so a cached result is exactly what a
    // fresh computation on this snapshot would give.
    CT_ASSIGN_OR_RETURN(Transaction tx, Transaction::Begin(*conn, Transaction::Kind::kDeferred));
    std::int64_t version = 0;
    {
      CT_ASSIGN_OR_RETURN(Statement s,
                          conn->Prepare("SELECT version FROM post_data_version WHERE id = 1"));
      CT_ASSIGN_OR_RETURN(bool row, s.Step());
      if (row) version = s.ColumnInt(0);
    }
    CT_ASSIGN_OR_RETURN(StatsCache::Value stats,
                        stats_cache_.GetOrCompute(StatsCacheKey(filter, bucket), version,
                                                  [&]() -> Result<PostStats> {
                                                    StatsAccumulator acc;
                                                    CT_RETURN_IF_ERROR(
                                                        AccumulateStats(*conn, filter, acc));
                                                    return acc.Finish(bucket);
                                                  }));
    CT_RETURN_IF_ERROR(tx.Commit());
    return *stats;
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

  // Feeds `acc` with the posts matching `filter`. Without q, the whole UTC days inside
  // [since, until) are read from post_rollup and only the partial days at either end (when a
  // bound is not at midnight) from posts; with q everything is read from posts.
  Status AccumulateStats(SqliteConnection& conn, const PostFilter& filter,
                         StatsAccumulator& acc) const {
    if (!options_.stats_from_rollup || !filter.q.empty()) {
      return ScanPosts(conn, filter, acc);
    }
    // Bounds beyond +-34,000 years are left to the scan (no overflow below).
    constexpr std::int64_t kFar = std::int64_t{1} << 40;
    auto far = [](const std::optional<UnixSeconds>& t) { return t && (*t > kFar || *t < -kFar); };
    if (far(filter.since) || far(filter.until)) return ScanPosts(conn, filter, acc);
    // Whole days: [first_day, end_day).
    std::optional<std::int64_t> first_day, end_day;
    if (filter.since) {
      first_day = FloorDiv(*filter.since, kSecondsPerDay) + (*filter.since % kSecondsPerDay != 0);
    }
    if (filter.until) end_day = FloorDiv(*filter.until, kSecondsPerDay);
    if (first_day && end_day && *first_day >= *end_day) return ScanPosts(conn, filter, acc);

    PostFilter rest = filter;
    rest.since.reset();
    rest.until.reset();
    sqlite::SqlWhere where = sqlite::BuildPostWhere(rest);
    if (first_day) {
      where.sql += where.sql.empty() ? " WHERE " : " AND ";
      where.sql += "day >= ?";
      where.params.emplace_back(*first_day);
    }
    if (end_day) {
      where.sql += where.sql.empty() ? " WHERE " : " AND ";
      where.sql += "day < ?";
      where.params.emplace_back(*end_day);
    }
    CT_ASSIGN_OR_RETURN(Statement s, conn.Prepare(std::string("SELECT day, ") + kStatsColumns +
                                                  ", n FROM post_rollup" + where.sql));
    s.BindAll(where.params);
    for (;;) {
      CT_ASSIGN_OR_RETURN(bool row, s.Step());
      if (!row) break;
      acc.Add(s);
    }
    if (first_day && *first_day * kSecondsPerDay != *filter.since) {
      PostFilter head = rest;
      head.since = filter.since;
      head.until = *first_day * kSecondsPerDay;
      CT_RETURN_IF_ERROR(ScanPosts(conn, head, acc));
    }
    if (end_day && *end_day * kSecondsPerDay != *filter.until) {
      PostFilter tail = rest;
      tail.since = *end_day * kSecondsPerDay;
      tail.until = filter.until;
      CT_RETURN_IF_ERROR(ScanPosts(conn, tail, acc));
    }
    return Status::Ok();
  }

  static Status ScanPosts(SqliteConnection& conn, const PostFilter& filter,
                          StatsAccumulator& acc) {
    // Whole UTC day by floor division (also right before 1970).
    std::string sql = std::string(
                          "SELECT (created_at - ((created_at % 86400) + 86400) % 86400) / 86400, ") +
                      kStatsColumns + ", 1";
    std::vector<SqlValue> params;
    if (auto search = SearchFrom(filter)) {
      // Text search: only the matches inside [since, until), found by search-key range.
      sql += search->first;
      params = std::move(search->second);
    } else {
      sqlite::SqlWhere where = sqlite::BuildPostWhere(filter);
      sql += " FROM posts" + where.sql;
      params = std::move(where.params);
    }
    CT_ASSIGN_OR_RETURN(Statement s, conn.Prepare(sql));
    s.BindAll(params);
    for (;;) {
      CT_ASSIGN_OR_RETURN(bool row, s.Step());
      if (!row) break;
      acc.Add(s);
    }
    return Status::Ok();
  }

  // The triggers a bulk load replaces with one pass at the end (see BulkUpsertPosts).
  static constexpr const char* kDeferredTriggers[] = {"posts_fts_insert", "posts_fts_update",
                                                      "posts_rollup_insert", "posts_rollup_update",
                                                      "posts_version_update"};

  struct BulkLoad {
    std::int64_t first_new_id = 0;  // rows from here on were inserted by this load
  };

  static Result<std::vector<Post>> PrepareBatch(std::span<const Post> posts) {
    std::vector<Post> batch(posts.begin(), posts.end());
    for (std::size_t i = 0; i < batch.size(); ++i) {
      CT_RETURN_IF_ERROR(ValidatePost(batch[i], i));
      NormalizePost(batch[i]);
    }
    return batch;
  }

  // Upserts a validated, normalised batch inside the caller's write transaction. With `bulk`,
  // the deferred triggers are gone: see BulkUpsertPosts.
  static Status UpsertLocked(SqliteConnection& conn, const std::vector<Post>& batch,
                             const BulkLoad* bulk, UpsertSummary& summary) {
    for (const Post& post : batch) {
      CT_ASSIGN_OR_RETURN(std::optional<std::int64_t> stored_id, FindDuplicateId(conn, post));
      std::optional<Post> stored;
      if (stored_id) {
        CT_ASSIGN_OR_RETURN(Post row, ReadPostById(conn, *stored_id));
        stored = std::move(row);
      }
      if (!stored) {
        if (bulk &&
            (post.created_at >= kSearchKeyTimeLimit || post.created_at < -kSearchKeyTimeLimit)) {
          // What posts_fts_insert raises, said before the row is written.
          return Status::InvalidArgument("post " + post.source + "/" + post.external_id +
                                         ": created_at out of the search key range");
        }
        CT_ASSIGN_OR_RETURN(Statement insert, conn.Prepare(kInsertPost));
        BindForInsert(insert, post);
        Status s = insert.Run();
        if (!s.ok()) return s.WithContext("inserting " + post.source + "/" + post.external_id);
        if (bulk && conn.LastInsertRowid() >= kSearchKeyIdLimit) {
          return Status::InvalidArgument("post " + post.source + "/" + post.external_id +
                                         ": id out of the search key range");
        }
        ++summary.inserted;
      } else if (SameCollectedFields(*stored, post)) {
        ++summary.unchanged;
      } else {
        CT_ASSIGN_OR_RETURN(Statement update, conn.Prepare(kUpdatePost));
        BindCollectedForUpdate(update, post);
        update.BindInt(21, stored->id);
        Status s = update.Run();
        if (!s.ok()) return s.WithContext("updating post " + std::to_string(stored->id));
        if (bulk && stored->id < bulk->first_new_id) {
          CT_RETURN_IF_ERROR(MaintainIndexesOnUpdate(conn, *stored, post)
                                 .WithContext("updating post " + std::to_string(stored->id)));
        }
        ++summary.updated;
      }
    }
    return Status::Ok();
  }

  // What posts_fts_update and posts_rollup_update do for an update of `old` to the collected
  // fields of `post` (kUpdatePost keeps id, source, created_at and the triage fields).
  static Status MaintainIndexesOnUpdate(SqliteConnection& conn, const Post& old, const Post& post) {
    if (old.title != post.title || old.content != post.content) {
      const std::int64_t key = old.created_at * kSearchKeyIdLimit + old.id;
      {
        CT_ASSIGN_OR_RETURN(Statement s,
                            conn.Prepare("INSERT INTO posts_fts (posts_fts, rowid, title, content) "
                                         "VALUES ('delete', ?, ?, ?)"));
        s.BindInt(1, key);
        s.BindText(2, old.title);
        s.BindText(3, old.content);
        CT_RETURN_IF_ERROR(s.Run());
      }
      CT_ASSIGN_OR_RETURN(
          Statement s,
          conn.Prepare("INSERT INTO posts_fts (rowid, title, content) VALUES (?, ?, ?)"));
      s.BindInt(1, key);
      s.BindText(2, post.title);
      s.BindText(3, post.content);
      CT_RETURN_IF_ERROR(s.Run());
    }
    if (old.sentiment_label != post.sentiment_label || old.product != post.product ||
        old.language != post.language || old.country != post.country ||
        old.is_complaint != post.is_complaint) {
      constexpr char kKey[] =
          " WHERE day = ?1 AND source = ?2 AND sentiment_label = ?3 AND product = ?4 AND "
          "language = ?5 AND country = ?6 AND is_complaint = ?7 AND answered = ?8 AND "
          "false_positive = ?9";
      auto bind_key = [&](Statement& s, const Post& p) {
        s.BindInt(1, FloorDiv(old.created_at, kSecondsPerDay));
        s.BindText(2, old.source);
        s.BindText(3, p.sentiment_label);
        s.BindText(4, p.product);
        s.BindText(5, p.language);
        s.BindText(6, p.country);
        s.BindInt(7, p.is_complaint ? 1 : 0);
        s.BindInt(8, old.answered ? 1 : 0);
        s.BindInt(9, old.false_positive ? 1 : 0);
      };
      {
        CT_ASSIGN_OR_RETURN(Statement s,
                            conn.Prepare(std::string("UPDATE post_rollup SET n = n - 1") + kKey));
        bind_key(s, old);
        CT_RETURN_IF_ERROR(s.Run());
      }
      {
        CT_ASSIGN_OR_RETURN(Statement s, conn.Prepare(std::string("DELETE FROM post_rollup") +
                                                      kKey + " AND n = 0"));
        bind_key(s, old);
        CT_RETURN_IF_ERROR(s.Run());
      }
      CT_ASSIGN_OR_RETURN(Statement s,
                          conn.Prepare("INSERT INTO post_rollup VALUES (?1, ?2, ?3, ?4, ?5, ?6, "
                                       "?7, ?8, ?9, 1) ON CONFLICT DO UPDATE SET n = n + 1"));
      bind_key(s, post);
      CT_RETURN_IF_ERROR(s.Run());
    }
    return Status::Ok();
  }

  // The id of the stored post `post` duplicates, by (source, external_id), then normalised URL,
  // then (source, content_hash); the oldest one when several match. Each probe reads only an
  // index (the new posts of an import miss all three).
  static Result<std::optional<std::int64_t>> FindDuplicateId(SqliteConnection& conn,
                                                             const Post& post) {
    {
      CT_ASSIGN_OR_RETURN(Statement s,
                          conn.Prepare("SELECT id FROM posts WHERE source = ? AND external_id = ?"));
      s.BindText(1, post.source);
      s.BindText(2, post.external_id);
      CT_ASSIGN_OR_RETURN(bool row, s.Step());
      if (row) return std::optional<std::int64_t>(s.ColumnInt(0));
    }
    if (!post.url.empty()) {
      // "url <> ''" lets SQLite use the partial index posts_url.
      CT_ASSIGN_OR_RETURN(Statement s, conn.Prepare("SELECT id FROM posts WHERE url = ? AND "
                                                    "url <> '' ORDER BY id LIMIT 1"));
      s.BindText(1, post.url);
      CT_ASSIGN_OR_RETURN(bool row, s.Step());
      if (row) return std::optional<std::int64_t>(s.ColumnInt(0));
    }
    {
      CT_ASSIGN_OR_RETURN(Statement s, conn.Prepare("SELECT id FROM posts WHERE source = ? AND "
                                                    "content_hash = ? ORDER BY id LIMIT 1"));
      s.BindText(1, post.source);
      s.BindText(2, post.content_hash);
      CT_ASSIGN_OR_RETURN(bool row, s.Step());
      if (row) return std::optional<std::int64_t>(s.ColumnInt(0));
    }
    return std::optional<std::int64_t>();
  }

  const Clock& clock_;
  const SqliteStoreOptions options_;
  std::mutex writer_mu_;
  std::unique_ptr<SqliteConnection> writer_;  // guarded by writer_mu_
  std::unique_ptr<ConnectionPool> readers_;
  StatsCache stats_cache_;
};

}  // namespace

Result<std::unique_ptr<Store>> OpenSqliteStore(const std::string& path, const StoreConfig& cfg,
                                               const Clock& clock,
                                               const SqliteStoreOptions& options) {
  if (path.empty()) return Status::InvalidArgument("sqlite database path is empty");
  if (cfg.busy_timeout_ms < 0) {
    return Status::InvalidArgument("busy_timeout_ms must not be negative");
  }
  SqliteConnection::Options writer_options;
  writer_options.busy_timeout_ms = cfg.busy_timeout_ms;
  // Index maintenance during imports touches pages all over the indexes; keeping them cached
  // avoids re-reading them (memory is only used as pages are touched).
  writer_options.cache_kib = 256 * 1024;
  // Checkpoint (copy the WAL into the database and fsync) per ~64 MB of WAL rather than per
  // 4 MB: an import batch of 1,000 posts writes several MB, and checkpointing after every batch
  // fsynced the database file each time. The WAL is truncated back to 64 MB afterwards.
  writer_options.wal_autocheckpoint_pages = 16'384;
  writer_options.journal_size_limit_bytes = 64LL * 1024 * 1024;
  auto writer = SqliteConnection::Open(path, writer_options);
  if (!writer.ok()) return writer.status();
  Status migrated = sqlite::ApplyMigrations(**writer, clock);
  if (!migrated.ok()) return migrated.WithContext("migrating '" + path + "'");

  SqliteConnection::Options reader_options = writer_options;
  reader_options.query_only = true;
  reader_options.cache_kib = 16 * 1024;
  std::vector<std::unique_ptr<SqliteConnection>> readers;
  // Every API I/O thread (one per core by default) may hold a reader at once.
  const int n = std::max({2, cfg.pool_size, static_cast<int>(std::thread::hardware_concurrency())});
  for (int i = 0; i < n; ++i) {
    CT_ASSIGN_OR_RETURN(auto reader, SqliteConnection::Open(path, reader_options));
    readers.push_back(std::move(reader));
  }
  return std::unique_ptr<Store>(new SqliteStore(
      std::move(*writer), std::make_unique<ConnectionPool>(std::move(readers)), clock, options));
}

}  // namespace ct
