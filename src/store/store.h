// Store: where posts and API tokens live. One interface, two backends chosen by DATABASE_URL:
//   sqlite:PATH         -> store/sqlite (WAL, FTS5; the embedded default)
//   postgresql://...    -> store/postgres (libpq pool, tsvector + GIN)
// Both pass the same conformance suite (store/store_conformance.h), so callers never care which
// one they hold.
//
// Thread safety: every method may be called from any thread concurrently; backends keep their
// own connection pools. Every call is bounded by the configured busy/statement timeout.
// Errors: Unavailable/DeadlineExceeded are transient (database down, locked too long);
// NotFound for unknown ids; InvalidArgument for bad input (e.g. a post without source).
#pragma once

#include <cstdint>
#include <functional>
#include <memory>
#include <span>
#include <string>
#include <vector>

#include "core/status.h"
#include "domain/api_token.h"
#include "domain/post.h"
#include "domain/post_query.h"

namespace ct {

class Clock;
struct StoreConfig;

class Store {
 public:
  virtual ~Store() = default;

  // "sqlite" or "postgresql".
  virtual std::string_view backend() const = 0;

  // Applies pending migrations, each in its own transaction, recording them in
  // schema_migrations. Idempotent; safe when several processes start at once.
  virtual Status Migrate() = 0;

  // Cheap round trip to the database (GET /ready).
  virtual Status Ping() = 0;

  // --- posts ---

  // Inserts new posts and updates known ones, all in one transaction (all or nothing).
  // A post is "known" when a stored post has the same (source, external_id), or the same
  // normalised URL, or the same content hash from the same source. Updating replaces the
  // collected and analysed fields but never the triage fields (answered*, false_positive) nor
  // created_at of the stored post. Loading the same batch twice changes nothing the second time
  // (all `unchanged`). Each post must have source and external_id; posts are normalised
  // (NormalizePost) before matching.
  virtual Result<UpsertSummary> UpsertPosts(std::span<const Post> posts) = 0;

  // The next batch of a bulk load; an empty batch ends it. An error stops the load.
  using PostBatchSource = std::function<Result<std::vector<Post>>()>;

  // Bulk load (`complaints import`, benchmarks): upserts every batch `next` returns, with the
  // same matching and the same summary as UpsertPosts over the concatenated batches, but in ONE
  // transaction: either every batch is stored or none (an error from `next` or from the store
  // rolls everything back), and other connections see nothing until it returns. Backends may
  // defer index maintenance to one pass at the end (SQLite: full-text entries and the stats
  // rollup of the new rows). Writers, including other bulk loads, wait until it is done.
  virtual Result<UpsertSummary> BulkUpsertPosts(const PostBatchSource& next) = 0;

  virtual Result<Post> GetPost(std::int64_t id) = 0;

  // One page in the requested order, after `request.after`. `next` is set when the page is full.
  // Precondition: 1 <= limit <= kMaxPageSize; after.sort == sort (callers validate).
  virtual Result<PostPage> ListPosts(const PostPageRequest& request) = 0;

  virtual Result<PostStats> Stats(const PostFilter& filter, StatsBucket bucket) = 0;

  // Applies a triage change and returns the updated post. answered=true sets answered_at,
  // answered_by and answered_method; answered=false clears them.
  virtual Result<Post> UpdateTriage(std::int64_t id, const TriagePatch& patch) = 0;

  // --- API tokens ---

  // Stores a token (id assigned) and returns it. Names are unique among tokens not revoked.
  virtual Result<ApiToken> CreateToken(const ApiToken& token) = 0;
  virtual Result<ApiToken> GetToken(std::int64_t id) = 0;
  virtual Result<std::vector<ApiToken>> ListTokens() = 0;  // by id, revoked ones included
  // Revokes by id. NotFound if unknown; revoking twice is ok (keeps the first time).
  virtual Status RevokeToken(std::int64_t id, UnixSeconds at) = 0;
};

// Opens the backend named by config.database_url and applies migrations.
// A sqlite path's parent directory is created when missing.
Result<std::unique_ptr<Store>> OpenStore(const StoreConfig& config, const Clock& clock);

}  // namespace ct
