#include "cli/app.h"

#include <exception>

#include "cli/vocabulary.h"
#include "io/atomic_file.h"
#include "model/error.h"

namespace attnsim::cli {
namespace {

constexpr const char* kUsage = R"(attnsim: what attention costs on a GPU, and why.

usage: attnsim <command> [options]    (attnsim <command> --help for each)

commands:
  predict    FLOPs, HBM bytes, memory, time and bound of one attention call
  sweep      the same over sequence lengths, variants and GPUs; log-log slope; --plot
  gpus       the GPU profiles (hw_profiles/) with their key figures
  variants   the attention variants, their knobs and sources
  validate   measured runs (CSV) beside the predictions: errors per run and per variant
  calibrate  fit efficiency constants to measured runs, write a profile, report held-out errors
  tiles      tile-size what-if: every block M x block N x stages simulated, sorted, --plot heatmap
  capacity   longest context of a whole model on one GPU per attention implementation; memory breakdown
  plan       which GPU for a model at a context: fits or why not, prefill time, decode tokens/s, cost
  serve      decode throughput vs context and batch; the largest batch that fits at each context
  crossover  transformer vs SSM: prefill time and memory vs N on one GPU, and where they cross
  ring       context parallelism (ring attention) over P GPUs: per-GPU memory and time, hidden transfers
  import-model  a Hugging Face config.json as a model file, each value with its source (--model also takes the .json)

examples:
  attnsim predict --gpu h100-sxm --variant flash2 --seq 4096 --heads 32 --head-dim 128
  attnsim sweep --gpu h100-sxm,rtx4090 --variant eager,flash2,flash3 --seq 512:131072:x2 --plot wall.svg
  attnsim tiles --gpu h100-sxm --seq 16384 --block-m 64,128,192 --block-n 32,64,128,176 --stages 1,2,3
  attnsim capacity --model llama-3.2-1b --gpu rtx4090 --variant eager,sdpa-math,flash2 --plot wall.svg
  attnsim plan --model llama-3.1-8b --seq 131072 --latency-budget 10
  attnsim import-model --hf-config path/to/config.json --out my-model.toml

options: one name per concept in every command (docs/glossary.md): --variant, --seq, --gpu (ids),
--gpu-count (ring), --logits (default last; all when training). The old --impl, --context and
--gpus still work for one release, with a note on standard error.

data: GPU profiles and model files come from $ATTNSIM_PROFILES and $ATTNSIM_MODELS when set, else from
<prefix>/share/attnsim/ beside the installed binary (or the source tree, run from the build tree).
)";

// Workload fields are command-line options; profile fields carry their file and line.
std::string describe(const InvalidInput& e) {
  const std::string& field = e.field();
  if (field.empty()) return e.what();
  const bool is_option = field.find_first_of(".:/ ") == std::string::npos;
  return (is_option ? "--" + field : field) + ": " + e.what();
}

}  // namespace

bool is_invalid_input(const std::exception& e) { return dynamic_cast<const InvalidInput*>(&e) != nullptr; }

std::string error_line(const std::exception& e) {
  if (const auto* invalid = dynamic_cast<const InvalidInput*>(&e)) return "attnsim: error: " + describe(*invalid);
  return std::string("attnsim: failed: ") + e.what();
}

void emit(const std::string& text, const std::string& out_path, std::ostream& out) {
  if (out_path.empty()) {
    out << text;
  } else {
    write_file_atomically(out_path, text, "out");
  }
}

namespace {

int run_command(const std::string& command, const std::vector<std::string>& rest, std::ostream& out, std::ostream& err) {
  if (command == "predict") return predict_command(rest, out, err);
  if (command == "sweep") return sweep_command(rest, out, err);
  if (command == "gpus") return gpus_command(rest, out, err);
  if (command == "variants") return variants_command(rest, out, err);
  if (command == "validate") return validate_command(rest, out, err);
  if (command == "calibrate") return calibrate_command(rest, out, err);
  if (command == "tiles") return tiles_command(rest, out, err);
  if (command == "capacity") return capacity_command(rest, out, err);
  if (command == "plan") return plan_command(rest, out, err);
  if (command == "serve") return serve_command(rest, out, err);
  if (command == "crossover") return crossover_command(rest, out, err);
  if (command == "ring") return ring_command(rest, out, err);
  if (command == "import-model") return import_model_command(rest, out, err);
  err << "attnsim: error: unknown command '" << command << "'; allowed: predict, sweep, gpus, variants, validate, calibrate, tiles, capacity, plan, serve, crossover, ring, import-model\n";
  return 2;
}

}  // namespace

int run(const std::vector<std::string>& args, std::ostream& out, std::ostream& err) {
  if (args.empty() || args[0] == "--help" || args[0] == "-h" || args[0] == "help") {
    out << kUsage;
    return args.empty() ? 2 : 0;
  }
  const std::string command = args[0];
  std::vector<std::string> notes;
  const std::vector<std::string> rest = apply_option_aliases(command, {args.begin() + 1, args.end()}, notes);
  try {
    const int status = run_command(command, rest, out, err);
    if (status == 0) {
      for (const std::string& note : notes) err << note << "\n";
    }
    return status;
  } catch (const std::exception& e) {
    err << error_line(e) << "\n";
    return is_invalid_input(e) ? 2 : 1;
  }
}

}  // namespace attnsim::cli
