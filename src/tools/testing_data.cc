#include "tools/testing_data.h"

#include <sqlite3.h>

#include <algorithm>
#include <memory>

#include "store/postgres/pg_connection.h"

namespace ct::testing {

std::vector<Post> MakePosts(int n, int salt) {
  static const char* kSources[] = {"hackernews", "reddit", "trustpilot", "github", "mastodon"};
  static const char* kLabels[] = {"negative", "neutral", "positive"};
  static const char* kProducts[] = {"vps", "dedicated", "public_cloud", "", "domain"};
  std::vector<Post> posts;
  posts.reserve(n);
  for (int i = 0; i < n; ++i) {
    Post p;
    p.source = kSources[i % 5];
    p.external_id = "ext-" + std::to_string(salt) + "-" + std::to_string(i);
    p.url = "https://example.com/" + std::to_string(salt) + "/post/" + std::to_string(i);
    p.title = "Titre n°" + std::to_string(i) + " \"quoted\" \\ back";
    p.content = "Panne du VPS " + std::to_string(i * 7919 + salt) +
                " depuis ce matin,\tle support ne répond pas.\nSecond line é à ü " +
                std::to_string(i);
    p.author = "user" + std::to_string(i % 997);
    p.created_at = 1'600'000'000 + static_cast<std::int64_t>(i) * 613;
    p.collected_at = p.created_at + 3600;
    p.language = i % 3 == 0 ? "en" : "fr";
    p.sentiment_score = -1.0 + (i % 2001) / 1000.0;
    p.sentiment_label = kLabels[i % 3];
    p.is_complaint = i % 4 == 0;
    p.complaint_score = (i % 101) / 100.0;
    p.product = kProducts[i % 5];
    p.country = i % 2 ? "FR" : "";
    p.relevance_score = (i % 97) / 96.0;
    if (i % 3 == 1) p.rating = 1 + i % 5;
    p.engagement.likes = i % 50;
    p.engagement.score = i % 13 - 6;
    p.engagement.comments = i % 9;
    p.evidence_json = R"({"complaint":["panne"],"n":)" + std::to_string(i) + "}";
    p.metadata_json = i % 2 ? R"({"tags":["a","b"]})" : "{}";
    if (i % 10 == 0) {
      p.answered = true;
      p.answered_at = p.created_at + 7200;
      p.answered_by = "care-team";
      p.answered_method = "manual";
    }
    p.false_positive = i % 17 == 0;
    posts.push_back(std::move(p));
  }
  return posts;
}

Result<std::string> SqliteFingerprint(const std::string& path) {
  sqlite3* raw = nullptr;
  if (sqlite3_open_v2(path.c_str(), &raw, SQLITE_OPEN_READONLY, nullptr) != SQLITE_OK) {
    sqlite3_close(raw);
    return Status::Unavailable("cannot open " + path);
  }
  std::unique_ptr<sqlite3, int (*)(sqlite3*)> db(raw, sqlite3_close);
  auto rows = [&](const std::string& sql) -> Result<std::vector<std::string>> {
    sqlite3_stmt* s = nullptr;
    if (sqlite3_prepare_v2(db.get(), sql.c_str(), -1, &s, nullptr) != SQLITE_OK) {
      return Status::Internal(sql + ": " + sqlite3_errmsg(db.get()));
    }
    std::unique_ptr<sqlite3_stmt, int (*)(sqlite3_stmt*)> stmt(s, sqlite3_finalize);
    std::vector<std::string> out;
    while (sqlite3_step(s) == SQLITE_ROW) {
      std::string row;
      for (int c = 0; c < sqlite3_column_count(s); ++c) {
        if (c) row += '|';
        if (sqlite3_column_type(s, c) == SQLITE_NULL) {
          row += "\\N";
        } else {
          const auto* t = sqlite3_column_blob(s, c);
          row.append(static_cast<const char*>(t ? t : ""), sqlite3_column_bytes(s, c));
        }
      }
      out.push_back(std::move(row));
    }
    return out;
  };
  CT_ASSIGN_OR_RETURN(auto tables,
                      rows("SELECT name FROM sqlite_master WHERE type = 'table' AND "
                           "name NOT LIKE 'sqlite_%' AND sql NOT LIKE 'CREATE VIRTUAL%' "
                           "ORDER BY name"));
  std::string out;
  for (const std::string& t : tables) {
    CT_ASSIGN_OR_RETURN(auto r, rows("SELECT * FROM \"" + t + "\""));
    std::sort(r.begin(), r.end());
    out += "## " + t + " (" + std::to_string(r.size()) + ")\n";
    for (const auto& line : r) out += line + "\n";
  }
  return out;
}

Result<std::string> PgFingerprint(const std::string& url) {
  CT_ASSIGN_OR_RETURN(auto conn, pg::PgConnection::Connect(url, 60'000, 10));
  CT_ASSIGN_OR_RETURN(auto tables, conn->Exec("SELECT table_name FROM information_schema.tables "
                                              "WHERE table_schema = 'public' AND "
                                              "table_type = 'BASE TABLE' ORDER BY 1"));
  std::string out;
  for (int i = 0; i < tables.rows(); ++i) {
    const std::string t(tables.Text(i, 0));
    CT_ASSIGN_OR_RETURN(auto r, conn->Exec("SELECT count(*), coalesce(md5(string_agg(x::text, "
                                           "E'\\n' ORDER BY x::text)), '') FROM \"" +
                                           t + "\" x"));
    out += t + " " + std::string(r.Text(0, 0)) + " " + std::string(r.Text(0, 1)) + "\n";
  }
  return out;
}

}  // namespace ct::testing
