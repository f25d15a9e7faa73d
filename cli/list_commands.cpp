// attnsim gpus and attnsim variants: what the model knows about.
#include <fmt/format.h>
#include <functional>

#include "cli/app.h"
#include "cli/options.h"
#include "io/gpu_profile.h"
#include "io/report.h"
#include "model/variant.h"

namespace attnsim::cli {
namespace {

Record gpu_record(const Gpu& g) {
  // A precision the GPU has no tensor path for (FP8 before Ada) is null, not 0.
  auto tflops = [&](Dtype d) { return g.tensor_peak(d) ? Value(*g.tensor_peak(d) / 1e12) : Value(); };
  return {{"id", g.id},
          {"name", g.name},
          {"compute_capability", fmt::format("{}.{}", g.compute_capability_major, g.compute_capability_minor)},
          {"sms", std::int64_t(g.sm_count)},
          {"sustained_clock_mhz", g.sustained_clock_hz / 1e6},
          {"burst_clock_mhz", g.burst_clock_hz ? Value(*g.burst_clock_hz / 1e6) : Value()},
          {"bf16_tflops", tflops(Dtype::bf16)},
          {"fp8_tflops", tflops(Dtype::fp8_e4m3)},
          {"fp32_vector_tflops", g.fp32_vector_flops_per_second / 1e12},
          {"exp_tops", g.exp_per_second() / 1e12},
          {"hbm_gb_per_s", g.hbm_bytes_per_second / 1e9},
          {"memory_bytes", g.memory_capacity_bytes},
          {"l2_bytes", g.l2_bytes},
          {"smem_per_sm_bytes", g.shared_memory_per_sm_bytes}};
}

std::string render(const std::vector<Record>& records, Format format, const std::vector<Column>& columns) {
  if (format == Format::csv) return render_csv(records);
  if (format == Format::json) {
    nlohmann::json list = nlohmann::json::array();
    for (const Record& r : records) list.push_back(to_json(r));
    return list.dump(2) + "\n";
  }
  return render_table(records, columns);
}

// A listing command: --help text, then the records in the chosen format.
int listing(const std::vector<std::string>& args, const char* name, const char* help,
            const std::function<std::vector<Record>()>& records, const std::vector<Column>& columns,
            std::ostream& out) {
  po::options_description options(name);
  options.add(output_options());
  const po::variables_map vm = parse(args, options);
  if (vm.count("help")) {
    out << help << "\n" << options;
    return 0;
  }
  emit(render(records(), format_from(vm), columns), out_path_from(vm), out);
  return 0;
}

}  // namespace

int gpus_command(const std::vector<std::string>& args, std::ostream& out, std::ostream& /*err*/) {
  return listing(
      args, "attnsim gpus",
      "attnsim gpus: the built-in GPU profiles (hw_profiles/*.toml, every number with its source).\n\n"
      "example:\n  attnsim gpus\n  attnsim gpus --format csv --out gpus.csv\n\n"
      "Dense tensor peaks with FP32 accumulation and exp_tops (SFU exponentials per second) at the sustained\n"
      "clock; burst_clock_mhz is what tensor-core kernels hold in an isolated call (--clock burst), empty\n"
      "where no measurement gives it.\n",
      [] {
        std::vector<Record> records;
        for (const Gpu& g : builtin_gpus()) records.push_back(gpu_record(g));
        return records;
      },
      {"id", "compute_capability", "sms", "sustained_clock_mhz", "burst_clock_mhz", "bf16_tflops", "fp8_tflops",
       "exp_tops", "hbm_gb_per_s", "memory_bytes", "l2_bytes", "smem_per_sm_bytes"},
      out);
}

int variants_command(const std::vector<std::string>& args, std::ostream& out, std::ostream& /*err*/) {
  return listing(
      args, "attnsim variants",
      "attnsim variants: the attention implementations the model knows, their growth in N, knobs and sources.\n\n"
      "example:\n  attnsim variants\n  attnsim variants --format json\n",
      [] {
        std::vector<Record> records;
        for (const Variant& v : all_variants()) {
          std::string knobs;
          for (const std::string& k : v.knobs) knobs += (knobs.empty() ? "" : " ") + k;
          records.push_back({{"id", v.id},
                             {"complexity", v.complexity},
                             {"knobs", knobs.empty() ? Value() : Value(knobs)},
                             {"summary", v.summary},
                             {"sources", v.sources}});
        }
        return records;
      },
      {"id", "complexity", "knobs", "summary"}, out);
}

}  // namespace attnsim::cli
