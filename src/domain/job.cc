#include "domain/job.h"

#include <openssl/rand.h>

namespace ct {
namespace {

constexpr std::string_view kStateNames[] = {"queued",    "scheduled", "running",    "retrying",
                                            "succeeded", "dead",      "cancelling", "cancelled"};

}  // namespace

std::string_view JobStateName(JobState state) { return kStateNames[static_cast<int>(state)]; }

Result<JobState> ParseJobState(std::string_view name) {
  for (int i = 0; i < 8; ++i)
    if (kStateNames[i] == name) return static_cast<JobState>(i);
  return Status::InvalidArgument(
      "unknown job state '" + std::string(name) +
      "' (queued, scheduled, running, retrying, succeeded, dead, cancelling, cancelled)");
}

bool IsFinal(JobState s) {
  return s == JobState::kSucceeded || s == JobState::kDead || s == JobState::kCancelled;
}
bool IsActive(JobState s) { return !IsFinal(s); }

std::string_view FailureKindName(FailureKind kind) {
  switch (kind) {
    case FailureKind::kTransient: return "transient";
    case FailureKind::kPermanent: return "permanent";
    case FailureKind::kCrash: return "crash";
    case FailureKind::kCancelled: return "cancelled";
  }
  return "transient";
}

std::string NewJobId(UnixMillis now) {
  static constexpr char kCrockford[] = "0123456789ABCDEFGHJKMNPQRSTVWXYZ";
  unsigned char random[10];
  RAND_bytes(random, sizeof random);
  // 128 bits: 48 of time, 80 of randomness, written as 26 base32 digits (the first holds 3 bits).
  unsigned __int128 v = static_cast<unsigned __int128>(static_cast<std::uint64_t>(now) &
                                                       0xFFFFFFFFFFFFULL)
                        << 80;
  for (int i = 0; i < 10; ++i) v |= static_cast<unsigned __int128>(random[i]) << (8 * (9 - i));
  std::string id(26, '0');
  for (int i = 25; i >= 0; --i) {
    id[i] = kCrockford[static_cast<int>(v & 31)];
    v >>= 5;
  }
  return id;
}

}  // namespace ct
