#include "sources/source_state.h"

#include <fcntl.h>
#include <sys/file.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <fstream>
#include <nlohmann/json.hpp>
#include <sstream>

namespace ct {
namespace {

using nlohmann::json;

// flock on "<path>.lock" for the lifetime of the object.
class FileLock {
 public:
  explicit FileLock(const std::string& path) {
    fd_ = ::open((path + ".lock").c_str(), O_RDWR | O_CREAT | O_CLOEXEC, 0644);
    if (fd_ >= 0 && ::flock(fd_, LOCK_EX) != 0) {
      ::close(fd_);
      fd_ = -1;
    }
  }
  ~FileLock() {
    if (fd_ >= 0) ::close(fd_);  // releases the lock
  }
  bool ok() const { return fd_ >= 0; }

 private:
  int fd_ = -1;
};

BreakerState StateFromName(const std::string& s) {
  if (s == "open") return BreakerState::kOpen;
  if (s == "half_open") return BreakerState::kHalfOpen;
  return BreakerState::kClosed;
}

SourceState FromJson(const json& j) {
  SourceState s;
  if (auto q = j.find("queries"); q != j.end() && q->is_object()) {
    for (const auto& [name, v] : q->items()) {
      QueryState qs;
      if (v.contains("cursor") && v["cursor"].is_number_integer()) qs.cursor = v["cursor"].get<std::int64_t>();
      qs.validators.etag = v.value("etag", "");
      qs.validators.last_modified = v.value("last_modified", "");
      qs.last_run = v.value("last_run", std::int64_t{0});
      qs.last_success = v.value("last_success", std::int64_t{0});
      qs.last_error = v.value("last_error", "");
      s.queries[name] = qs;
    }
  }
  if (auto b = j.find("breaker"); b != j.end() && b->is_object()) {
    BreakerSnapshot snap;
    snap.state = StateFromName(b->value("state", "closed"));
    snap.consecutive_failures = b->value("consecutive_failures", 0);
    snap.open_until_ms = b->value("open_until_ms", std::int64_t{0});
    snap.last_error = b->value("last_error", "");
    s.breaker = snap;
  }
  return s;
}

json ToJson(const SourceState& s) {
  json q = json::object();
  for (const auto& [name, qs] : s.queries) {
    json v = {{"etag", qs.validators.etag},
              {"last_modified", qs.validators.last_modified},
              {"last_run", qs.last_run},
              {"last_success", qs.last_success},
              {"last_error", qs.last_error}};
    if (qs.cursor) v["cursor"] = *qs.cursor;
    q[name] = v;
  }
  json out = {{"queries", q}};
  if (s.breaker)
    out["breaker"] = {{"state", BreakerStateName(s.breaker->state)},
                      {"consecutive_failures", s.breaker->consecutive_failures},
                      {"open_until_ms", s.breaker->open_until_ms},
                      {"last_error", s.breaker->last_error}};
  return out;
}

Result<json> ReadFile(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) return json::object();
  std::stringstream ss;
  ss << in.rdbuf();
  if (ss.str().empty()) return json::object();
  json j = json::parse(ss.str(), nullptr, false);
  if (j.is_discarded() || !j.is_object())
    return Status::DataLoss("source state file " + path + " is not a JSON object");
  return j;
}

Status WriteFileAtomically(const std::string& path, const std::string& text) {
  const std::string tmp = path + ".tmp";
  int fd = ::open(tmp.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
  if (fd < 0) return Status::Unavailable("cannot write " + tmp + ": " + std::strerror(errno));
  std::size_t off = 0;
  while (off < text.size()) {
    ssize_t n = ::write(fd, text.data() + off, text.size() - off);
    if (n <= 0) {
      ::close(fd);
      return Status::Unavailable("cannot write " + tmp + ": " + std::strerror(errno));
    }
    off += static_cast<std::size_t>(n);
  }
  const bool synced = ::fsync(fd) == 0;
  ::close(fd);
  if (!synced || ::rename(tmp.c_str(), path.c_str()) != 0)
    return Status::Unavailable("cannot replace " + path + ": " + std::strerror(errno));
  return Status::Ok();
}

}  // namespace

Result<std::map<std::string, SourceState>> SourceStateFile::LoadAll() const {
  FileLock lock(path_);
  CT_ASSIGN_OR_RETURN(json root, ReadFile(path_));
  std::map<std::string, SourceState> out;
  for (const auto& [name, v] : root.items())
    if (v.is_object()) out[name] = FromJson(v);
  return out;
}

Result<SourceState> SourceStateFile::Load(const std::string& source) const {
  CT_ASSIGN_OR_RETURN(auto all, LoadAll());
  auto it = all.find(source);
  return it == all.end() ? SourceState{} : it->second;
}

Status SourceStateFile::Update(const std::string& source,
                               const std::function<void(SourceState&)>& change) const {
  FileLock lock(path_);
  if (!lock.ok()) return Status::Unavailable("cannot lock " + path_ + ".lock");
  CT_ASSIGN_OR_RETURN(json root, ReadFile(path_));
  SourceState s = root.contains(source) && root[source].is_object() ? FromJson(root[source]) : SourceState{};
  change(s);
  root[source] = ToJson(s);
  return WriteFileAtomically(path_, root.dump(2) + "\n");
}

}  // namespace ct
