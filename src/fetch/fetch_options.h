// The fetch layer's options from the config ([fetch] and the limits of [sources.NAME]), in one
// place so the scrape jobs, `complaints scrape` and the tests build the same client.
#pragma once

#include "core/config.h"
#include "core/status.h"
#include "fetch/fetcher.h"
#include "fetch/http_client.h"

namespace ct {

// InvalidArgument naming a bad fetch.allow_networks entry (config validation catches it first).
Result<HttpClientOptions> HttpClientOptionsFromConfig(const FetchConfig& fetch);

FetcherOptions FetcherOptionsFromConfig(const FetchConfig& fetch);

// requests_per_minute, burst and the breaker of one source.
SourceLimits SourceLimitsFromConfig(const SourceConfig& source);

}  // namespace ct
