// What an adapter sees of one configured source: SourceSpec from [sources.NAME] and the
// environment (the token named by token_env).
#pragma once

#include "core/config.h"
#include "sources/source_adapter.h"

namespace ct {

// options: "site" (stackexchange), "format" (reddit), and each html selector under its own key.
SourceSpec SourceSpecFromConfig(const SourceConfig& source, const Environment& env);

}  // namespace ct
