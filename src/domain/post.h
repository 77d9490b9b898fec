// Post: one public message about the company, as collected and analysed.
// A plain value: no I/O, freely copyable, not synchronised.
#pragma once

#include <cstdint>
#include <optional>
#include <string>

namespace ct {

// Unix time in whole seconds, UTC. Rendered as ISO 8601 at the edges.
using UnixSeconds = std::int64_t;

struct Engagement {
  std::int64_t likes = 0;     // upvotes, favourites, "helpful" marks
  std::int64_t score = 0;     // net score where the source has one (HN points, SO score)
  std::int64_t comments = 0;  // replies / comments count
  bool operator==(const Engagement&) const = default;
};

struct Post {
  std::int64_t id = 0;      // assigned by the store; 0 before the first upsert
  std::string source;       // adapter kind, e.g. "hackernews", "trustpilot"
  std::string external_id;  // the source's own id; unique with `source`
  std::string url;          // normalised (see post_normalize.h)
  std::string title;
  std::string content;  // plain text (HTML already reduced)
  std::string author;
  UnixSeconds created_at = 0;    // when the author posted it
  UnixSeconds collected_at = 0;  // when we fetched it

  // Analysis (filled by src/analysis). Empty string / 0 means "not analysed".
  std::string language;         // ISO 639-1 code, or "und"
  double sentiment_score = 0;   // in [-1, 1]
  std::string sentiment_label;  // "positive" | "neutral" | "negative"
  bool is_complaint = false;
  double complaint_score = 0;  // in [0, 1]
  std::string product;         // taxonomy id, e.g. "vps"; empty when none
  std::string country;         // ISO 3166-1 alpha-2, upper case; empty when unknown
  double relevance_score = 0;  // in [0, 1]
  std::optional<double> rating;  // star rating as given by the source (1..5), never derived
  Engagement engagement;
  std::string evidence_json = "{}";  // JSON object: verdict -> terms that drove it
  std::string metadata_json = "{}";  // JSON object: source metadata (reviewer country, tags...)

  // Triage (set through the API; never overwritten by a re-scrape).
  bool answered = false;
  std::optional<UnixSeconds> answered_at;
  std::string answered_by;
  std::string answered_method;  // "manual" | "detected" | ...
  bool false_positive = false;

  std::string content_hash;  // hex SHA-256 of the normalised content; computed by the store when empty

  bool operator==(const Post&) const = default;
};

}  // namespace ct
