#include "api/router.h"

#include <algorithm>

namespace ct {

namespace {

bool IsParam(std::string_view s) { return s.size() > 2 && s.front() == '{' && s.back() == '}'; }

}  // namespace

std::vector<std::string_view> SplitPath(std::string_view path) {
  std::vector<std::string_view> out;
  std::size_t i = 0;
  while (i < path.size()) {
    if (path[i] == '/') {
      ++i;
      continue;
    }
    std::size_t end = path.find('/', i);
    if (end == std::string_view::npos) end = path.size();
    out.push_back(path.substr(i, end - i));
    i = end;
  }
  return out;
}

Status Router::Add(Route route) {
  if (frozen_) {
    return Status::FailedPrecondition("route " + route.method + " " + route.pattern +
                                      " added after the server started");
  }
  if (route.pattern.empty() || route.pattern.front() != '/') {
    return Status::InvalidArgument("route pattern must start with '/': '" + route.pattern + "'");
  }
  if (route.method.empty() || !route.handler) {
    return Status::InvalidArgument("route " + route.pattern + " needs a method and a handler");
  }
  Compiled c;
  for (std::string_view seg : SplitPath(route.pattern)) {
    if (seg.find_first_of("{}") != std::string_view::npos && !IsParam(seg)) {
      return Status::InvalidArgument("malformed segment '" + std::string(seg) + "' in " +
                                     route.pattern);
    }
    if (!IsParam(seg)) ++c.literals;
    c.segments.emplace_back(seg);
  }
  for (std::size_t i = 0; i < routes_.size(); ++i) {
    const auto& other = compiled_[i].segments;
    bool same = other.size() == c.segments.size();
    for (std::size_t k = 0; same && k < other.size(); ++k) {
      same = IsParam(other[k]) ? IsParam(c.segments[k]) : other[k] == c.segments[k];
    }
    if (routes_[i]->method == route.method && same) {
      return Status::AlreadyExists("route " + route.method + " " + route.pattern +
                                   " registered twice");
    }
  }
  route.index = routes_.size();
  routes_.push_back(std::make_unique<Route>(std::move(route)));
  compiled_.push_back(std::move(c));
  return Status::Ok();
}

Router::Match Router::Find(std::string_view method, std::string_view path) const {
  Match match;
  std::vector<std::string_view> segs = SplitPath(path);
  auto matches_path = [&](const Compiled& c) {
    if (c.segments.size() != segs.size()) return false;
    for (std::size_t k = 0; k < segs.size(); ++k) {
      if (IsParam(c.segments[k]) ? segs[k].empty() : c.segments[k] != segs[k]) return false;
    }
    return true;
  };
  // The most specific patterns own the path: /posts/stats is not also /posts/{id}, so
  // PATCH /posts/stats is a 405 rather than "stats is not an id".
  std::optional<std::size_t> best;
  for (const Compiled& c : compiled_) {
    if (matches_path(c) && (!best || c.literals > *best)) best = c.literals;
  }
  if (!best) {
    match.status = 404;
    return match;
  }
  for (std::size_t i = 0; i < routes_.size(); ++i) {
    const Compiled& c = compiled_[i];
    if (c.literals != *best || !matches_path(c)) continue;
    match.allowed.push_back(routes_[i]->method);
    if (routes_[i]->method != method || match.route != nullptr) continue;
    match.route = routes_[i].get();
    for (std::size_t k = 0; k < segs.size(); ++k) {
      if (IsParam(c.segments[k])) {
        match.params.emplace(c.segments[k].substr(1, c.segments[k].size() - 2),
                             std::string(segs[k]));
      }
    }
  }
  match.status = match.route ? 200 : 405;
  std::sort(match.allowed.begin(), match.allowed.end());
  match.allowed.erase(std::unique(match.allowed.begin(), match.allowed.end()), match.allowed.end());
  return match;
}

}  // namespace ct
