#include "tools/migrate_data.h"

#include <sqlite3.h>

#include <algorithm>
#include <atomic>
#include <charconv>
#include <cstdlib>
#include <limits>
#include <map>
#include <memory>
#include <nlohmann/json.hpp>
#include <optional>
#include <random>
#include <set>

#include "core/config.h"
#include "domain/post_normalize.h"
#include "jobs/backup_job.h"
#include "jobs/queue_factory.h"
#include "store/postgres/pg_connection.h"
#include "store/postgres/pg_transaction.h"
#include "store/store.h"

namespace ct {
namespace {

// --- rows in canonical text ------------------------------------------------------------------
// Every cell is the text PostgreSQL's COPY accepts and the verification compares:
// integers in decimal, doubles shortest round-trip, booleans t/f, NULL = nullopt.

enum class Kind { kInt, kReal, kBool, kText };
struct Column {
  const char* name;
  Kind kind;
};
using Cell = std::optional<std::string>;
using Row = std::vector<Cell>;

struct TableSpec {
  std::string name;
  std::vector<Column> columns;  // the first one is the primary key (except schedule_firings)
  std::string conflict;         // ON CONFLICT target
  bool update_on_conflict;      // else DO NOTHING (immutable rows)
  bool identity_always = false; // GENERATED ALWAYS AS IDENTITY on the key
  bool sequence = false;        // an identity sequence to move past max(key)
  bool sampled_by_key = true;
  // Columns that say which thing a row is: a target row with the same key but other values
  // here is a different post/token, never overwritten.
  std::vector<std::string> identity = {};
};

std::string CanonicalDouble(double v) {
  char buf[64];
  auto [end, ec] = std::to_chars(buf, buf + sizeof buf, v);
  return ec == std::errc() ? std::string(buf, end) : std::to_string(v);
}

// PostgreSQL's text for a cell of `kind`, made canonical.
Cell CanonicalFromPg(const pg::PgResult& r, int row, int col, Kind kind) {
  if (r.IsNull(row, col)) return std::nullopt;
  std::string_view t = r.Text(row, col);
  if (kind == Kind::kReal) return CanonicalDouble(std::strtod(std::string(t).c_str(), nullptr));
  return std::string(t);
}

std::uint64_t Fnv(std::uint64_t h, std::string_view s) {
  for (unsigned char c : s) {
    h ^= c;
    h *= 1099511628211ULL;
  }
  return h;
}
std::uint64_t RowHash(const Row& row, std::uint64_t h = 1469598103934665603ULL) {
  for (const Cell& c : row) {
    h = c ? Fnv(Fnv(h, "v"), *c) : Fnv(h, "\\N");
    h = Fnv(h, "\x1f");
  }
  return h;
}

void AppendCopyRow(std::string& out, const Row& row) {
  for (std::size_t i = 0; i < row.size(); ++i) {
    if (i) out += '\t';
    if (row[i]) {
      pg::AppendCopyText(out, *row[i]);
    } else {
      out += "\\N";
    }
  }
  out += '\n';
}

std::string ColumnList(const TableSpec& t, const std::string& prefix = "") {
  std::string s;
  for (const Column& c : t.columns) {
    if (!s.empty()) s += ", ";
    s += prefix + c.name;
  }
  return s;
}

const std::vector<Column> kPostColumns = {
    {"id", Kind::kInt},           {"source", Kind::kText},
    {"external_id", Kind::kText}, {"url", Kind::kText},
    {"title", Kind::kText},       {"content", Kind::kText},
    {"author", Kind::kText},      {"created_at", Kind::kInt},
    {"collected_at", Kind::kInt}, {"language", Kind::kText},
    {"sentiment_score", Kind::kReal}, {"sentiment_label", Kind::kText},
    {"is_complaint", Kind::kBool},    {"complaint_score", Kind::kReal},
    {"product", Kind::kText},         {"country", Kind::kText},
    {"relevance_score", Kind::kReal}, {"rating", Kind::kReal},
    {"likes", Kind::kInt},            {"score", Kind::kInt},
    {"comments", Kind::kInt},         {"evidence", Kind::kText},
    {"metadata", Kind::kText},        {"answered", Kind::kBool},
    {"answered_at", Kind::kInt},      {"answered_by", Kind::kText},
    {"answered_method", Kind::kText}, {"false_positive", Kind::kBool},
    {"content_hash", Kind::kText}};

std::vector<TableSpec> OurTables() {
  return {
      {"posts", kPostColumns, "id", true, false, true, true, {"source", "external_id"}},
      {"api_tokens",
       {{"id", Kind::kInt}, {"name", Kind::kText}, {"role", Kind::kText},
        {"secret_hash", Kind::kText}, {"created_at", Kind::kInt}, {"revoked_at", Kind::kInt}},
       "id", true, false, true, true, {"name", "secret_hash"}},
      {"jobs",
       {{"id", Kind::kText},           {"type", Kind::kText},
        {"queue", Kind::kText},        {"payload", Kind::kText},
        {"priority", Kind::kInt},      {"state", Kind::kText},
        {"unique_key", Kind::kText},   {"attempts", Kind::kInt},
        {"errors", Kind::kInt},        {"max_attempts", Kind::kInt},
        {"crashes", Kind::kInt},       {"max_crashes", Kind::kInt},
        {"timeout_s", Kind::kInt},     {"created_at", Kind::kInt},
        {"run_at", Kind::kInt},        {"started_at", Kind::kInt},
        {"finished_at", Kind::kInt},   {"heartbeat_at", Kind::kInt},
        {"lease_expires_at", Kind::kInt}, {"worker_id", Kind::kText},
        {"lease_token", Kind::kInt},   {"progress_done", Kind::kInt},
        {"progress_total", Kind::kInt}, {"progress_message", Kind::kText},
        {"progress_event_at", Kind::kInt}, {"result", Kind::kText},
        {"last_error", Kind::kText},   {"last_failure", Kind::kText},
        {"exit_signal", Kind::kInt},   {"cancel_requested", Kind::kInt},
        {"expires_at", Kind::kInt}},
       "id", true},
      {"job_events",
       {{"id", Kind::kInt}, {"job_id", Kind::kText}, {"at", Kind::kInt}, {"kind", Kind::kText},
        {"detail", Kind::kText}},
       "id", false, true, true},
      {"schedule_firings",
       {{"schedule", Kind::kText}, {"fire_time", Kind::kInt}, {"expires_at", Kind::kInt}},
       "schedule, fire_time", false, false, false, false},
  };
}

// --- sources ---------------------------------------------------------------------------------

class RowSource {
 public:
  virtual ~RowSource() = default;
  virtual std::string kind() const = 0;
  virtual std::vector<TableSpec> Tables() = 0;  // the tables this source has
  virtual Result<std::int64_t> Count(const TableSpec& t) = 0;
  // Calls `batch` with up to `n` rows at a time, in key order.
  virtual Status Scan(const TableSpec& t, int n,
                      const std::function<Status(std::vector<Row>&)>& batch) = 0;
  // Rows by key (canonical key text); missing keys are simply absent.
  virtual Result<std::vector<Row>> Fetch(const TableSpec& t,
                                         const std::vector<std::string>& keys) = 0;
  virtual Result<std::vector<std::string>> SampleKeys(const TableSpec& t, int n,
                                                      std::uint64_t seed) = 0;
  std::vector<std::string> notes;
};

struct SqliteCloser {
  void operator()(sqlite3* db) const { sqlite3_close_v2(db); }
};
struct StmtCloser {
  void operator()(sqlite3_stmt* s) const { sqlite3_finalize(s); }
};

class SqliteSource final : public RowSource {
 public:
  static Result<std::unique_ptr<SqliteSource>> Open(const std::string& path) {
    sqlite3* raw = nullptr;
    const int rc = sqlite3_open_v2(path.c_str(), &raw, SQLITE_OPEN_READONLY, nullptr);
    std::unique_ptr<sqlite3, SqliteCloser> db(raw);
    if (rc != SQLITE_OK) {
      return Status::Unavailable("opening " + path + ": " +
                                 (raw ? sqlite3_errmsg(raw) : sqlite3_errstr(rc)));
    }
    sqlite3_busy_timeout(db.get(), 10'000);
    auto s = std::unique_ptr<SqliteSource>(new SqliteSource(std::move(db)));
    // One read transaction: every table is read from the same snapshot.
    CT_RETURN_IF_ERROR(s->Exec("BEGIN"));
    CT_RETURN_IF_ERROR(s->Exec("SELECT count(*) FROM sqlite_master"));  // takes the snapshot
    return s;
  }
  ~SqliteSource() override { (void)Exec("ROLLBACK"); }

  std::string kind() const override { return "sqlite"; }

  std::vector<TableSpec> Tables() override {
    std::vector<TableSpec> out;
    for (TableSpec& t : OurTables()) {
      auto n = Query("SELECT count(*) FROM sqlite_master WHERE type = 'table' AND name = ?",
                     {t.name}, 1);
      if (n.ok() && !n->empty() && (*n)[0][0] != "0") {
        out.push_back(std::move(t));
      } else if (t.name == "posts") {
        out.push_back(std::move(t));  // Count() will say what is wrong
      }
    }
    return out;
  }

  Result<std::int64_t> Count(const TableSpec& t) override {
    CT_ASSIGN_OR_RETURN(auto rows, Query("SELECT count(*) FROM " + t.name, {}, 1));
    return std::strtoll(rows[0][0]->c_str(), nullptr, 10);
  }

  Status Scan(const TableSpec& t, int n,
              const std::function<Status(std::vector<Row>&)>& batch) override {
    CT_ASSIGN_OR_RETURN(auto stmt, Prepare("SELECT " + ColumnList(t) + " FROM " + t.name +
                                           " ORDER BY " + t.conflict));
    std::vector<Row> rows;
    rows.reserve(n);
    for (;;) {
      const int rc = sqlite3_step(stmt.get());
      if (rc == SQLITE_ROW) {
        rows.push_back(ReadRow(stmt.get(), t));
        if (static_cast<int>(rows.size()) >= n) {
          CT_RETURN_IF_ERROR(batch(rows));
          rows.clear();
        }
        continue;
      }
      if (rc != SQLITE_DONE) return Error("reading " + t.name);
      break;
    }
    if (!rows.empty()) CT_RETURN_IF_ERROR(batch(rows));
    return Status::Ok();
  }

  Result<std::vector<Row>> Fetch(const TableSpec& t,
                                 const std::vector<std::string>& keys) override {
    CT_ASSIGN_OR_RETURN(auto stmt, Prepare("SELECT " + ColumnList(t) + " FROM " + t.name +
                                           " WHERE " + t.columns[0].name + " = ?"));
    std::vector<Row> out;
    for (const std::string& k : keys) {
      sqlite3_reset(stmt.get());
      if (t.columns[0].kind == Kind::kInt) {
        sqlite3_bind_int64(stmt.get(), 1, std::strtoll(k.c_str(), nullptr, 10));
      } else {
        sqlite3_bind_text(stmt.get(), 1, k.data(), static_cast<int>(k.size()), SQLITE_TRANSIENT);
      }
      const int rc = sqlite3_step(stmt.get());
      if (rc == SQLITE_ROW) out.push_back(ReadRow(stmt.get(), t));
      else if (rc != SQLITE_DONE) return Error("reading " + t.name);
    }
    return out;
  }

  Result<std::vector<std::string>> SampleKeys(const TableSpec& t, int n,
                                              std::uint64_t seed) override {
    // Deterministic for a seed: order by a hash of the key.
    CT_ASSIGN_OR_RETURN(auto rows, Query("SELECT " + std::string(t.columns[0].name) + " FROM " +
                                             t.name,
                                         {}, 1));
    return PickSample(rows, n, seed);
  }

  static std::vector<std::string> PickSample(const std::vector<Row>& rows, int n,
                                             std::uint64_t seed) {
    std::vector<std::string> keys;
    keys.reserve(rows.size());
    for (const Row& r : rows) keys.push_back(r[0].value_or(""));
    std::mt19937_64 rng(seed);
    std::shuffle(keys.begin(), keys.end(), rng);
    if (static_cast<int>(keys.size()) > n) keys.resize(n);
    return keys;
  }

 private:
  explicit SqliteSource(std::unique_ptr<sqlite3, SqliteCloser> db) : db_(std::move(db)) {}

  Status Error(const std::string& what) {
    return Status::Unavailable("source: " + what + ": " + sqlite3_errmsg(db_.get()));
  }
  Status Exec(const std::string& sql) {
    char* err = nullptr;
    if (sqlite3_exec(db_.get(), sql.c_str(), nullptr, nullptr, &err) != SQLITE_OK) {
      std::string m = err ? err : "?";
      sqlite3_free(err);
      return Status::Unavailable("source: " + sql + ": " + m);
    }
    return Status::Ok();
  }
  Result<std::unique_ptr<sqlite3_stmt, StmtCloser>> Prepare(const std::string& sql) {
    sqlite3_stmt* s = nullptr;
    if (sqlite3_prepare_v2(db_.get(), sql.c_str(), -1, &s, nullptr) != SQLITE_OK) {
      return Status::FailedPrecondition("source: " + sql + ": " + sqlite3_errmsg(db_.get()));
    }
    return std::unique_ptr<sqlite3_stmt, StmtCloser>(s);
  }
  Result<std::vector<Row>> Query(const std::string& sql, const std::vector<std::string>& args,
                                 int cols) {
    CT_ASSIGN_OR_RETURN(auto stmt, Prepare(sql));
    for (std::size_t i = 0; i < args.size(); ++i) {
      sqlite3_bind_text(stmt.get(), static_cast<int>(i + 1), args[i].c_str(), -1,
                        SQLITE_TRANSIENT);
    }
    std::vector<Row> out;
    int rc;
    while ((rc = sqlite3_step(stmt.get())) == SQLITE_ROW) {
      Row r;
      for (int c = 0; c < cols; ++c) r.push_back(Text(stmt.get(), c));
      out.push_back(std::move(r));
    }
    if (rc != SQLITE_DONE) return Error(sql);
    return out;
  }
  static Cell Text(sqlite3_stmt* s, int c) {
    if (sqlite3_column_type(s, c) == SQLITE_NULL) return std::nullopt;
    const auto* p = sqlite3_column_text(s, c);
    return std::string(reinterpret_cast<const char*>(p), sqlite3_column_bytes(s, c));
  }
  static Row ReadRow(sqlite3_stmt* s, const TableSpec& t) {
    Row row;
    row.reserve(t.columns.size());
    for (int c = 0; c < static_cast<int>(t.columns.size()); ++c) {
      if (sqlite3_column_type(s, c) == SQLITE_NULL) {
        row.emplace_back(std::nullopt);
        continue;
      }
      switch (t.columns[c].kind) {
        case Kind::kInt:
          row.emplace_back(std::to_string(sqlite3_column_int64(s, c)));
          break;
        case Kind::kReal:
          row.emplace_back(CanonicalDouble(sqlite3_column_double(s, c)));
          break;
        case Kind::kBool:
          row.emplace_back(sqlite3_column_int64(s, c) != 0 ? "t" : "f");
          break;
        case Kind::kText:
          row.push_back(Text(s, c));
          break;
      }
    }
    return row;
  }

  std::unique_ptr<sqlite3, SqliteCloser> db_;
};

// The predecessor's PostgreSQL `posts` table, mapped onto ours. Only the posts are migrated.
class LegacyPgSource final : public RowSource {
 public:
  static Result<std::unique_ptr<LegacyPgSource>> Open(const std::string& url) {
    CT_ASSIGN_OR_RETURN(auto conn, pg::PgConnection::Connect(url, 0, 10));
    auto s = std::unique_ptr<LegacyPgSource>(new LegacyPgSource(std::move(conn)));
    CT_RETURN_IF_ERROR(s->conn_->Exec("BEGIN ISOLATION LEVEL REPEATABLE READ READ ONLY").status());
    CT_ASSIGN_OR_RETURN(auto cols, s->conn_->Exec(
                                       "SELECT column_name, data_type FROM information_schema.columns"
                                       " WHERE table_name = 'posts' AND table_schema = current_schema()"));
    for (int i = 0; i < cols.rows(); ++i) {
      s->columns_[std::string(cols.Text(i, 0))] = std::string(cols.Text(i, 1));
    }
    if (s->columns_.empty()) {
      return Status::FailedPrecondition("the source database has no posts table");
    }
    if (s->columns_.contains("external_id") && s->columns_.contains("content_hash")) {
      return Status::InvalidArgument(
          "the source is already a complaints PostgreSQL database: copy it with complaints backup "
          "+ complaints restore (pg_dump/pg_restore) instead");
    }
    for (const char* need : {"id", "content"}) {
      if (!s->columns_.contains(need)) {
        return Status::FailedPrecondition(std::string("the source posts table has no ") + need +
                                          " column");
      }
    }
    s->BuildSelect();
    return s;
  }
  ~LegacyPgSource() override { (void)conn_->Exec("ROLLBACK"); }

