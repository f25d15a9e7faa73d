// The project's end-to-end whole-model timings: one Hugging Face model() call in eager mode, timed
// with CUDA events, host dispatch included (validate/capacity/ wrote them; each folder's README
// says how). Read from the committed CSVs, one row per (machine, model, attention, prompt length).
#pragma once

#include <cstdint>
#include <filesystem>
#include <string>
#include <vector>

#include "capacity/scenario.h"

namespace attnsim {

struct WholeModelRun {
  std::string machine;  // the folder measured in: its GPU and its host's CPU
  std::string gpu;      // GPU profile id
  std::string model;    // models/ id
  std::string impl;     // transformers' attn_implementation: eager or sdpa
  std::int64_t seq = 0;
  bool kv_cache = true;  // model(..., use_cache=True)
  double measured_seconds = 0;
};

// The scenario a run is priced in: a batch-1 prefill of `seq` tokens with the last position's logits
// (logits_to_keep=1), its cache as used, transformers' eager attention as attnsim's eager variant and
// its sdpa as PyTorch's own dispatch.
capacity::Scenario scenario_of(const WholeModelRun& run);

// Llama-3.2-1B's and Qwen2.5-0.5B's prefills on three machines, N = 128-32768:
// h100-sxm/capacity/prefill_time.csv (median of 5 calls), h200/capacity/prefill_mechanisms.csv (its
// per-call event rows) and h100-sxm/host_dispatch/forwards.csv (upper median of 30 interleaved rounds).
std::vector<WholeModelRun> small_model_prefill_runs(const std::filesystem::path& data_folder);

// Forwards run back to back (measure_prefill_clocks.py), the median per (model, N), from
// <folder>/forward_times.csv under data_folder; the folder's first component names the GPU profile.
std::vector<WholeModelRun> back_to_back_prefill_runs(const std::filesystem::path& data_folder,
                                                     const std::string& folder);

// The committed back-to-back runs of the larger models: Llama-3.1-8B at N = 4096 and 16384 for 15 s
// each (h100-sxm/prefill_clocks_8b); Qwen2.5-7B and Phi-3-mini at the same N for 6 s each
// (h100-sxm/prefill_clocks_heldout; Phi-3's elementwise kernels were later set from its own trace).
inline const std::vector<std::string> kBackToBackPrefillFolders = {"h100-sxm/prefill_clocks_8b",
                                                                   "h100-sxm/prefill_clocks_heldout"};

}  // namespace attnsim
