// The one place where failures become HTTP: Status codes map to HTTP statuses here, and every
// error body has the shape {"error":{"code":"...","message":"..."}}.
#pragma once

#include <string_view>

#include "api/http_types.h"
#include "core/status.h"

namespace ct {

// invalid_argument 400, unauthenticated 401, permission_denied 403, not_found 404,
// already_exists / failed_precondition / aborted 409, resource_exhausted 429,
// unavailable 503, deadline_exceeded 504, data_loss / internal 500.
int HttpStatusFor(StatusCode code);

// A JSON error response; `code` is a stable machine-readable word such as "not_found".
HttpResponse ErrorResponse(int http_status, std::string_view code, std::string_view message);
// Maps `status` (not ok) with HttpStatusFor; the code is StatusCodeName(status.code()).
// 401 responses carry `WWW-Authenticate: Bearer`.
HttpResponse ErrorResponse(const Status& status);

// 200 with a JSON body.
HttpResponse JsonResponse(std::string body, int http_status = 200);

}  // namespace ct
