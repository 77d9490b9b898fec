#include "fetch/http_client.h"

#include <curl/curl.h>

#include <algorithm>
#include <cctype>
#include <mutex>

namespace ct {
namespace {

struct CurlDeleter {
  void operator()(CURL* c) const { curl_easy_cleanup(c); }
};
struct SlistDeleter {
  void operator()(curl_slist* l) const { curl_slist_free_all(l); }
};
using CurlPtr = std::unique_ptr<CURL, CurlDeleter>;
using SlistPtr = std::unique_ptr<curl_slist, SlistDeleter>;

void GlobalInitOnce() {
  static std::once_flag once;
  std::call_once(once, [] { curl_global_init(CURL_GLOBAL_DEFAULT); });
}

// State shared with the callbacks of one transfer.
struct Transfer {
  const HttpClientOptions* options = nullptr;
  HttpResponse response;
  bool body_too_large = false;
  Status refused;  // set when the SSRF guard refused a socket
};

size_t OnBody(char* data, size_t size, size_t n, void* user) {
  auto* t = static_cast<Transfer*>(user);
  const size_t len = size * n;
  if (static_cast<std::int64_t>(t->response.body.size() + len) > t->options->max_body_bytes) {
    t->body_too_large = true;
    return 0;  // aborts with CURLE_WRITE_ERROR
  }
  t->response.body.append(data, len);
  return len;
}

size_t OnHeader(char* data, size_t size, size_t n, void* user) {
  auto* t = static_cast<Transfer*>(user);
  const size_t len = size * n;
  std::string_view line(data, len);
  while (!line.empty() && (line.back() == '\r' || line.back() == '\n')) line.remove_suffix(1);
  if (line.rfind("HTTP/", 0) == 0) {
    t->response.headers.clear();  // a new response (redirect hop or 100-continue)
    return len;
  }
  const auto colon = line.find(':');
  if (colon == std::string_view::npos) return len;
  std::string name(line.substr(0, colon));
  std::transform(name.begin(), name.end(), name.begin(),
                 [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
  std::string_view value = line.substr(colon + 1);
  while (!value.empty() && (value.front() == ' ' || value.front() == '\t')) value.remove_prefix(1);
  t->response.headers.emplace_back(std::move(name), std::string(value));
  return len;
}

// Every socket curl opens goes through here: after DNS resolution, at every redirect hop.
curl_socket_t OnOpenSocket(void* user, curlsocktype purpose, curl_sockaddr* address) {
  auto* t = static_cast<Transfer*>(user);
  if (purpose == CURLSOCKTYPE_IPCXN) {
    auto ip = IpAddress::FromSockaddr(&address->addr);
    Status verdict = ip.ok() ? t->options->guard.Check(*ip) : ip.status();
    if (!verdict.ok()) {
      if (t->refused.ok()) t->refused = verdict;
      return CURL_SOCKET_BAD;
    }
  }
  return socket(address->family, address->socktype, address->protocol);
}

Status TranslateCurlError(CURLcode code, const Transfer& t, const std::string& url,
                          const char* detail) {
  const std::string what = std::string(curl_easy_strerror(code)) +
                           (detail && *detail ? std::string(" (") + detail + ")" : "") +
                           " fetching " + url;
  if (!t.refused.ok()) return t.refused.WithContext("fetching " + url);
  if (t.body_too_large)
    return Status::ResourceExhausted("response body of " + url + " exceeds " +
                                     std::to_string(t.options->max_body_bytes) + " bytes");
  switch (code) {
    case CURLE_OPERATION_TIMEDOUT:
      return Status::DeadlineExceeded(what);
    case CURLE_FILESIZE_EXCEEDED:
      return Status::ResourceExhausted("response body of " + url + " exceeds " +
                                       std::to_string(t.options->max_body_bytes) + " bytes");
    case CURLE_TOO_MANY_REDIRECTS:
      return Status::FailedPrecondition(what);
    case CURLE_URL_MALFORMAT:
    case CURLE_UNSUPPORTED_PROTOCOL:
      return Status::InvalidArgument(what);
    case CURLE_COULDNT_RESOLVE_HOST:
    case CURLE_COULDNT_RESOLVE_PROXY:
    case CURLE_COULDNT_CONNECT:
    case CURLE_SEND_ERROR:
    case CURLE_RECV_ERROR:
    case CURLE_GOT_NOTHING:
    case CURLE_PARTIAL_FILE:
    case CURLE_SSL_CONNECT_ERROR:
    case CURLE_BAD_CONTENT_ENCODING:
    case CURLE_HTTP2:
    case CURLE_HTTP2_STREAM:
      return Status::Unavailable(what);
    default:
      return Status::Internal(what);
  }
}

class CurlHttpClient final : public HttpClient {
 public:
  explicit CurlHttpClient(HttpClientOptions options) : options_(std::move(options)) {
    GlobalInitOnce();
  }

  Result<HttpResponse> Send(const HttpRequest& request) override {
    CurlPtr curl(curl_easy_init());
    if (!curl) return Status::Internal("curl_easy_init failed");
    CURL* c = curl.get();
    Transfer t;
    t.options = &options_;
    char error[CURL_ERROR_SIZE] = {};
    const long total_ms =
        request.timeout_ms > 0 ? std::min(request.timeout_ms, options_.timeout_ms) : options_.timeout_ms;

    SlistPtr headers;
    for (const auto& [name, value] : request.headers) {
      const std::string line = name + ": " + value;
      curl_slist* next = curl_slist_append(headers.get(), line.c_str());
      if (!next) return Status::Internal("out of memory building headers");
      (void)headers.release();
      headers.reset(next);
    }

    curl_easy_setopt(c, CURLOPT_URL, request.url.c_str());
    curl_easy_setopt(c, CURLOPT_ERRORBUFFER, error);
    curl_easy_setopt(c, CURLOPT_NOSIGNAL, 1L);
    curl_easy_setopt(c, CURLOPT_PROTOCOLS_STR, "http,https");
    curl_easy_setopt(c, CURLOPT_REDIR_PROTOCOLS_STR, "http,https");
    curl_easy_setopt(c, CURLOPT_FOLLOWLOCATION, 1L);
    curl_easy_setopt(c, CURLOPT_MAXREDIRS, static_cast<long>(options_.max_redirects));
    curl_easy_setopt(c, CURLOPT_CONNECTTIMEOUT_MS, static_cast<long>(options_.connect_timeout_ms));
    curl_easy_setopt(c, CURLOPT_TIMEOUT_MS, total_ms);
    curl_easy_setopt(c, CURLOPT_ACCEPT_ENCODING, "");  // every encoding curl was built with
    curl_easy_setopt(c, CURLOPT_MAXFILESIZE_LARGE,
                     static_cast<curl_off_t>(options_.max_body_bytes));
    curl_easy_setopt(c, CURLOPT_USERAGENT, options_.user_agent.c_str());
    curl_easy_setopt(c, CURLOPT_PROXY, options_.proxy.c_str());  // "" = none, ignores env
    curl_easy_setopt(c, CURLOPT_HTTPHEADER, headers.get());
    curl_easy_setopt(c, CURLOPT_WRITEFUNCTION, OnBody);
    curl_easy_setopt(c, CURLOPT_WRITEDATA, &t);
    curl_easy_setopt(c, CURLOPT_HEADERFUNCTION, OnHeader);
    curl_easy_setopt(c, CURLOPT_HEADERDATA, &t);
    curl_easy_setopt(c, CURLOPT_OPENSOCKETFUNCTION, OnOpenSocket);
    curl_easy_setopt(c, CURLOPT_OPENSOCKETDATA, &t);
    if (request.method == "POST") {
      curl_easy_setopt(c, CURLOPT_POSTFIELDS, request.body.c_str());
      curl_easy_setopt(c, CURLOPT_POSTFIELDSIZE_LARGE, static_cast<curl_off_t>(request.body.size()));
    } else if (request.method == "DELETE") {  // WebDriver's end of session
      curl_easy_setopt(c, CURLOPT_CUSTOMREQUEST, "DELETE");
    } else if (request.method != "GET") {
      return Status::InvalidArgument("unsupported HTTP method " + request.method);
    }

    const CURLcode rc = curl_easy_perform(c);
    if (rc != CURLE_OK) return TranslateCurlError(rc, t, request.url, error);

    long status = 0;
    curl_easy_getinfo(c, CURLINFO_RESPONSE_CODE, &status);
    char* final_url = nullptr;
    curl_easy_getinfo(c, CURLINFO_EFFECTIVE_URL, &final_url);
    long redirects = 0;
    curl_easy_getinfo(c, CURLINFO_REDIRECT_COUNT, &redirects);
    t.response.status = static_cast<int>(status);
    t.response.final_url = final_url ? final_url : request.url;
    t.response.redirects = static_cast<int>(redirects);
    return std::move(t.response);
  }

 private:
  HttpClientOptions options_;
};

}  // namespace

std::optional<std::string> HttpResponse::Header(std::string_view name) const {
  for (const auto& [n, v] : headers)
    if (n == name) return v;
  return std::nullopt;
}

std::unique_ptr<HttpClient> MakeCurlHttpClient(HttpClientOptions options) {
  return std::make_unique<CurlHttpClient>(std::move(options));
}

Status HttpStatusToStatus(int status, const std::string& what, const std::string& url) {
  if ((status >= 200 && status < 300) || status == 304) return Status::Ok();
  const std::string m = what + ": HTTP " + std::to_string(status) + " from " + url;
  if (status == 429) return Status::ResourceExhausted(m);
  if (status >= 500 || status == 408) return Status::Unavailable(m);
  if (status == 401) return Status::Unauthenticated(m);
  if (status == 403) return Status::PermissionDenied(m);
  if (status == 404 || status == 410) return Status::NotFound(m);
  if (status >= 400) return Status::InvalidArgument(m);
  return Status::Internal(m + " (unexpected status)");
}

}  // namespace ct
