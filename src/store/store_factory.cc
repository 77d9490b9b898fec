// OpenStore: the one place that maps database_url to a backend.
#include <filesystem>
#include <string_view>
#include <system_error>

#include "core/config.h"
#include "store/sqlite/sqlite_store.h"
#include "store/store.h"
#ifdef CT_HAVE_POSTGRES
#include "store/postgres/postgres_store.h"
#endif

namespace ct {

Result<std::unique_ptr<Store>> OpenStore(const StoreConfig& config, const Clock& clock) {
  const std::string& url = config.database_url;
  constexpr std::string_view kSqlite = "sqlite:";
  if (url.starts_with(kSqlite)) {
    const std::string path = url.substr(kSqlite.size());
    if (path.empty()) return Status::InvalidArgument("database_url 'sqlite:' has no path");
    const std::filesystem::path parent = std::filesystem::path(path).parent_path();
    if (!parent.empty()) {
      std::error_code ec;
      std::filesystem::create_directories(parent, ec);
      if (ec) {
        return Status::Unavailable("creating directory '" + parent.string() +
                                   "' for the database: " + ec.message());
      }
    }
    return OpenSqliteStore(path, config, clock);
  }
  if (url.starts_with("postgresql://") || url.starts_with("postgres://")) {
#ifdef CT_HAVE_POSTGRES
    return OpenPostgresStore(url, config, clock);
#else
    return Status::InvalidArgument("postgresql backend not built into this binary");
#endif
  }
  // Only the scheme is echoed: the rest of a URL may hold a password.
  return Status::InvalidArgument(
      "database_url must start with 'sqlite:', 'postgresql://' or 'postgres://', got scheme '" +
      url.substr(0, url.find(':')) + "'");
}

}  // namespace ct
