#include "fetch/conditional.h"

#include "fetch/http_client.h"

namespace ct {

void Validators::ApplyTo(HttpRequest& request) const {
  if (!etag.empty()) request.headers.emplace_back("If-None-Match", etag);
  if (!last_modified.empty()) request.headers.emplace_back("If-Modified-Since", last_modified);
}

void Validators::UpdateFrom(const HttpResponse& response) {
  if (response.status != 200) return;
  etag = response.Header("etag").value_or("");
  last_modified = response.Header("last-modified").value_or("");
}

}  // namespace ct
