// How the simulator's own figures (L2 hits, waves, SM busy, memory-bound rounds) are shown beside
// the Prediction both engines share.
#pragma once

#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "io/report.h"
#include "sim/result.h"

namespace attnsim::cli {

// One record per simulated kernel; keys carry units as in io/report.h.
std::vector<Record> sim_kernel_records(const sim::SimResult& r);
// The call's totals appended to a prediction record (CSV columns).
void append_sim_totals(Record& record, const sim::SimResult& r);
std::string render_sim_table(const sim::SimResult& r);
nlohmann::json sim_json(const sim::SimResult& r);

}  // namespace attnsim::cli
