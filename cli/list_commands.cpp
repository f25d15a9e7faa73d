// attnsim gpus and attnsim variants: what the model knows about.
#include <fmt/format.h>

#include "cli/app.h"
#include "cli/options.h"
#include "io/gpu_profile.h"
#include "io/report.h"
#include "model/variant.h"

namespace attnsim::cli {
namespace {

Record gpu_record(const Gpu& g) {
  auto tflops = [&](Dtype d) { return g.tensor_peak(d) ? *g.tensor_peak(d) / 1e12 : 0.0; };
  return {{"id", g.id},
          {"name", g.name},
          {"compute_capability", fmt::format("{}.{}", g.compute_capability_major, g.compute_capability_minor)},
          {"sms", g.sm_count},
          {"bf16_tflops", tflops(Dtype::bf16)},
          {"fp8_tflops", tflops(Dtype::fp8_e4m3)},
          {"fp32_vector_tflops", g.fp32_vector_flops_per_second / 1e12},
          {"exp_tops", g.exp_per_second() / 1e12},
          {"hbm_gb_per_s", g.hbm_bytes_per_second / 1e9},
          {"memory_bytes", g.memory_capacity_bytes},
          {"l2_bytes", g.l2_bytes},
          {"smem_per_sm_bytes", g.shared_memory_per_sm_bytes}};
}

std::string render(const std::vector<Record>& records, Format format, const std::vector<std::string>& columns) {
  if (format == Format::csv) return render_csv(records);
  if (format == Format::json) {
    nlohmann::json list = nlohmann::json::array();
    for (const Record& r : records) list.push_back(to_json(r));
    return list.dump(2) + "\n";
  }
  return render_table(records, columns);
}

}  // namespace

int gpus_command(const std::vector<std::string>& args, std::ostream& out, std::ostream& /*err*/) {
  po::options_description options("attnsim gpus");
  options.add(output_options());
  const po::variables_map vm = parse(args, options);
  if (vm.count("help")) {
    out << "attnsim gpus: the built-in GPU profiles (hw_profiles/*.toml, every number with its source).\n\n"
           "example:\n  attnsim gpus\n  attnsim gpus --format csv --out gpus.csv\n\n"
           "Dense tensor peaks with FP32 accumulation; exp_tops = SFU exponentials per second.\n\n"
        << options;
    return 0;
  }
  std::vector<Record> records;
  for (const Gpu& g : builtin_gpus()) records.push_back(gpu_record(g));
  const std::string out_path = vm.count("out") ? vm["out"].as<std::string>() : "";
  emit(render(records, format_from(vm),
              {"id", "compute_capability", "sms", "bf16_tflops", "fp8_tflops", "exp_tops", "hbm_gb_per_s", "memory_bytes",
               "l2_bytes", "smem_per_sm_bytes"}),
       out_path, out);
  return 0;
}

int variants_command(const std::vector<std::string>& args, std::ostream& out, std::ostream& /*err*/) {
  po::options_description options("attnsim variants");
  options.add(output_options());
  const po::variables_map vm = parse(args, options);
  if (vm.count("help")) {
    out << "attnsim variants: the attention implementations the model knows, their growth in N, knobs and sources.\n\n"
           "example:\n  attnsim variants\n  attnsim variants --format json\n\n"
        << options;
    return 0;
  }
  std::vector<Record> records;
  for (const Variant& v : all_variants()) {
    std::string knobs;
    for (const std::string& k : v.knobs) knobs += (knobs.empty() ? "" : " ") + k;
    records.push_back({{"id", v.id},
                       {"complexity", v.complexity},
                       {"knobs", knobs.empty() ? std::string("-") : knobs},
                       {"summary", v.summary},
                       {"sources", v.sources}});
  }
  const std::string out_path = vm.count("out") ? vm["out"].as<std::string>() : "";
  emit(render(records, format_from(vm), {"id", "complexity", "knobs", "summary"}), out_path, out);
  return 0;
}

}  // namespace attnsim::cli
