// What a reader asks of the posts: filters, sort order, keyset cursor and page size.
// Shared by GET /posts, /posts/stats, /posts/export.csv and every Store backend, so the same
// filter means the same rows everywhere. Plain values.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "core/status.h"
#include "domain/post.h"

namespace ct {

enum class PostSort {
  kNewest,     // created_at DESC, id DESC
  kOldest,     // created_at ASC, id ASC
  kRelevance,  // relevance_score DESC, id DESC
};

struct PostFilter {
  // Each list matches any of its values; an empty list does not filter.
  std::vector<std::string> sources;
  std::vector<std::string> languages;
  std::vector<std::string> sentiments;  // positive | neutral | negative
  std::vector<std::string> products;
  std::vector<std::string> countries;
  std::optional<bool> complaint;
  std::optional<bool> answered;
  // Default: false positives are excluded. nullopt: both.
  std::optional<bool> false_positive = false;
  std::optional<UnixSeconds> since;  // created_at >= since
  std::optional<UnixSeconds> until;  // created_at < until
  // Full text over title and content: every word must appear (case-insensitive, whole words,
  // accents significant). Empty: no text filter.
  std::string q;

  bool operator==(const PostFilter&) const = default;
};

// Position after the last row of a page. Opaque to clients (see EncodeCursor).
struct PostCursor {
  PostSort sort = PostSort::kNewest;
  UnixSeconds created_at = 0;  // kNewest / kOldest
  double relevance = 0;        // kRelevance
  std::int64_t id = 0;
  bool operator==(const PostCursor&) const = default;
};

inline constexpr int kMaxPageSize = 200;
inline constexpr int kDefaultPageSize = 50;

struct PostPageRequest {
  PostFilter filter;
  PostSort sort = PostSort::kNewest;
  std::optional<PostCursor> after;  // must have the same sort
  int limit = kDefaultPageSize;     // 1..kMaxPageSize
};

struct PostPage {
  std::vector<Post> items;
  std::optional<PostCursor> next;  // set only when more rows may follow
};

// The cursor that continues after `last` in `sort` order.
PostCursor CursorAfter(const Post& last, PostSort sort);

// URL-safe text, e.g. "bjoxNzAwMDAwMDAwOjQy" (base64url of "n:1700000000:42").
std::string EncodeCursor(const PostCursor& cursor);
// Fails with InvalidArgument on malformed text or when the cursor was made for another sort.
Result<PostCursor> DecodeCursor(std::string_view text, PostSort expected_sort);

std::string_view PostSortName(PostSort sort);  // "newest" | "oldest" | "relevance"
Result<PostSort> ParsePostSort(std::string_view name);

enum class StatsBucket { kDay, kWeek, kMonth };  // weeks start on Monday (ISO)
Result<StatsBucket> ParseStatsBucket(std::string_view name);  // "day" | "week" | "month"
std::string_view StatsBucketName(StatsBucket bucket);

struct CountByKey {
  std::string key;  // "" = unknown / not set
  std::int64_t count = 0;
  bool operator==(const CountByKey&) const = default;
};

struct TimelinePoint {
  std::string period;  // first day of the bucket, "YYYY-MM-DD" (UTC)
  std::int64_t total = 0;
  std::int64_t positive = 0;
  std::int64_t neutral = 0;
  std::int64_t negative = 0;
  std::int64_t complaints = 0;
  bool operator==(const TimelinePoint&) const = default;
};

// Aggregates over the posts matching a filter, computed in the database.
struct PostStats {
  std::int64_t total = 0;
  std::int64_t complaints = 0;
  std::int64_t negative = 0;
  std::int64_t answered = 0;
  std::int64_t unanswered_complaints = 0;  // complaints not yet answered
  std::vector<TimelinePoint> timeline;     // ascending by period; empty buckets omitted
  // Each breakdown is sorted by count descending, then key ascending.
  std::vector<CountByKey> by_source;
  std::vector<CountByKey> by_sentiment;
  std::vector<CountByKey> by_product;
  std::vector<CountByKey> by_language;
  std::vector<CountByKey> by_country;
  bool operator==(const PostStats&) const = default;
};

// Triage change from PATCH /posts/{id}. Unset fields are left alone.
struct TriagePatch {
  std::optional<bool> answered;
  std::optional<bool> false_positive;
  std::string actor;                // who (token name)
  std::string method = "manual";    // how it was answered
  UnixSeconds now = 0;              // answered_at when answered becomes true
};

// What an upsert batch did. inserted + updated + unchanged = posts in the batch.
struct UpsertSummary {
  std::int64_t inserted = 0;
  std::int64_t updated = 0;
  std::int64_t unchanged = 0;  // duplicates of stored posts with nothing new
  UpsertSummary& operator+=(const UpsertSummary& o) {
    inserted += o.inserted;
    updated += o.updated;
    unchanged += o.unchanged;
    return *this;
  }
};

}  // namespace ct
