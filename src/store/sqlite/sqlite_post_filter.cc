#include "store/sqlite/sqlite_post_filter.h"

namespace ct::sqlite {
namespace {

bool IsAsciiSeparator(unsigned char c) {
  return c < 0x80 && !((c >= '0' && c <= '9') || (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z'));
}

// Decodes the UTF-8 sequence at s[i]; returns its length (1 on malformed input).
std::size_t DecodeUtf8(std::string_view s, std::size_t i, char32_t& cp) {
  const auto b0 = static_cast<unsigned char>(s[i]);
  std::size_t len = b0 >= 0xF0 ? 4 : b0 >= 0xE0 ? 3 : b0 >= 0xC0 ? 2 : 1;
  if (i + len > s.size()) len = 1;
  if (len == 1) {
    cp = b0;
    return 1;
  }
  cp = b0 & (0xFF >> (len + 1));
  for (std::size_t k = 1; k < len; ++k) {
    cp = (cp << 6) | (static_cast<unsigned char>(s[i + k]) & 0x3F);
  }
  return len;
}

bool IsUnicodeSeparator(char32_t cp) {
  return (cp >= 0x80 && cp <= 0xBF) || cp == 0xD7 || cp == 0xF7 ||  // Latin-1 punctuation
         (cp >= 0x2000 && cp <= 0x206F) ||                          // General Punctuation
         (cp >= 0x3000 && cp <= 0x303F) || cp == 0xFEFF;             // CJK punctuation, BOM
}

void AppendIn(SqlWhere& where, std::string_view column, const std::vector<std::string>& values,
              bool& first) {
  if (values.empty()) return;
  where.sql += first ? " WHERE " : " AND ";
  first = false;
  where.sql += column;
  where.sql += " IN (";
  for (std::size_t i = 0; i < values.size(); ++i) {
    where.sql += i == 0 ? "?" : ",?";
    where.params.emplace_back(values[i]);
  }
  where.sql += ")";
}

void AppendCondition(SqlWhere& where, std::string_view condition, bool& first) {
  where.sql += first ? " WHERE " : " AND ";
  first = false;
  where.sql += condition;
}

}  // namespace

std::vector<std::string> SearchWords(std::string_view q) {
  std::vector<std::string> words;
  std::string current;
  auto flush = [&] {
    if (!current.empty()) words.push_back(std::move(current));
    current.clear();
  };
  for (std::size_t i = 0; i < q.size();) {
    const auto c = static_cast<unsigned char>(q[i]);
    if (c < 0x80) {
      if (IsAsciiSeparator(c)) {
        flush();
      } else {
        current += static_cast<char>(c);
      }
      ++i;
      continue;
    }
    char32_t cp = 0;
    const std::size_t len = DecodeUtf8(q, i, cp);
    if (IsUnicodeSeparator(cp)) {
      flush();
    } else {
      current.append(q.substr(i, len));
    }
    i += len;
  }
  flush();
  return words;
}

std::string FtsMatchExpression(std::string_view q) {
  std::string expr;
  for (const std::string& word : SearchWords(q)) {
    if (!expr.empty()) expr += ' ';
    // Words never contain '"' (a separator), so quoting needs no escaping.
    expr += '"';
    expr += word;
    expr += '"';
  }
  return expr;
}

std::optional<std::int64_t> SearchKey(std::int64_t created_at, std::int64_t id) {
  constexpr std::int64_t kCreatedLimit = std::int64_t{1} << 32;
  if (created_at < -kCreatedLimit || created_at >= kCreatedLimit || id < 0 ||
      id > kSearchKeyIdMask) {
    return std::nullopt;
  }
  return created_at * (kSearchKeyIdMask + 1) + id;
}

SqlWhere BuildPostWhere(const PostFilter& filter) {
  SqlWhere where;
  bool first = true;
  AppendIn(where, "source", filter.sources, first);
  AppendIn(where, "language", filter.languages, first);
  AppendIn(where, "sentiment_label", filter.sentiments, first);
  AppendIn(where, "product", filter.products, first);
  AppendIn(where, "country", filter.countries, first);
  if (filter.complaint) AppendCondition(where, *filter.complaint ? "is_complaint = 1" : "is_complaint = 0", first);
  if (filter.answered) AppendCondition(where, *filter.answered ? "answered = 1" : "answered = 0", first);
  if (filter.false_positive) {
    AppendCondition(where, *filter.false_positive ? "false_positive = 1" : "false_positive = 0",
                    first);
  }
  if (filter.since) {
    AppendCondition(where, "created_at >= ?", first);
    where.params.emplace_back(static_cast<std::int64_t>(*filter.since));
  }
  if (filter.until) {
    AppendCondition(where, "created_at < ?", first);
    where.params.emplace_back(static_cast<std::int64_t>(*filter.until));
  }
  if (!filter.q.empty()) {
    const std::string match = FtsMatchExpression(filter.q);
    if (match.empty()) {
      // Only punctuation: there is no word that could appear, so nothing matches.
      AppendCondition(where, "0", first);
    } else {
      AppendCondition(where, "id IN (SELECT rowid & 2147483647 FROM posts_fts WHERE posts_fts MATCH ?)", first);
      where.params.emplace_back(match);
    }
  }
  return where;
}

}  // namespace ct::sqlite
