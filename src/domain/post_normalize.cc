#include "domain/post_normalize.h"

#include <openssl/evp.h>

#include <algorithm>
#include <cctype>
#include <vector>

#include "domain/post.h"

namespace ct {
namespace {

std::string_view Trim(std::string_view s) {
  while (!s.empty() && std::isspace(static_cast<unsigned char>(s.front()))) s.remove_prefix(1);
  while (!s.empty() && std::isspace(static_cast<unsigned char>(s.back()))) s.remove_suffix(1);
  return s;
}

std::string Lower(std::string_view s) {
  std::string out(s);
  for (char& c : out) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return out;
}

bool IsTrackingParam(std::string_view name) {
  const std::string n = Lower(name);
  return n.rfind("utm_", 0) == 0 || n == "fbclid" || n == "gclid" || n == "ref" ||
         n == "ref_src" || n == "mc_cid" || n == "mc_eid";
}

}  // namespace

std::string NormalizeUrl(std::string_view raw) {
  std::string_view url = Trim(raw);
  const auto scheme_end = url.find("://");
  if (scheme_end == std::string_view::npos) return std::string(url);
  const std::string scheme = Lower(url.substr(0, scheme_end));
  if (scheme != "http" && scheme != "https") return std::string(url);
  std::string_view rest = url.substr(scheme_end + 3);
  if (auto hash = rest.find('#'); hash != std::string_view::npos) rest = rest.substr(0, hash);
  const auto path_start = rest.find_first_of("/?");
  std::string host = Lower(rest.substr(0, path_start));
  std::string_view tail = path_start == std::string_view::npos ? "" : rest.substr(path_start);
  if ((scheme == "http" && host.size() > 3 && host.ends_with(":80")) ||
      (scheme == "https" && host.size() > 4 && host.ends_with(":443")))
    host.erase(host.rfind(':'));
  std::string_view path = tail.substr(0, tail.find('?'));
  std::string_view query =
      tail.find('?') == std::string_view::npos ? "" : tail.substr(tail.find('?') + 1);
  std::string out = scheme + "://" + host;
  std::string p(path);
  while (p.size() > 1 && p.back() == '/') p.pop_back();
  if (p == "/") p.clear();
  out += p;
  std::string kept;
  while (!query.empty()) {
    const auto amp = query.find('&');
    std::string_view param = query.substr(0, amp);
    query = amp == std::string_view::npos ? "" : query.substr(amp + 1);
    if (param.empty() || IsTrackingParam(param.substr(0, param.find('=')))) continue;
    if (!kept.empty()) kept += '&';
    kept += param;
  }
  if (!kept.empty()) out += "?" + kept;
  return out;
}

std::string NormalizeContent(std::string_view text) {
  std::string out;
  out.reserve(text.size());
  bool space = false;
  for (std::size_t i = 0; i < text.size(); ++i) {
    const unsigned char c = static_cast<unsigned char>(text[i]);
    if (c < 0x80) {
      if (std::isalnum(c)) {
        if (space && !out.empty()) out += ' ';
        space = false;
        out += static_cast<char>(std::tolower(c));
      } else {
        space = true;  // whitespace and ASCII punctuation separate words
      }
      continue;
    }
    // Multi-byte UTF-8: copy the sequence, lower-casing Latin-1 capitals (U+00C0..U+00DE).
    std::size_t len = (c >= 0xF0) ? 4 : (c >= 0xE0) ? 3 : (c >= 0xC0) ? 2 : 1;
    if (i + len > text.size()) len = text.size() - i;
    if (space && !out.empty()) out += ' ';
    space = false;
    if (len == 2 && c == 0xC3) {
      unsigned char c2 = static_cast<unsigned char>(text[i + 1]);
      if (c2 >= 0x80 && c2 <= 0x9E && c2 != 0x97) c2 += 0x20;
      out += static_cast<char>(c);
      out += static_cast<char>(c2);
    } else {
      out.append(text.substr(i, len));
    }
    i += len - 1;
  }
  return out;
}

std::string ContentHash(std::string_view title, std::string_view content) {
  std::string joined = NormalizeContent(title);
  joined += '\n';
  joined += NormalizeContent(content);
  unsigned char digest[EVP_MAX_MD_SIZE];
  unsigned int len = 0;
  EVP_Digest(joined.data(), joined.size(), digest, &len, EVP_sha256(), nullptr);
  static const char kHex[] = "0123456789abcdef";
  std::string hex;
  hex.reserve(len * 2);
  for (unsigned int i = 0; i < len; ++i) {
    hex += kHex[digest[i] >> 4];
    hex += kHex[digest[i] & 15];
  }
  return hex;
}

void NormalizePost(Post& post) {
  post.url = NormalizeUrl(post.url);
  if (post.content_hash.empty()) post.content_hash = ContentHash(post.title, post.content);
}

}  // namespace ct
