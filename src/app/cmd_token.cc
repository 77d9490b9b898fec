// complaints token create|list|revoke: API credentials. The secret is printed once.
#include <CLI/CLI.hpp>
#include <cstdio>

#include "api/auth.h"
#include "app/app_context.h"
#include "app/commands.h"
#include "core/time_format.h"
#include "store/store.h"

namespace ct {
namespace {

struct TokenOptions {
  std::string role = "viewer";
  std::string name;
  std::string target;  // id or name for revoke
};

void CreateToken(const GlobalOptions& global, const TokenOptions& o) {
  const AppConfig config = LoadAppConfig(global, "token");
  auto role = ParseRole(o.role);
  if (!role.ok()) Fail(role.status(), "token create");
  SystemClock clock;
  auto store = OpenStoreOrFail(config, clock);
  auto issued = IssueToken(*store, clock, o.name, *role);
  if (!issued.ok()) Fail(issued.status(), "token create");
  std::fprintf(stderr, "Created token %lld '%s' (%s). It is shown only once:\n",
               static_cast<long long>(issued->token.id), issued->token.name.c_str(),
               std::string(RoleName(issued->token.role)).c_str());
  std::printf("%s\n", issued->wire.c_str());
}

void ListTokens(const GlobalOptions& global) {
  const AppConfig config = LoadAppConfig(global, "token");
  SystemClock clock;
  auto store = OpenStoreOrFail(config, clock);
  auto tokens = store->ListTokens();
  if (!tokens.ok()) Fail(tokens.status(), "token list");
  std::printf("%-6s %-24s %-9s %-21s %s\n", "ID", "NAME", "ROLE", "CREATED", "REVOKED");
  for (const auto& t : *tokens) {
    std::printf("%-6lld %-24s %-9s %-21s %s\n", static_cast<long long>(t.id), t.name.c_str(),
                std::string(RoleName(t.role)).c_str(), FormatIso8601(t.created_at).c_str(),
                t.revoked_at ? FormatIso8601(*t.revoked_at).c_str() : "-");
  }
}

void RevokeToken(const GlobalOptions& global, const TokenOptions& o) {
  const AppConfig config = LoadAppConfig(global, "token");
  SystemClock clock;
  auto store = OpenStoreOrFail(config, clock);
  auto tokens = store->ListTokens();
  if (!tokens.ok()) Fail(tokens.status(), "token revoke");
  const ApiToken* found = nullptr;
  for (const auto& t : *tokens) {
    if (std::to_string(t.id) == o.target || (t.name == o.target && !t.revoked_at)) found = &t;
  }
  if (!found) Fail(Status::NotFound("no token with id or name '" + o.target + "'"), "token revoke");
  if (Status s = store->RevokeToken(found->id, clock.NowSeconds()); !s.ok())
    Fail(s, "token revoke");
  std::printf("Revoked token %lld '%s'\n", static_cast<long long>(found->id), found->name.c_str());
}

}  // namespace

void AddTokenCommand(CLI::App& root, const GlobalOptions& global) {
  auto opts = std::make_shared<TokenOptions>();
  CLI::App* token = root.add_subcommand("token", "Create, list and revoke API tokens");
  token->require_subcommand(1);

  CLI::App* create = token->add_subcommand("create", "Create a token and print it once");
  create->add_option("--role", opts->role, "viewer, operator or admin")
      ->check(CLI::IsMember({"viewer", "operator", "admin"}))
      ->capture_default_str();
  create->add_option("--name", opts->name, "A name to recognise it by (default: role-N)");
  create->callback([&global, opts] { CreateToken(global, *opts); });

  CLI::App* list = token->add_subcommand("list", "List tokens (never their secrets)");
  list->callback([&global] { ListTokens(global); });

  CLI::App* revoke = token->add_subcommand("revoke", "Revoke a token by id or name");
  revoke->add_option("token", opts->target, "Token id or name")->required();
  revoke->callback([&global, opts] { RevokeToken(global, *opts); });
}

}  // namespace ct
