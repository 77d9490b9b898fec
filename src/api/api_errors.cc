#include "api/api_errors.h"

#include "core/json_writer.h"

namespace ct {

int HttpStatusFor(StatusCode code) {
  switch (code) {
    case StatusCode::kOk:
      return 200;
    case StatusCode::kInvalidArgument:
      return 400;
    case StatusCode::kUnauthenticated:
      return 401;
    case StatusCode::kPermissionDenied:
      return 403;
    case StatusCode::kNotFound:
      return 404;
    case StatusCode::kAlreadyExists:
    case StatusCode::kFailedPrecondition:
    case StatusCode::kAborted:
      return 409;
    case StatusCode::kResourceExhausted:
      return 429;
    case StatusCode::kUnavailable:
      return 503;
    case StatusCode::kDeadlineExceeded:
      return 504;
    case StatusCode::kDataLoss:
    case StatusCode::kInternal:
      return 500;
  }
  return 500;
}

HttpResponse ErrorResponse(int http_status, std::string_view code, std::string_view message) {
  HttpResponse r;
  r.status = http_status;
  r.headers.Set("Content-Type", "application/json");
  if (http_status == 401) r.headers.Set("WWW-Authenticate", "Bearer");
  JsonWriter w(r.body);
  w.BeginObject().Key("error").BeginObject();
  w.Key("code").String(code).Key("message").String(message);
  w.EndObject().EndObject();
  return r;
}

HttpResponse ErrorResponse(const Status& status) {
  return ErrorResponse(HttpStatusFor(status.code()), StatusCodeName(status.code()),
                       status.message());
}

HttpResponse JsonResponse(std::string body, int http_status) {
  HttpResponse r;
  r.status = http_status;
  r.headers.Set("Content-Type", "application/json");
  r.body = std::move(body);
  return r;
}

}  // namespace ct
