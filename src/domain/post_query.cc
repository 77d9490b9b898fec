#include "domain/post_query.h"

#include <charconv>
#include <cstdio>
#include <cstdlib>

namespace ct {
namespace {

constexpr char kB64[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";

std::string Base64UrlEncode(std::string_view in) {
  std::string out;
  unsigned bits = 0;
  int nbits = 0;
  for (unsigned char c : in) {
    bits = (bits << 8) | c;
    nbits += 8;
    while (nbits >= 6) {
      nbits -= 6;
      out += kB64[(bits >> nbits) & 63];
    }
  }
  if (nbits > 0) out += kB64[(bits << (6 - nbits)) & 63];
  return out;
}

std::optional<std::string> Base64UrlDecode(std::string_view in) {
  std::string out;
  unsigned bits = 0;
  int nbits = 0;
  for (char c : in) {
    const char* p = std::char_traits<char>::find(kB64, 64, c);
    if (!p) return std::nullopt;
    bits = (bits << 6) | static_cast<unsigned>(p - kB64);
    nbits += 6;
    if (nbits >= 8) {
      nbits -= 8;
      out += static_cast<char>((bits >> nbits) & 0xFF);
    }
  }
  return out;
}

template <typename T>
bool ParseNumber(std::string_view s, T& out) {
  if (s.empty()) return false;
  if constexpr (std::is_floating_point_v<T>) {
    std::string tmp(s);
    char* end = nullptr;
    out = std::strtod(tmp.c_str(), &end);
    return end == tmp.c_str() + tmp.size();
  } else {
    auto [p, ec] = std::from_chars(s.data(), s.data() + s.size(), out);
    return ec == std::errc() && p == s.data() + s.size();
  }
}

}  // namespace

PostCursor CursorAfter(const Post& last, PostSort sort) {
  return PostCursor{sort, last.created_at, last.relevance_score, last.id};
}

std::string EncodeCursor(const PostCursor& c) {
  char buf[96];
  switch (c.sort) {
    case PostSort::kNewest:
      std::snprintf(buf, sizeof buf, "n:%lld:%lld", static_cast<long long>(c.created_at),
                    static_cast<long long>(c.id));
      break;
    case PostSort::kOldest:
      std::snprintf(buf, sizeof buf, "o:%lld:%lld", static_cast<long long>(c.created_at),
                    static_cast<long long>(c.id));
      break;
    case PostSort::kRelevance:
      std::snprintf(buf, sizeof buf, "r:%.17g:%lld", c.relevance, static_cast<long long>(c.id));
      break;
  }
  return Base64UrlEncode(buf);
}

Result<PostCursor> DecodeCursor(std::string_view text, PostSort expected) {
  auto bad = [&](const char* why) {
    return Status::InvalidArgument(std::string("malformed cursor: ") + why);
  };
  if (text.empty() || text.size() > 128) return bad("wrong length");
  auto raw = Base64UrlDecode(text);
  if (!raw) return bad("not base64url");
  std::string_view s = *raw;
  if (s.size() < 5 || s[1] != ':') return bad("unknown format");
  const auto second = s.find(':', 2);
  if (second == std::string_view::npos) return bad("unknown format");
  PostCursor c;
  switch (s[0]) {
    case 'n': c.sort = PostSort::kNewest; break;
    case 'o': c.sort = PostSort::kOldest; break;
    case 'r': c.sort = PostSort::kRelevance; break;
    default: return bad("unknown sort");
  }
  if (c.sort != expected)
    return Status::InvalidArgument("cursor was made for sort=" + std::string(PostSortName(c.sort)) +
                                   ", not sort=" + std::string(PostSortName(expected)));
  const std::string_view key = s.substr(2, second - 2);
  const std::string_view id = s.substr(second + 1);
  const bool ok = (c.sort == PostSort::kRelevance ? ParseNumber(key, c.relevance)
                                                  : ParseNumber(key, c.created_at)) &&
                  ParseNumber(id, c.id) && c.id > 0;
  if (!ok) return bad("bad position");
  return c;
}

std::string_view PostSortName(PostSort sort) {
  switch (sort) {
    case PostSort::kNewest: return "newest";
    case PostSort::kOldest: return "oldest";
    case PostSort::kRelevance: return "relevance";
  }
  return "newest";
}

Result<PostSort> ParsePostSort(std::string_view name) {
  if (name == "newest") return PostSort::kNewest;
  if (name == "oldest") return PostSort::kOldest;
  if (name == "relevance") return PostSort::kRelevance;
  return Status::InvalidArgument("sort must be newest, oldest or relevance, got '" +
                                 std::string(name) + "'");
}

Result<StatsBucket> ParseStatsBucket(std::string_view name) {
  if (name == "day") return StatsBucket::kDay;
  if (name == "week") return StatsBucket::kWeek;
  if (name == "month") return StatsBucket::kMonth;
  return Status::InvalidArgument("bucket must be day, week or month, got '" + std::string(name) +
                                 "'");
}

std::string_view StatsBucketName(StatsBucket bucket) {
  switch (bucket) {
    case StatsBucket::kDay: return "day";
    case StatsBucket::kWeek: return "week";
    case StatsBucket::kMonth: return "month";
  }
  return "day";
}

}  // namespace ct