  std::string kind() const override { return "legacy-postgresql"; }
  std::vector<TableSpec> Tables() override { return {OurTables()[0]}; }

  Result<std::int64_t> Count(const TableSpec&) override {
    CT_ASSIGN_OR_RETURN(auto r, conn_->Exec("SELECT count(*) FROM posts"));
    return r.Int(0, 0);
  }

  Status Scan(const TableSpec& t, int n,
              const std::function<Status(std::vector<Row>&)>& batch) override {
    std::int64_t after = std::numeric_limits<std::int64_t>::min();
    for (;;) {
      pg::PgParams p;
      p.Add(after).Add(n);
      CT_ASSIGN_OR_RETURN(auto r, conn_->Exec(select_ + " WHERE p.id::bigint > $1::bigint ORDER BY p.id LIMIT $2", p));
      if (r.rows() == 0) return Status::Ok();
      std::vector<Row> rows = Convert(r, t);
      after = r.Int(r.rows() - 1, 0);
      CT_RETURN_IF_ERROR(batch(rows));
      if (r.rows() < n) return Status::Ok();
    }
  }

  Result<std::vector<Row>> Fetch(const TableSpec& t,
                                 const std::vector<std::string>& keys) override {
    pg::PgParams p;
    p.AddTextArray(keys);
    CT_ASSIGN_OR_RETURN(auto r, conn_->Exec(select_ + " WHERE p.id = ANY($1::bigint[])", p));
    return Convert(r, t);
  }

