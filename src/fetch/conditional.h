// Validators: the ETag and Last-Modified a source sent for one query, sent back as
// If-None-Match / If-Modified-Since so an unchanged page costs a 304 and no parsing.
// A plain value, persisted with the source state.
#pragma once

#include <string>

namespace ct {

inline namespace http_fetch {
struct HttpRequest;
struct HttpResponse;
}  // namespace http_fetch

struct Validators {
  std::string etag;
  std::string last_modified;

  bool empty() const { return etag.empty() && last_modified.empty(); }
  // Adds the conditional headers (when known) to `request`.
  void ApplyTo(http_fetch::HttpRequest& request) const;
  // Keeps the response's validators when it is a 200; a 304 keeps the current ones.
  void UpdateFrom(const http_fetch::HttpResponse& response);
  bool operator==(const Validators&) const = default;
};

}  // namespace ct
