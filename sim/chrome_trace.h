// The simulated schedule as Chrome trace / Perfetto JSON (the "Trace Event Format"): one process
// per SM ("SM 17") with one thread per CTA slot on it, a complete event ("ph":"X") per CTA, and
// counter tracks ("ph":"C") for resident CTAs and HBM bandwidth per round. Times in microseconds.
// Open the file in https://ui.perfetto.dev or chrome://tracing.
#pragma once

#include <string>

#include "sim/result.h"

namespace attnsim::sim {

// Counter samples beyond this are thinned evenly, keeping the file a viewer can open.
inline constexpr std::size_t kMaxCounterSamples = 20000;

std::string chrome_trace_json(const Timeline& timeline);

}  // namespace attnsim::sim
