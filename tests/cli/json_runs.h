// One or more invocations of every command that writes JSON, chosen so that together they reach
// every key and every reason for a null (docs/json-schema.md): the JSON tests run them all.
#pragma once

#include <string>
#include <vector>

#include "tests/cli/cli_support.h"

namespace attnsim::cli::testing {

struct JsonRun {
  std::string command;
  std::vector<std::string> args;  // without --format
};

inline std::vector<JsonRun> json_runs() {
  const std::string data = std::string(ATTNSIM_SOURCE_DIR) + "/validate/data/";
  const std::string calibrated = scratch("attnsim_json_runs", "calibrated.toml").string();
  return {
      {"predict", {"--variant", "flash2", "--seq", "4096", "--causal"}},
      {"predict", {"--gpu", "rtx4090", "--variant", "sliding-window", "--seq", "16384", "--window", "1024"}},
      {"predict", {"--variant", "flash2", "--seq", "4096", "--engine", "sim"}},
      {"predict", {"--gpu", "rtx4090", "--variant", "eager", "--seq", "4096"}},
      {"sweep", {"--gpu", "h100-sxm", "--variant", "eager,sliding-window", "--seq", "1024:16384:x4"}},
      {"sweep", {"--variant", "flash2", "--seq", "1024"}},  // one point: no slope
      {"capacity", {"--model", "llama-3.2-1b", "--gpu", "rtx4090", "--variant", "eager,flash2"}},
      {"capacity", {"--model", "llama-3.2-1b", "--gpu", "rtx4090", "--variant", "flash2", "--seq", "8192"}},
      {"capacity", {"--model", "mamba2-780m", "--gpu", "rtx4090", "--phase", "decode"}},   // unbounded
      {"capacity", {"--model", "llama-3.1-70b", "--gpu", "rtx4090", "--variant", "flash2"}},  // nothing fits
      {"plan", {"--model", "llama-3.1-8b", "--seq", "131072", "--latency-budget", "30"}},
      {"plan", {"--model", "llama-3.1-8b", "--seq", "131072", "--variant", "ssm-scan", "--gpu", "h100-sxm"}},
      {"serve", {"--model", "llama-3.1-8b", "--gpu", "h100-sxm", "--seq", "4096,131072", "--batch", "1,8"}},
      {"serve", {"--model", "llama-3.1-70b", "--gpu", "rtx4090", "--seq", "4096", "--batch", "1"}},
      {"crossover",
       {"--transformer", "llama-3.2-1b", "--ssm", "mamba2-780m", "--gpu", "rtx4090", "--seq", "1024:65536:x4"}},
      {"crossover",
       {"--transformer", "llama-3.2-1b", "--ssm", "mamba2-780m", "--gpu", "rtx4090", "--seq", "1024,2048"}},
      {"ring", {"--model", "llama-3.1-8b", "--gpu", "h100-sxm", "--seq", "1048576", "--gpu-count", "1,8"}},
      {"tiles", {"--seq", "2048", "--block-m", "64,192", "--block-n", "64,176", "--stages", "1,3", "--jobs", "2"}},
      {"validate", {"--measured", data + "h200/pytorch_attention.csv", "--gpu", "h200"}},
      {"validate",
       {"--measured", data + "h100-sxm/ncu/ncu_bench_runs.csv", "--ncu", data + "h100-sxm/ncu/ncu_bench.csv", "--gpu",
        "h100-sxm"}},
      {"calibrate", {"--measured", data + "h200/pytorch_attention.csv", "--gpu", "h200", "--out", calibrated}},
      {"gpus", {}},
      {"variants", {}},
  };
}

// The command's output in `format` ("json" or "csv").
inline Result run_as(const JsonRun& run, const std::string& format) {
  std::vector<std::string> args = {run.command};
  args.insert(args.end(), run.args.begin(), run.args.end());
  args.insert(args.end(), {"--format", format});
  return attnsim(args);
}

}  // namespace attnsim::cli::testing