  Result<std::vector<std::string>> SampleKeys(const TableSpec&, int n,
                                              std::uint64_t seed) override {
    CT_ASSIGN_OR_RETURN(auto r, conn_->Exec("SELECT id::bigint FROM posts"));
    std::vector<Row> rows;
    for (int i = 0; i < r.rows(); ++i) rows.push_back({std::string(r.Text(i, 0))});
    return SqliteSource::PickSample(rows, n, seed);
  }

 private:
  explicit LegacyPgSource(std::unique_ptr<pg::PgConnection> conn) : conn_(std::move(conn)) {}

  bool Has(const std::string& c) const { return columns_.contains(c); }
  std::string Text(const std::string& c, const std::string& fallback = "''") {
    return Has(c) ? "coalesce(p." + c + "::text, " + fallback + ")" : fallback;
  }
  std::string Num(const std::string& c) {
    return Has(c) ? "coalesce(p." + c + "::float8, 0)" : "0::float8";
  }
  std::string Epoch(const std::string& c) {
    const std::string& type = columns_[c];
    if (type.starts_with("timestamp") || type == "date") {
      return "extract(epoch from p." + c + ")::bigint";
    }
    return "p." + c + "::bigint";
  }

  void BuildSelect() {
    std::set<std::string> mapped;
    auto use = [&](std::initializer_list<const char*> cs) {
      for (const char* c : cs) mapped.insert(c);
    };
    use({"id", "source", "external_id", "url", "title", "content", "author", "created_at",
         "collected_at", "scraped_at", "language", "sentiment_score", "sentiment_label",
         "is_complaint", "complaint_score", "product", "country", "relevance_score", "rating",
         "likes", "score", "comments", "is_answered", "answered", "answered_at", "answered_by",
         "false_positive"});
    const std::string created = Has("created_at") ? "coalesce(" + Epoch("created_at") + ", 0)" : "0";
    const std::string collected =
        Has("collected_at") ? "coalesce(" + Epoch("collected_at") + ", " + created + ")"
        : Has("scraped_at") ? "coalesce(" + Epoch("scraped_at") + ", " + created + ")"
                            : created;
    const std::string answered = Has("is_answered") ? "coalesce(p.is_answered::boolean, false)"
                                 : Has("answered")  ? "coalesce(p.answered::boolean, false)"
                                                    : "false";
    // Columns in kPostColumns order (content_hash is computed here, from title and content).
    select_ = "SELECT p.id::bigint, " + std::string(Has("source") ? "coalesce(nullif(p.source::text, ''), 'legacy')" : "'legacy'") +
              ", " + (Has("external_id") ? "coalesce(nullif(p.external_id::text, ''), 'legacy-' || p.id)" : "'legacy-' || p.id") +
              ", " + Text("url") + ", " + Text("title") + ", " + Text("content") + ", " +
              Text("author") + ", " + created + ", " + collected + ", " + Text("language") + ", " +
              Num("sentiment_score") + ", " + Text("sentiment_label") + ", " +
              (Has("is_complaint") ? "coalesce(p.is_complaint::boolean, false)" : "false") + ", " +
              Num("complaint_score") + ", " + Text("product") + ", " + Text("country") + ", " +
              Num("relevance_score") + ", " + (Has("rating") ? "p.rating::float8" : "NULL::float8") +
              ", " + (Has("likes") ? "coalesce(p.likes::bigint, 0)" : "0") + ", " +
              (Has("score") ? "coalesce(p.score::bigint, 0)" : "0") + ", " +
              (Has("comments") ? "coalesce(p.comments::bigint, 0)" : "0") + ", '{}', " +
              "json_build_object('migrated_from', 'legacy', 'legacy_id', p.id)::text, " + answered +
              ", " + (Has("answered_at") ? Epoch("answered_at") : "NULL::bigint") + ", " +
              Text("answered_by") + ", CASE WHEN " + answered + " THEN 'legacy' ELSE '' END, " +
              (Has("false_positive") ? "coalesce(p.false_positive::boolean, false)" : "false") +
              " FROM posts p";
    std::vector<std::string> unmapped;
    for (const auto& [c, type] : columns_) {
      if (!mapped.contains(c)) unmapped.push_back(c);
    }
    if (!unmapped.empty()) {
      std::string list;
      for (const auto& c : unmapped) list += (list.empty() ? "" : ", ") + c;
      notes.push_back("predecessor columns not migrated: " + list);
    }
    if (!Has("is_complaint")) {
      notes.push_back("the predecessor has no is_complaint: every post is migrated as not a "
                      "complaint; re-run the analysis to classify them");
    }
  }

