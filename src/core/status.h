// Status and Result<T>: the one error type across every interface of the project.
// Foreign errors (SQLite, libpq, hiredis, curl, WebDriver) are translated into a Status in one
// place per backend, and say whether retrying may help (transient) or not (permanent).
// Values; not synchronised.
#pragma once

#include <cassert>
#include <string>
#include <string_view>
#include <utility>
#include <variant>

namespace ct {

enum class StatusCode {
  kOk = 0,
  kInvalidArgument,     // the caller's input is wrong; permanent
  kNotFound,            // permanent
  kAlreadyExists,       // permanent
  kFailedPrecondition,  // state does not allow it (e.g. cancelling a finished job); permanent
  kUnauthenticated,     // no or unknown credentials
  kPermissionDenied,    // credentials too weak
  kResourceExhausted,   // rate limited, quota, body too large; transient
  kUnavailable,         // a peer is down or unreachable; transient
  kDeadlineExceeded,    // transient
  kAborted,             // conflict, lost a race (fencing token refused); transient
  kDataLoss,            // corruption detected; permanent
  kInternal,            // a bug or an unexpected foreign error; permanent
};

std::string_view StatusCodeName(StatusCode code);

class [[nodiscard]] Status {
 public:
  Status() = default;
  Status(StatusCode code, std::string message) : code_(code), message_(std::move(message)) {}

  static Status Ok() { return {}; }
  static Status InvalidArgument(std::string m) { return {StatusCode::kInvalidArgument, std::move(m)}; }
  static Status NotFound(std::string m) { return {StatusCode::kNotFound, std::move(m)}; }
  static Status AlreadyExists(std::string m) { return {StatusCode::kAlreadyExists, std::move(m)}; }
  static Status FailedPrecondition(std::string m) {
    return {StatusCode::kFailedPrecondition, std::move(m)};
  }
  static Status Unauthenticated(std::string m) { return {StatusCode::kUnauthenticated, std::move(m)}; }
  static Status PermissionDenied(std::string m) {
    return {StatusCode::kPermissionDenied, std::move(m)};
  }
  static Status ResourceExhausted(std::string m) {
    return {StatusCode::kResourceExhausted, std::move(m)};
  }
  static Status Unavailable(std::string m) { return {StatusCode::kUnavailable, std::move(m)}; }
  static Status DeadlineExceeded(std::string m) {
    return {StatusCode::kDeadlineExceeded, std::move(m)};
  }
  static Status Aborted(std::string m) { return {StatusCode::kAborted, std::move(m)}; }
  static Status DataLoss(std::string m) { return {StatusCode::kDataLoss, std::move(m)}; }
  static Status Internal(std::string m) { return {StatusCode::kInternal, std::move(m)}; }

  bool ok() const { return code_ == StatusCode::kOk; }
  StatusCode code() const { return code_; }
  const std::string& message() const { return message_; }
  // True when the same call may succeed later (retry with backoff).
  bool transient() const;
  // "invalid_argument: limit must be between 1 and 200"
  std::string ToString() const;
  // Prepends context: "opening store: <message>".
  Status WithContext(std::string_view context) const;

  bool operator==(const Status&) const = default;

 private:
  StatusCode code_ = StatusCode::kOk;
  std::string message_;
};

// Holds either a value or a non-ok Status.
template <typename T>
class [[nodiscard]] Result {
 public:
  Result(T value) : v_(std::move(value)) {}  // NOLINT: implicit by design
  Result(Status status) : v_(std::move(status)) {  // NOLINT
    assert(!std::get<Status>(v_).ok() && "Result built from an ok Status");
  }

  bool ok() const { return std::holds_alternative<T>(v_); }
  const Status& status() const {
    static const Status kOk;
    return ok() ? kOk : std::get<Status>(v_);
  }
  T& value() & { return std::get<T>(v_); }
  const T& value() const& { return std::get<T>(v_); }
  T&& value() && { return std::get<T>(std::move(v_)); }
  T& operator*() & { return value(); }
  const T& operator*() const& { return value(); }
  T* operator->() { return &value(); }
  const T* operator->() const { return &value(); }

 private:
  std::variant<T, Status> v_;
};

}  // namespace ct

// Returns early with the Status of `expr` when it is not ok.
#define CT_RETURN_IF_ERROR(expr)            \
  do {                                      \
    ::ct::Status ct_status_ = (expr);       \
    if (!ct_status_.ok()) return ct_status_; \
  } while (0)

#define CT_CONCAT_INNER_(a, b) a##b
#define CT_CONCAT_(a, b) CT_CONCAT_INNER_(a, b)
// CT_ASSIGN_OR_RETURN(auto x, Foo()); declares x from a Result, or returns its Status.
#define CT_ASSIGN_OR_RETURN(decl, expr) \
  CT_ASSIGN_OR_RETURN_IMPL_(CT_CONCAT_(ct_result_, __LINE__), decl, expr)
#define CT_ASSIGN_OR_RETURN_IMPL_(tmp, decl, expr) \
  auto tmp = (expr);                               \
  if (!tmp.ok()) return tmp.status();              \
  decl = std::move(tmp).value()
