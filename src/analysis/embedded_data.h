// The data files compiled into ct_analysis at build time (see CMakeLists.txt): the VADER and
// French lexicons from tools/lexicons/node_modules, our French overlay, and
// config/taxonomy.toml. Static storage; thread-safe.
#pragma once

#include <string_view>

namespace ct {

// Contents of the embedded file with this base name; empty when there is none.
std::string_view EmbeddedFile(std::string_view name);

}  // namespace ct