  std::vector<Row> Convert(const pg::PgResult& r, const TableSpec& t) {
    std::vector<Row> rows;
    rows.reserve(r.rows());
    const int n = static_cast<int>(t.columns.size());
    for (int i = 0; i < r.rows(); ++i) {
      Row row;
      row.reserve(n);
      for (int c = 0; c < n - 1; ++c) row.push_back(CanonicalFromPg(r, i, c, t.columns[c].kind));
      row.emplace_back(ContentHash(row[4].value_or(""), row[5].value_or("")));
      rows.push_back(std::move(row));
    }
    return rows;
  }

  std::unique_ptr<pg::PgConnection> conn_;
  std::map<std::string, std::string> columns_;  // name -> data_type
  std::string select_;
};

// --- target ----------------------------------------------------------------------------------

Result<std::vector<Row>> FetchTarget(pg::PgConnection& conn, const TableSpec& t,
                                     const std::vector<std::string>& keys) {
  pg::PgParams p;
  p.AddTextArray(keys);
  std::string cols;
  for (const Column& c : t.columns) {
    if (!cols.empty()) cols += ", ";
    cols += std::string(c.name) + (c.kind == Kind::kText ? "::text" : "");
  }
  const std::string cast = t.columns[0].kind == Kind::kInt ? "bigint[]" : "text[]";
  CT_ASSIGN_OR_RETURN(auto r, conn.Exec("SELECT " + cols + " FROM " + t.name + " WHERE " +
                                            t.columns[0].name + " = ANY($1::" + cast + ")",
                                        p));
  std::vector<Row> rows;
  for (int i = 0; i < r.rows(); ++i) {
    Row row;
    for (int c = 0; c < static_cast<int>(t.columns.size()); ++c) {
      row.push_back(CanonicalFromPg(r, i, c, t.columns[c].kind));
    }
    rows.push_back(std::move(row));
  }
  return rows;
}

std::string PrefixEach(const std::string& prefix, const std::vector<std::string>& cols) {
  std::string s;
  for (const std::string& c : cols) s += (s.empty() ? "" : ", ") + prefix + c;
  return s;
}

// The value around `from` (where two values start to differ), quoted, at most ~60 bytes.
std::string Shorten(const Cell& c, std::size_t from) {
  if (!c) return "NULL";
  const std::size_t start = from > 20 ? from - 20 : 0;
  std::string out = "'" + std::string(start > 0 ? "..." : "") + c->substr(start, 60);
  return out + (c->size() > start + 60 ? "...'" : "'");
}

std::size_t FirstDifference(const Cell& a, const Cell& b) {
  if (!a || !b) return 0;
  std::size_t i = 0;
  while (i < a->size() && i < b->size() && (*a)[i] == (*b)[i]) ++i;
  return i;
}

// Compares the sampled rows; appends what differs (at most a few rows) to `diffs`.
Result<std::uint64_t> CompareSample(RowSource& source, pg::PgConnection& conn,
                                    const TableSpec& t, const std::vector<std::string>& keys,
                                    std::vector<std::string>& diffs) {
  CT_ASSIGN_OR_RETURN(auto src, source.Fetch(t, keys));
  CT_ASSIGN_OR_RETURN(auto dst, FetchTarget(conn, t, keys));
  std::map<std::string, const Row*> by_key;
  for (const Row& r : dst) by_key[r[0].value_or("")] = &r;
  std::uint64_t checksum_src = 1469598103934665603ULL, checksum_dst = checksum_src;
  int shown = 0;
  for (const Row& r : src) {
    const std::string key = r[0].value_or("");
    checksum_src = RowHash(r, checksum_src);
    auto it = by_key.find(key);
    if (it == by_key.end()) {
      if (shown++ < 5) diffs.push_back(t.name + " " + key + ": missing in the target");
      continue;
    }
    checksum_dst = RowHash(*it->second, checksum_dst);
    for (std::size_t c = 0; c < r.size(); ++c) {
      if (r[c] != (*it->second)[c]) {
        if (shown++ < 5) {
          const std::size_t at = FirstDifference((*it->second)[c], r[c]);
          diffs.push_back(t.name + " " + key + ": " + t.columns[c].name + " is " +
                          Shorten((*it->second)[c], at) + " in the target, " +
                          Shorten(r[c], at) + " in the source");
        }
        break;
      }
    }
  }
  if (checksum_src != checksum_dst && shown == 0) {
    diffs.push_back(t.name + ": sample checksums differ");
  }
  if (checksum_src != checksum_dst && shown > 5) {
    diffs.push_back(t.name + ": " + std::to_string(shown) + " sampled rows differ in all");
  }
  return checksum_src;
}

Status CopyTable(RowSource& source, pg::PgConnection& conn, const TableSpec& t, int batch_rows,
                 const std::function<void(std::int64_t)>& advanced,
                 std::vector<std::string>& diffs) {
  const std::string stage = "ct_stage_" + t.name;
  CT_RETURN_IF_ERROR(conn.Exec("CREATE TEMP TABLE " + stage + " (LIKE " + t.name +
                               " INCLUDING DEFAULTS) ON COMMIT DROP")
                         .status());
  const std::string copy = "COPY " + stage + " (" + ColumnList(t) + ") FROM STDIN";
  std::string data;
  CT_RETURN_IF_ERROR(source.Scan(t, batch_rows, [&](std::vector<Row>& rows) -> Status {
    data.clear();
    for (const Row& r : rows) AppendCopyRow(data, r);
    CT_RETURN_IF_ERROR(conn.CopyIn(copy, data).status());
    advanced(static_cast<std::int64_t>(rows.size()));
    return Status::Ok();
  }));
  if (!t.identity.empty()) {
    std::string cols;
    for (const std::string& c : t.identity) cols += (cols.empty() ? "" : ", ") + c;
    const std::string key = t.columns[0].name;
    CT_ASSIGN_OR_RETURN(auto clash,
                        conn.Exec("SELECT count(*), min(s." + key + ") FROM " + stage + " s JOIN " +
                                  t.name + " d USING (" + key + ") WHERE (" + PrefixEach("d.", t.identity) +
                                  ") IS DISTINCT FROM (" + PrefixEach("s.", t.identity) + ")"));
    if (clash.Int(0, 0) > 0) {
      diffs.push_back(t.name + ": " + std::to_string(clash.Int(0, 0)) +
                      " row(s) of the target have a source row's " + key + " but are different (" +
                      cols + "), e.g. " + key + " " + std::string(clash.Text(0, 1)) +
                      "; the target holds other data");
      return Status::Ok();
    }
  }
  std::string sql = "INSERT INTO " + t.name + " (" + ColumnList(t) + ") " +
                    (t.identity_always ? "OVERRIDING SYSTEM VALUE " : "") + "SELECT " +
                    ColumnList(t) + " FROM " + stage + " ORDER BY " + t.conflict +
                    " ON CONFLICT (" + t.conflict + ") DO ";
  if (t.update_on_conflict) {
    std::string set, old_row, new_row;
    for (std::size_t i = 1; i < t.columns.size(); ++i) {
      const std::string c = t.columns[i].name;
      set += (set.empty() ? "" : ", ") + c + " = EXCLUDED." + c;
      old_row += (old_row.empty() ? "" : ", ") + t.name + "." + c + "::text";
      new_row += (new_row.empty() ? "" : ", ") + std::string("EXCLUDED.") + c + "::text";
    }
    // Unchanged rows (a second run) are not rewritten.
    sql += "UPDATE SET " + set + " WHERE (" + old_row + ") IS DISTINCT FROM (" + new_row + ")";
  } else {
    sql += "NOTHING";
  }
  CT_RETURN_IF_ERROR(conn.Exec(sql).status());
  if (t.sequence) {
    CT_RETURN_IF_ERROR(conn.Exec("SELECT setval(pg_get_serial_sequence('" + t.name + "', '" +
                                 t.columns[0].name + "'), coalesce((SELECT max(" +
                                 t.columns[0].name + ") FROM " + t.name + "), 0) + 1, false)")
                           .status());
  }
  return Status::Ok();
}

Status CreateTargetSchema(const std::string& to_url, const Clock& clock) {
  StoreConfig sc;
  sc.database_url = to_url;
  sc.pool_size = 1;
  CT_ASSIGN_OR_RETURN(auto store, OpenStore(sc, clock));  // applies the store's migrations
  AppConfig ac;
  ac.store = sc;
  ac.queue.redis_url.clear();  // the SQL queue's tables live in the store's database
  CT_ASSIGN_OR_RETURN(auto queue, OpenJobQueue(ac, clock));
  return Status::Ok();
}

}  // namespace

Result<MigrateReport> MigrateData(const MigrateOptions& o, const Clock& clock,
                                  const MigrateProgress& progress) {
  const bool to_pg = o.to_url.starts_with("postgresql://") || o.to_url.starts_with("postgres://");
  if (!to_pg) return Status::InvalidArgument("--to must be a postgresql:// URL");
  if (o.to_url == o.from_url) return Status::InvalidArgument("--from and --to are the same");
  const bool from_sqlite = o.from_url.starts_with("sqlite:");
  const bool from_pg =
      o.from_url.starts_with("postgresql://") || o.from_url.starts_with("postgres://");
  if (!from_sqlite && !from_pg) {
    return Status::InvalidArgument("--from must be sqlite:PATH or postgresql://...");
  }
  auto say = [&](std::int64_t done, std::int64_t total, const std::string& what) {
    if (progress) progress(done, total, what);
  };
  MigrateReport report;

  // 1. Back the source up.
  if (o.backup_source) {
    say(0, 0, "backing up the source");
    std::atomic<bool> cancel{false};
    JobContext ctx("migrate-data", "backup", "{}", 1, nullptr, &cancel);
    BackupOptions b;
    b.database_url = o.from_url;
    b.data_dir = o.data_dir;
    b.keep_hourly = 1'000'000;  // retention is the backup job's business, not ours
    b.keep_daily = 1'000'000;
    CT_ASSIGN_OR_RETURN(std::string result, RunBackup(b, clock, ctx));
    const auto j = nlohmann::json::parse(result, nullptr, false);
    report.backup_path = j.is_object() ? j.value("path", "") : "";
  }

  // 2. The target's schema.
  say(0, 0, "creating the schema on the target");
  CT_RETURN_IF_ERROR(CreateTargetSchema(o.to_url, clock));

  std::unique_ptr<RowSource> source;
  if (from_sqlite) {
    CT_ASSIGN_OR_RETURN(source, SqliteSource::Open(o.from_url.substr(7)));
  } else {
    CT_ASSIGN_OR_RETURN(source, LegacyPgSource::Open(o.from_url));
  }
  report.source_kind = source->kind();
  const std::vector<TableSpec> tables = source->Tables();
  std::int64_t total = 0;
  for (const TableSpec& t : tables) {
    CT_ASSIGN_OR_RETURN(std::int64_t n, source->Count(t));
    report.tables.push_back({t.name, n});
    total += n;
  }

  // 3. Copy, in one transaction.
  CT_ASSIGN_OR_RETURN(auto conn, pg::PgConnection::Connect(o.to_url, o.statement_timeout_ms, 10));
  CT_ASSIGN_OR_RETURN(auto tx, pg::PgTransaction::Begin(*conn));
  std::int64_t done = 0;
  std::vector<std::string> diffs;
  for (const TableSpec& t : tables) {
    Status s = CopyTable(*source, *conn, t, o.batch_rows, [&](std::int64_t n) {
      done += n;
      say(done, total, "copying " + t.name);
    }, diffs);
    if (!s.ok()) {
      return Status(s.code(), "copying " + t.name + ": " + s.message() +
                                  " (rolled back: nothing was committed)");
    }
  }

  // 4. Verify.
  say(done, total, "verifying");
  const std::uint64_t seed = o.seed != 0 ? o.seed : std::random_device{}();
  for (std::size_t i = 0; i < tables.size(); ++i) {
    const TableSpec& t = tables[i];
    TableCheck& check = report.tables[i];
    CT_ASSIGN_OR_RETURN(auto r, conn->Exec("SELECT count(*) FROM " + t.name));
    check.target_rows = r.Int(0, 0);
    if (check.target_rows != check.source_rows) {
      diffs.push_back(t.name + ": " + std::to_string(check.source_rows) + " rows in the source, " +
                      std::to_string(check.target_rows) + " in the target");
    }
    if (!t.sampled_by_key) continue;
    CT_ASSIGN_OR_RETURN(auto keys, source->SampleKeys(t, o.sample_rows, seed + i));
    check.sampled = static_cast<std::int64_t>(keys.size());
    CT_ASSIGN_OR_RETURN(check.sample_checksum, CompareSample(*source, *conn, t, keys, diffs));
  }
  if (!tables.empty() && tables[0].name == "posts") {
    // The rollup the stats read must count every post (its triggers ran on the upsert).
    CT_ASSIGN_OR_RETURN(auto r, conn->Exec("SELECT (SELECT coalesce(sum(n), 0) FROM post_rollup),"
                                           " (SELECT count(*) FROM posts)"));
    if (r.Int(0, 0) != r.Int(0, 1)) {
      diffs.push_back("post_rollup counts " + std::to_string(r.Int(0, 0)) + " posts, posts has " +
                      std::to_string(r.Int(0, 1)));
    }
  }
  report.notes = source->notes;
  if (!diffs.empty()) {
    std::string m = "verification failed, nothing was committed (rolled back):";
    for (const std::string& d : diffs) m += "\n  " + d;
    return Status::DataLoss(m);  // `tx` rolls back
  }

  // 5. Commit.
  say(total, total, "committing");
  CT_RETURN_IF_ERROR(tx.Commit());
  report.notes.push_back(
      "per-source state (cursors, circuit breakers) lives in <data_dir>/source_state.json, not "
      "in the database: keep the data directory (or copy that file) for the new deployment");
  return report;
}

}  // namespace ct
