#include "cli/sim_output.h"

#include <fmt/format.h>

namespace attnsim::cli {
namespace {

std::string percent(double fraction) { return fmt::format("{:.1f}%", 100.0 * fraction); }

}  // namespace

std::vector<Record> sim_kernel_records(const sim::SimResult& r) {
  std::vector<Record> rows;
  for (const sim::KernelStats& k : r.kernels) {
    rows.push_back({{"kernel", k.name},
                    {"ctas", k.ctas},
                    {"ctas_per_sm", k.ctas_per_sm},
                    {"waves", k.waves},
                    {"tile_steps", k.cta_steps},
                    {"l2_read_bytes", k.traffic.read_bytes},
                    {"l2_hit_rate", k.l2_hit_rate()},
                    {"hbm_read_bytes", k.traffic.hbm_read_bytes},
                    {"hbm_write_bytes", k.traffic.hbm_write_bytes},
                    {"sm_busy_fraction", k.sm_busy_fraction},
                    {"memory_bound_fraction", k.seconds > 0 ? k.memory_bound_seconds / k.seconds : 0.0},
                    {"time_seconds", k.seconds}});
  }
  return rows;
}

void append_sim_totals(Record& record, const sim::SimResult& r) {
  double read = 0;
  double hit = 0;
  double busy_weighted = 0;
  double seconds = 0;
  for (const sim::KernelStats& k : r.kernels) {
    read += k.traffic.read_bytes;
    hit += k.traffic.read_hit_bytes;
    busy_weighted += k.sm_busy_fraction * k.seconds;
    seconds += k.seconds;
  }
  // `waves` is not repeated: the record's own comes from the simulated schedule already.
  record.push_back({"engine", std::string("sim")});
  record.push_back({"l2_read_bytes", read});
  record.push_back({"l2_hit_rate", read > 0 ? hit / read : 0.0});
  record.push_back({"sm_busy_fraction", seconds > 0 ? busy_weighted / seconds : 0.0});
  record.push_back({"simulated_fraction", r.sample_fraction});
}

std::string render_sim_table(const sim::SimResult& r) {
  std::vector<Record> rows = sim_kernel_records(r);
  for (Record& row : rows) {
    for (Field& f : row) {
      if (f.key == "l2_hit_rate" || f.key == "sm_busy_fraction" || f.key == "memory_bound_fraction") {
        f.value = percent(std::get<double>(f.value));
      }
    }
  }
  return render_table(rows, {"kernel", "ctas", "ctas_per_sm", "waves", "l2_read_bytes", "l2_hit_rate", "hbm_read_bytes",
                             "hbm_write_bytes", "sm_busy_fraction", "memory_bound_fraction", "time_seconds"});
}

nlohmann::json sim_json(const sim::SimResult& r) {
  nlohmann::json kernels = nlohmann::json::array();
  for (const Record& row : sim_kernel_records(r)) kernels.push_back(to_json(row));
  return {{"kernels", kernels}, {"simulated_fraction", r.sample_fraction}};
}

}  // namespace attnsim::cli
