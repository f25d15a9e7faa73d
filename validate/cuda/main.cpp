// attnsim-bench: real attention kernels on the GPU, timed the way validate/pytorch_attention_bench.py
// times PyTorch's, written in the same CSV schema so `attnsim validate` reads both.
//   attnsim-bench --check
//   attnsim-bench --kernel flash2 --tile 128x64 --seq 4096 --head-dim 128 --causal --out runs.csv
//   attnsim-bench --grid full --out runs.csv [--max-minutes 5]
// Exit status: 0 success; 1 a failed check or a runtime error; 2 invalid command line.
#include <chrono>
#include <cstdio>
#include <iostream>
#include <map>
#include <optional>
#include <set>
#include <stdexcept>
#include <string>
#include <vector>

#include "attention_inputs.h"
#include "backends.h"
#include "cold_timing.h"
#include "correctness_check.h"
#include "cuda_check.h"
#include "gpu_environment.h"
#include "measure_point.h"
#include "measured_csv.h"
#include "measurement_grid.h"
#include "profile_pass.h"

namespace attnsim::bench {
namespace {

constexpr const char* kHelp =
    R"(attnsim-bench: attention kernels on the GPU, timed cold, in attnsim's measured-run CSV schema.

Modes (exactly one):
  --check                 every backend against a float64 CPU reference on small random shapes
                          (--check-cases edges: only the tile-edge shapes, for compute-sanitizer)
  --kernel K              one point: K = eager | flash2 | flash-decode
  --grid NAME             a built-in grid: full | extended | prefill | decode | ncu | smoke
  --profile               with --kernel or --grid: one call per row, no timing loop, between two
                          attnsim_run_marker kernels and inside an NVTX range, for Nsight Compute
                          (the ncu command is in validate/README.md)

Shape (--kernel):
  --batch B (1)  --heads H (32)  --kv-heads Hkv (= H)  --seq Nk (4096)  --seq-q Nq (= Nk; 1 for flash-decode)
  --head-dim d (128: 64 or 128)  --causal (bottom-right aligned)
Backend knobs:
  --tile BMxBN            flash2 tile, BM in {64,128}, BN in {32,64,128} (default 128x64)
  --num-splits S          flash-decode splits, 1..128 (default: FlashAttention's heuristic)
Output:
  --out FILE              append CSV rows (header written when the file is new)
  --max-minutes M         --grid: stop measuring after M minutes (later rows: skipped: time budget)
  --seed N                random inputs' seed (default 0)
  --device N              CUDA device (default 0)

Examples:
  attnsim-bench --check
  attnsim-bench --kernel flash2 --tile 128x64 --batch 1 --heads 32 --kv-heads 32 --seq 4096 --seq-q 4096 --head-dim 128 --causal --out runs.csv
  attnsim-bench --kernel flash-decode --batch 16 --heads 32 --kv-heads 8 --seq 65536 --out runs.csv
  attnsim-bench --grid full --out runs.csv --max-minutes 5
  ncu --metrics dram__bytes_read.sum,dram__bytes_write.sum,gpu__time_duration.sum --csv --page raw \
      --print-units base --clock-control none attnsim-bench --grid ncu --profile --out runs.csv > ncu.csv
)";

class UsageError : public std::invalid_argument {
 public:
  using std::invalid_argument::invalid_argument;
};

struct CommandLine {
  std::map<std::string, std::string> values;
  std::set<std::string> flags;
  bool has(const std::string& name) const { return values.count(name) > 0 || flags.count(name) > 0; }
  std::string value(const std::string& name, const std::string& fallback) const {
    const auto it = values.find(name);
    return it == values.end() ? fallback : it->second;
  }
};

CommandLine parse_command_line(int argc, char** argv) {
  static const std::set<std::string> kFlags = {"--check", "--causal", "--help", "--profile"};
  static const std::set<std::string> kValued = {"--kernel",   "--tile", "--num-splits", "--batch",      "--heads",
                                                "--kv-heads", "--seq",  "--seq-q",      "--head-dim",   "--out",
                                                "--grid",     "--seed", "--device",     "--max-minutes", "--check-cases"};
  CommandLine cl;
  for (int i = 1; i < argc; ++i) {
    const std::string arg = argv[i];
    if (kFlags.count(arg) > 0) {
      cl.flags.insert(arg);
    } else if (kValued.count(arg) > 0) {
      if (i + 1 >= argc) throw UsageError(arg + ": needs a value");
      cl.values[arg] = argv[++i];
    } else {
      throw UsageError(arg + ": unknown option (see --help)");
    }
  }
  return cl;
}

std::int64_t integer_option(const CommandLine& cl, const std::string& name, std::int64_t fallback) {
  if (!cl.has(name)) return fallback;
  const std::string text = cl.value(name, "");
  try {
    std::size_t used = 0;
    const long long value = std::stoll(text, &used);
    if (used == text.size()) return value;
  } catch (const std::exception&) {
  }
  throw UsageError(name + ": expected an integer, got '" + text + "'");
}

double number_option(const CommandLine& cl, const std::string& name, double fallback) {
  if (!cl.has(name)) return fallback;
  const std::string text = cl.value(name, "");
  try {
    std::size_t used = 0;
    const double value = std::stod(text, &used);
    if (used == text.size() && value > 0) return value;
  } catch (const std::exception&) {
  }
  throw UsageError(name + ": expected a positive number, got '" + text + "'");
}

std::string format_log_line(const MeasuredRow& row, const std::string& note) {
  char text[512];
  const std::string label = row.backend + (row.tile.empty() ? "" : " " + row.tile);
  if (row.timing) {
    const double tflops = attention_flops(row.shape) / row.timing->median_seconds * 1e-12;
    std::snprintf(text, sizeof text,
                  "%-28s %-40s median %10.4f ms (min %.4f, max %.4f, n=%d) %7.1f TFLOP/s  extra %.1f MB", label.c_str(),
                  row.shape.describe().c_str(), row.timing->median_seconds * 1e3, row.timing->min_seconds * 1e3,
                  row.timing->max_seconds * 1e3, row.timing->repeats, tflops, *row.peak_extra_memory_bytes * 1e-6);
  } else {
    std::snprintf(text, sizeof text, "%-28s %-40s %s", label.c_str(), row.shape.describe().c_str(), row.status.c_str());
  }
  return std::string(text) + (note.empty() ? "" : "  [" + note + "]");
}

AttentionShape shape_from(const CommandLine& cl, BackendKind kind) {
  AttentionShape s;
  s.batch = integer_option(cl, "--batch", 1);
  s.heads = integer_option(cl, "--heads", 32);
  s.kv_heads = integer_option(cl, "--kv-heads", s.heads);
  s.seq_kv = integer_option(cl, "--seq", 4096);
  s.seq_q = integer_option(cl, "--seq-q", kind == BackendKind::flash_decode ? 1 : s.seq_kv);
  s.head_dim = integer_option(cl, "--head-dim", 128);
  s.causal = cl.has("--causal");
  validate_shape(s);
  return s;
}

int run_single(const CommandLine& cl, const BackendContext& context, const GpuEnvironment& env, cudaStream_t stream) {
  BackendChoice choice;
  choice.kind = parse_backend_kind(cl.value("--kernel", ""));
  if (cl.has("--tile")) {
    if (choice.kind != BackendKind::flash2) throw UsageError("--tile: only for --kernel flash2");
    choice.tile = parse_flash2_tile(cl.value("--tile", ""));
  }
  if (cl.has("--num-splits")) {
    if (choice.kind != BackendKind::flash_decode) throw UsageError("--num-splits: only for --kernel flash-decode");
    choice.num_splits = integer_option(cl, "--num-splits", 0);
    if (choice.num_splits < 1 || choice.num_splits > 128) throw UsageError("--num-splits: must be 1..128");
  }
  const AttentionShape shape = shape_from(cl, choice.kind);
  std::optional<MeasuredCsv> csv;
  if (cl.has("--out")) csv.emplace(cl.value("--out", ""), env);
  L2Flusher flusher;
  MeasuredRow row;
  std::string note;
  try {
    const AttentionInputs inputs(shape, static_cast<std::uint64_t>(integer_option(cl, "--seed", 0)), stream);
    row = cl.has("--profile") ? profile_backend(choice, shape, inputs.tensors(), context, stream, &note)
                              : measure_backend(choice, shape, inputs.tensors(), context, flusher, stream, &note);
  } catch (const CudaOutOfMemory&) {
    row = unmeasured_row(choice, shape, "oom");
  }
  if (csv) csv->append(row);
  std::cout << format_log_line(row, note) << std::endl;
  return row.status == "ok" ? 0 : 1;
}

int run_grid(const CommandLine& cl, const BackendContext& context, const GpuEnvironment& env, cudaStream_t stream) {
  const std::vector<GridPoint> grid = built_in_grid(cl.value("--grid", ""));
  if (!cl.has("--out")) throw UsageError("--grid: needs --out FILE");
  MeasuredCsv csv(cl.value("--out", ""), env);
  const double budget_seconds = number_option(cl, "--max-minutes", 1e9) * 60.0;
  const auto seed = static_cast<std::uint64_t>(integer_option(cl, "--seed", 0));
  const auto start = std::chrono::steady_clock::now();
  auto elapsed_seconds = [&] {
    return std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  };
  L2Flusher flusher;
  int measured = 0, rows = 0;
  for (const GridPoint& point : grid) {
    std::optional<AttentionInputs> inputs;
    std::string inputs_status;
    if (elapsed_seconds() <= budget_seconds) {
      try {
        inputs.emplace(point.shape, seed, stream);
      } catch (const CudaOutOfMemory&) {
        inputs_status = "oom";
      }
    }
    for (const BackendChoice& choice : point.backends) {
      MeasuredRow row;
      std::string note;
      if (elapsed_seconds() > budget_seconds) {
        row = unmeasured_row(choice, point.shape, "skipped: time budget");
      } else if (!inputs) {
        row = unmeasured_row(choice, point.shape, inputs_status);
      } else if (cl.has("--profile")) {
        row = profile_backend(choice, point.shape, inputs->tensors(), context, stream, &note);
      } else {
        row = measure_backend(choice, point.shape, inputs->tensors(), context, flusher, stream, &note);
      }
      csv.append(row);
      ++rows;
      if (row.status == "ok") ++measured;
      std::cout << format_log_line(row, note) << std::endl;
    }
  }
  std::cout << "grid " << cl.value("--grid", "") << ": " << rows << " rows, " << measured << " measured, "
            << static_cast<int>(elapsed_seconds()) << " s" << std::endl;
  return 0;
}

int run(int argc, char** argv) {
  const CommandLine cl = parse_command_line(argc, argv);
  if (cl.has("--help") || argc == 1) {
    std::cout << kHelp;
    return 0;
  }
  const int modes = int(cl.has("--check")) + int(cl.has("--kernel")) + int(cl.has("--grid"));
  if (modes != 1) throw UsageError("choose exactly one of --check, --kernel, --grid");
  // Names are checked before the GPU is touched, so a typo costs no device time.
  if (cl.has("--kernel")) (void)parse_backend_kind(cl.value("--kernel", ""));
  if (cl.has("--grid")) (void)built_in_grid(cl.value("--grid", ""));
  if (cl.has("--tile")) (void)parse_flash2_tile(cl.value("--tile", ""));
  if (cl.has("--profile") && cl.has("--check")) throw UsageError("--profile: only with --kernel or --grid");
  const std::string check_cases = cl.value("--check-cases", "all");
  if (check_cases != "all" && check_cases != "edges") throw UsageError("--check-cases: expected all or edges");

  const int device = static_cast<int>(integer_option(cl, "--device", 0));
  CUDA_CHECK(cudaSetDevice(device));
  const GpuEnvironment env = read_gpu_environment(device);
  std::cout << "GPU " << device << ": " << env.gpu_name << ", sm_" << env.compute_capability_major
            << env.compute_capability_minor << ", " << env.sm_count << " SMs, L2 " << env.l2_bytes / (1 << 20)
            << " MiB, " << env.global_memory_bytes / (1 << 20) << " MiB; driver " << env.driver << ", CUDA runtime "
            << env.cuda_version << std::endl;
  cudaStream_t stream = nullptr;
  CUDA_CHECK(cudaStreamCreateWithFlags(&stream, cudaStreamNonBlocking));
  BackendContext context;
  context.sm_count = env.sm_count;
  CUBLAS_CHECK(cublasCreate(&context.cublas));
  int status = 0;
  if (cl.has("--check")) {
    status = run_correctness_checks(context, static_cast<std::uint64_t>(integer_option(cl, "--seed", 0)),
                                    check_cases == "edges", stream, std::cout) == 0
                 ? 0
                 : 1;
  } else if (cl.has("--kernel")) {
    status = run_single(cl, context, env, stream);
  } else {
    status = run_grid(cl, context, env, stream);
  }
  CUBLAS_CHECK(cublasDestroy(context.cublas));
  CUDA_CHECK(cudaStreamDestroy(stream));
  return status;
}

}  // namespace
}  // namespace attnsim::bench

int main(int argc, char** argv) {
  try {
    return attnsim::bench::run(argc, argv);
  } catch (const attnsim::bench::UsageError& e) {
    std::cerr << "attnsim-bench: " << e.what() << '\n';
    return 2;
  } catch (const std::invalid_argument& e) {  // an option's value a backend or shape refuses
    std::cerr << "attnsim-bench: " << e.what() << '\n';
    return 2;
  } catch (const std::exception& e) {
    std::cerr << "attnsim-bench: error: " << e.what() << '\n';
    return 1;
  }
}
