#include "sim/chrome_trace.h"

#include <nlohmann/json.hpp>

namespace attnsim::sim {
namespace {

constexpr double kMicrosecondsPerSecond = 1e6;

}  // namespace

std::string chrome_trace_json(const Timeline& timeline) {
  nlohmann::json events = nlohmann::json::array();
  const int gpu_pid = int(timeline.sm_count);  // the counters' process, listed first
  events.push_back({{"name", "process_name"}, {"ph", "M"}, {"pid", gpu_pid}, {"args", {{"name", "GPU"}}}});
  events.push_back({{"name", "process_sort_index"}, {"ph", "M"}, {"pid", gpu_pid}, {"args", {{"sort_index", -1}}}});
  int slots_per_sm = 0;
  for (const CtaSpan& s : timeline.spans) slots_per_sm = std::max(slots_per_sm, s.slot_on_sm + 1);
  for (int sm = 0; sm < int(timeline.sm_count); ++sm) {
    events.push_back({{"name", "process_name"}, {"ph", "M"}, {"pid", sm}, {"args", {{"name", "SM " + std::to_string(sm)}}}});
    events.push_back({{"name", "process_sort_index"}, {"ph", "M"}, {"pid", sm}, {"args", {{"sort_index", sm}}}});
    for (int slot = 0; slot < slots_per_sm; ++slot) {
      events.push_back({{"name", "thread_name"}, {"ph", "M"}, {"pid", sm}, {"tid", slot},
                        {"args", {{"name", "CTA slot " + std::to_string(slot)}}}});
    }
  }
  for (const CtaSpan& s : timeline.spans) {
    const std::string& kernel = timeline.kernel_names[std::size_t(s.kernel)];
    events.push_back({{"name", kernel + " CTA " + std::to_string(s.cta)},
                      {"cat", kernel},
                      {"ph", "X"},
                      {"pid", s.sm},
                      {"tid", s.slot_on_sm},
                      {"ts", s.start_seconds * kMicrosecondsPerSecond},
                      {"dur", (s.end_seconds - s.start_seconds) * kMicrosecondsPerSecond},
                      {"args", {{"cta", s.cta}, {"tile_steps", s.steps}}}});
  }
  const std::size_t stride = timeline.rounds.size() / kMaxCounterSamples + 1;
  for (std::size_t i = 0; i < timeline.rounds.size(); i += stride) {
    const RoundSample& r = timeline.rounds[i];
    const double ts = r.start_seconds * kMicrosecondsPerSecond;
    events.push_back({{"name", "resident CTAs"}, {"ph", "C"}, {"pid", gpu_pid}, {"ts", ts}, {"args", {{"ctas", r.active_ctas}}}});
    events.push_back({{"name", "HBM GB/s"}, {"ph", "C"}, {"pid", gpu_pid}, {"ts", ts},
                      {"args", {{"GB/s", r.hbm_bytes_per_second / 1e9}}}});
  }
  nlohmann::json trace = {{"traceEvents", events}, {"displayTimeUnit", "ns"}};
  return trace.dump() + "\n";
}

}  // namespace attnsim::sim
