#include "validate/comparison.h"

#include <algorithm>
#include <cmath>
#include <map>

#include "model/error.h"
#include "model/l2_writeback.h"
#include "model/loglog_fit.h"
#include "model/sm_clock.h"
#include "model/variant.h"

namespace attnsim {
namespace {

bool known_variant(const std::string& id) {
  const auto& all = all_variants();
  return std::any_of(all.begin(), all.end(), [&](const Variant& v) { return v.id == id; });
}

double median(std::vector<double> values) {
  std::sort(values.begin(), values.end());
  const std::size_t n = values.size();
  return n % 2 ? values[n / 2] : 0.5 * (values[n / 2 - 1] + values[n / 2]);
}

}  // namespace

std::string slope_family(const MeasuredRun& run) {
  const Workload& w = run.workload;
  const std::string tile =
      run.tile_block_m ? " tile " + std::to_string(*run.tile_block_m) + "x" + std::to_string(*run.tile_block_n) : "";
  return "B=" + std::to_string(w.batch) + " H=" + std::to_string(w.heads) + " Hkv=" + std::to_string(w.kv_heads) +
         " d=" + std::to_string(w.head_dim) + (w.causal ? " causal" : "") +
         (w.window ? " window " + std::to_string(*w.window) : "") + tile;
}

HostDispatch host_dispatch_of(const MeasuredRun& run) {
  HostDispatch host;
  if (run.timing.rfind(kHostInclusiveTiming, 0) == 0) host.dispatch = Dispatch::eager;
  // PyTorch's SDPA backends are called through scaled_dot_product_attention (its wrapper's kernels).
  if (run.backend.rfind("sdpa-", 0) == 0) host.entry = Entry::sdpa;
  return host;
}

Prediction predict_as_run(const MeasuredRun& run, const Gpu& gpu, const HostDispatch& host) {
  const Variant& variant = find_variant(run.variant);
  if (!run.sm_clock_hz) return predict(run.workload, gpu, variant, knobs_of(run), host);
  const Gpu held = at_clock(gpu, {ClockSetting::Kind::held, *run.sm_clock_hz});
  return predict(run.workload, held, variant, knobs_of(run), host);
}

VariantKnobs knobs_of(const MeasuredRun& run) {
  VariantKnobs knobs;
  knobs.block_m = run.tile_block_m;
  knobs.block_n = run.tile_block_n;
  // attnsim-bench's eager chain writes its copies, casts and mask add with 16-byte vector loads
  // (validate/cuda/eager_attention.cu), where PyTorch's TensorIterator kernels are element-bound.
  if (run.backend == "cublas-eager") knobs.elementwise = ElementwiseKernels::vectorized;
  // NVIDIA's NGC PyTorch builds (versions such as 2.9.0a0+50eac811a6.nv25.09) turn TF32 on for fp32
  // matmuls, which PyTorch's own builds leave off (MONAI issue #6525: the container sets
  // torch.backends.cuda.matmul.allow_tf32 to True). The B200's published sdpa-math backward, run in
  // NGC 25.09, could not otherwise take 0.46x its forward: 8.8 TFLOP in 53 ms is twice the B200's
  // FP32 CUDA-core rate (validate/data/published/b200.csv).
  if (run.torch_version.find(".nv") != std::string::npos) knobs.allow_tf32 = true;
  return knobs;
}

ValidationReport compare_runs(const std::vector<MeasuredRun>& runs, const Gpu& gpu, std::int64_t fit_min_seq,
                              const std::vector<NcuCall>& ncu_calls) {
  ValidationReport report;
  const auto ok_rows = std::count_if(runs.begin(), runs.end(), [](const MeasuredRun& r) { return r.status == "ok"; });
  if (!ncu_calls.empty() && std::size_t(ok_rows) != ncu_calls.size()) {
    throw InvalidInput("ncu", "the report brackets " + std::to_string(ncu_calls.size()) +
                                  " calls but the measured file has " + std::to_string(ok_rows) +
                                  " ok rows: give the CSV that the same --profile run wrote (validate/README.md)");
  }
  std::size_t next_call = 0;
  for (const MeasuredRun& measured : runs) {
    MeasuredRun run = measured;
    const std::string at = "line " + std::to_string(run.line) + ": ";
    const NcuCall* call = nullptr;
    if (run.status == "ok" && !ncu_calls.empty()) call = &ncu_calls[next_call++];
    const bool profiled = run.timing == kProfiledTiming;
    if (run.status == "ok" && profiled) {
      if (call == nullptr) {
        report.skipped.push_back(at + run.backend + " timed under a profiler: give --ncu for its kernel time");
        continue;
      }
      run.median_seconds = call->duration_seconds;
    }
    if (run.status != "ok") {
      report.skipped.push_back(at + run.backend + " status " + run.status.substr(0, run.status.find(':')));
      continue;
    }
    if (!known_variant(run.variant)) {
      report.skipped.push_back(at + "no attnsim variant '" + run.variant + "' (" + run.backend + ")");
      continue;
    }
    RunComparison c;
    c.run = run;
    if (profiled) c.time_source = "ncu gpu__time_duration";
    try {
      c.prediction = predict_as_run(run, gpu, host_dispatch_of(run));
    } catch (const InvalidInput& e) {
      report.skipped.push_back(at + run.variant + ": " + e.what());
      continue;
    }
    if (call != nullptr) {
      NcuComparison n;
      n.ncu_line = call->first_line;
      n.kernels = int(call->kernels.size());
      n.measured_dram_read_bytes = call->dram_read_bytes;
      n.measured_dram_write_bytes = call->dram_write_bytes;
      // What a kernel leaves dirty in L2 is written back outside every measured kernel
      // (model/l2_writeback.h).
      n.predicted_hbm_bytes = ncu_counted_dram_bytes(c.prediction, gpu);
      n.dram_error = call->dram_bytes() > 0 ? n.predicted_hbm_bytes / call->dram_bytes() - 1.0 : 0.0;
      n.kernel_seconds = call->duration_seconds;
      c.ncu = n;
    }
    c.time_error = c.prediction.predicted_seconds / run.median_seconds - 1.0;
    if (run.peak_extra_memory_bytes && *run.peak_extra_memory_bytes > 0) {
      // The call's outputs are allocated during it: O, and for a backward dQ, dK, dV too.
      const Workload& w = run.workload;
      const double gradients = w.pass == Pass::forward ? 0.0 : q_bytes(w) + k_bytes(w) + v_bytes(w);
      const double predicted_peak = c.prediction.cost.workspace_bytes + o_bytes(w) + gradients;
      c.memory_error = predicted_peak / *run.peak_extra_memory_bytes - 1.0;
    }
    report.rows.push_back(std::move(c));
  }

  std::map<std::pair<std::string, std::string>, std::vector<const RunComparison*>> by_backend;
  std::map<std::tuple<std::string, std::string, std::string>, std::vector<const RunComparison*>> by_family;
  for (const RunComparison& c : report.rows) {
    by_backend[{c.run.variant, c.run.backend}].push_back(&c);
    const Workload& w = c.run.workload;
    if (w.seq_q == w.seq_kv && w.seq_kv >= fit_min_seq)
      by_family[{c.run.variant, c.run.backend, slope_family(c.run)}].push_back(&c);
  }
  for (const auto& [key, group] : by_backend) {
    VariantSummary s;
    s.variant = key.first;
    s.backend = key.second;
    s.points = int(group.size());
    std::vector<double> ratios;
    for (const RunComparison* c : group) {
      const double pct = 100.0 * std::fabs(c->time_error);
      s.mean_abs_percentage_error += pct / double(group.size());
      s.max_abs_percentage_error = std::max(s.max_abs_percentage_error, pct);
      ratios.push_back(1.0 + c->time_error);
    }
    s.median_ratio = median(ratios);
    for (const RunComparison* c : group) {
      if (!c->ncu) continue;
      const double pct = 100.0 * std::fabs(c->ncu->dram_error);
      ++s.dram_points;
      s.dram_mean_abs_percentage_error += pct;
      s.dram_max_abs_percentage_error = std::max(s.dram_max_abs_percentage_error, pct);
    }
    if (s.dram_points > 0) s.dram_mean_abs_percentage_error /= double(s.dram_points);
    report.summary.push_back(s);
  }
  for (const auto& [key, group] : by_family) {
    std::vector<double> n, measured, predicted;
    for (const RunComparison* c : group) {
      n.push_back(double(c->run.workload.seq_kv));
      measured.push_back(c->run.median_seconds);
      predicted.push_back(c->prediction.predicted_seconds);
    }
    std::vector<double> distinct = n;
    std::sort(distinct.begin(), distinct.end());
    if (std::unique(distinct.begin(), distinct.end()) - distinct.begin() < 3) continue;
    report.slopes.push_back({std::get<0>(key), std::get<1>(key), std::get<2>(key), int(group.size()),
                             fit_power_law(n, measured).exponent, fit_power_law(n, predicted).exponent});
  }
  return report;
}

}  // namespace attnsim
