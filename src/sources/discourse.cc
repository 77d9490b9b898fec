// Discourse forums (the OVHcloud community is one). base_url is required.
//   query "" or "latest": GET {base}/latest.json?page=P
//     {users:[{id, username}], topic_list:{topics:[{id, title, slug, created_at, excerpt?,
//      posts_count, like_count, views, posters:[{user_id}]}], more_topics_url?}}
//   otherwise:            GET {base}/search.json?q=Q%20order:latest&page=P
//     {posts:[{id, username, created_at, blurb, topic_id, post_number, like_count}],
//      topics:[{id, title, slug}], grouped_search_result:{more_full_page_results}}
// A topic's first post and the topic itself share one external id ("topic:ID") and URL, so
// both endpoints dedupe to the same post.
#include "sources/adapters.h"
#include "sources/html_text.h"
#include "sources/json_support.h"

#include <map>

namespace ct {
namespace {

using namespace json_support;

bool IsLatest(const std::string& query) { return query.empty() || query == "latest"; }

std::string WithPage(const std::string& url, int page) {
  return url.substr(0, url.rfind("page=")) + "page=" + std::to_string(page);
}

class DiscourseAdapter final : public SourceAdapter {
 public:
  std::string_view kind() const override { return "discourse"; }
  std::string DefaultQuery() const override { return "latest"; }

  Result<std::vector<HttpRequest>> FirstRequests(const SourceSpec& spec, const std::string& query,
                                                 std::optional<UnixSeconds>) const override {
    if (spec.base_url.empty())
      return Status::InvalidArgument("source " + spec.name + " (discourse) needs base_url");
    const std::string base = BaseUrl(spec, "");
    if (IsLatest(query)) return std::vector<HttpRequest>{Get(base + "/latest.json?order=created&page=0")};
    return std::vector<HttpRequest>{
        Get(base + "/search.json?q=" + UrlEncode(query + " order:latest") + "&page=1")};
  }

  Result<ParsedPage> Parse(const ParseContext& ctx, std::string_view body) const override {
    CT_ASSIGN_OR_RETURN(json root, ParseBody(ctx, body));
    if (!root.is_object()) return Drift(ctx, "response is not an object");
    if (root.contains("topic_list")) return ParseLatest(ctx, root);
    if (root.contains("grouped_search_result") || root.contains("posts")) return ParseSearch(ctx, root);
    return Drift(ctx, "neither 'topic_list' (latest.json) nor 'posts' (search.json)");
  }

 private:
  static std::string TopicUrl(const ParseContext& ctx, const std::string& slug, const std::string& id) {
    return BaseUrl(*ctx.spec, "") + "/t/" + slug + "/" + id;
  }

  Result<ParsedPage> ParseLatest(const ParseContext& ctx, const json& root) const {
    std::map<std::int64_t, std::string> users;
    for (const json& u : root.value("users", json::array())) users[Int(u, "id")] = Str(u, "username");
    CT_ASSIGN_OR_RETURN(const json* topics,
                        RequiredArray(ctx, root["topic_list"], "topics", "topic_list"));
    ParsedPage page;
    for (const json& t : *topics) {
      for (const char* key : {"id", "title", "slug", "created_at"})
        CT_RETURN_IF_ERROR(Require(ctx, t, key, "topic_list.topics[]"));
      if (Bool(t, "pinned") || Bool(t, "pinned_globally")) continue;  // banners
      Post p = NewPost(ctx, "topic:" + Str(t, "id"));
      p.title = HtmlToText(Str(t, "fancy_title").empty() ? Str(t, "title") : Str(t, "fancy_title"));
      p.content = HtmlToText(Str(t, "excerpt"));
      p.url = TopicUrl(ctx, Str(t, "slug"), Str(t, "id"));
      if (const auto& posters = t.value("posters", json::array()); !posters.empty())
        p.author = users[Int(posters[0], "user_id")];
      auto created = ParseAnyDate(Str(t, "created_at"));
      if (!created.ok()) return Drift(ctx, "topic created_at is not a date");
      p.created_at = *created;
      p.engagement.likes = Int(t, "like_count");
      p.engagement.comments = std::max<std::int64_t>(0, Int(t, "posts_count") - 1);
      p.metadata_json = json{{"forum", BaseUrl(*ctx.spec, "")},
                             {"views", Int(t, "views")},
                             {"tags", t.value("tags", json::array())}}
                            .dump();
      page.posts.push_back(std::move(p));
    }
    if (!Str(root["topic_list"], "more_topics_url").empty() && !topics->empty())
      page.next = Get(WithPage(ctx.request.url, ctx.page + 1));
    return page;
  }

  Result<ParsedPage> ParseSearch(const ParseContext& ctx, const json& root) const {
    const json topic_list = root.value("topics", json::array());
    std::map<std::int64_t, const json*> topics;
    if (topic_list.is_array())
      for (const json& t : topic_list) topics[Int(t, "id")] = &t;
    ParsedPage page;
    const json posts = root.value("posts", json::array());
    if (!posts.is_array()) return Drift(ctx, "'posts' is not an array");
    for (const json& post : posts) {
      for (const char* key : {"id", "topic_id", "created_at", "post_number"})
        CT_RETURN_IF_ERROR(Require(ctx, post, key, "posts[]"));
      auto topic = topics.find(Int(post, "topic_id"));
      if (topic == topics.end())
        return Drift(ctx, "post " + Str(post, "id") + " refers to a topic missing from 'topics'");
      const json& t = *topic->second;
      const bool first = Int(post, "post_number") == 1;
      Post p = NewPost(ctx, first ? "topic:" + Str(t, "id") : "post:" + Str(post, "id"));
      p.title = HtmlToText(Str(t, "title"));
      if (!first) p.title = "Re: " + p.title;
      p.content = HtmlToText(Str(post, "blurb"));
      p.url = TopicUrl(ctx, Str(t, "slug"), Str(t, "id")) +
              (first ? "" : "/" + Str(post, "post_number"));
      p.author = Str(post, "username");
      auto created = ParseAnyDate(Str(post, "created_at"));
      if (!created.ok()) return Drift(ctx, "post created_at is not a date");
      p.created_at = *created;
      p.engagement.likes = Int(post, "like_count");
      p.metadata_json = json{{"forum", BaseUrl(*ctx.spec, "")}, {"topic_id", Int(t, "id")}}.dump();
      page.posts.push_back(std::move(p));
    }
    const json& g = root.value("grouped_search_result", json::object());
    if (Bool(g, "more_full_page_results") && !posts.empty())
      page.next = Get(WithPage(ctx.request.url, ctx.page + 2));
    return page;
  }
};

}  // namespace

std::unique_ptr<SourceAdapter> MakeDiscourseAdapter() { return std::make_unique<DiscourseAdapter>(); }

}  // namespace ct
