// Command-line options shared by the subcommands: the workload, the variant knobs, output.
// Numbers are parsed here (not by Boost) so a bad value gets one line naming its option.
#pragma once

#include <boost/program_options.hpp>
#include <cstddef>
#include <cstdint>
#include <string>
#include <vector>

#include "io/report.h"
#include "model/gpu.h"
#include "model/host_dispatch.h"
#include "model/variant.h"
#include "model/workload.h"

namespace attnsim::cli {

namespace po = boost::program_options;

// `with_seq` false leaves --seq to the caller (sweep reads it as a range).
po::options_description workload_options(bool with_seq = true);
po::options_description knob_options();
// --runtime and --host-us-per-op, one definition for a single call (default graph: GPU time) and a
// whole model (default eager: transformers as it ships).
po::options_description runtime_options(const std::string& default_runtime);
HostDispatch host_dispatch_from(const po::variables_map& vm);
// --clock: the SM clock compute is priced at (model/sm_clock.h); runtime_options includes it.
po::options_description clock_options();
// The GPU at the --clock the options chose.
Gpu at_clock_from(const po::variables_map& vm, Gpu gpu);

// The scenario an attention command assumed, in one line for the table's header and the JSON's
// "scenario": "B=1 H=32 Hkv=32 Nq=4096 Nk=4096 d=128 dv=128 bf16 forward causal, runtime graph".
// `with_lengths` false leaves Nq and Nk out (sweep varies them).
std::string workload_label(const Workload& w, bool with_lengths = true);
std::string attention_scenario_label(const Workload& w, const HostDispatch& host, bool with_lengths = true);
po::options_description output_options();

// Fills a workload from parsed options (--seq as a single length when present).
Workload workload_from(const po::variables_map& vm);
VariantKnobs knobs_from(const po::variables_map& vm);
Format format_from(const po::variables_map& vm);
// --out, or empty for standard output; a path whose folder is missing is refused here, before any work.
std::string out_path_from(const po::variables_map& vm);
// --plot, or empty for none; checked (folder, .svg/.png) before any work.
std::string plot_path_from(const po::variables_map& vm);

// A sweep computes at most this many predictions (points x variants x GPUs): about 25 us each,
// so the largest sweep answers in a few seconds rather than hanging a terminal.
inline constexpr std::size_t kMaxSweepPredictions = 100'000;

std::int64_t parse_integer(const std::string& text, const std::string& option);
std::vector<std::string> split_list(const std::string& text);
// "512:131072:x2" (geometric), "512:4096:+512" (arithmetic) or "1024,4096,16384".
std::vector<std::int64_t> parse_seq_range(const std::string& text, const std::string& option);

// Parses argv against `options` (+ --config FILE); throws InvalidInput for unknown options.
po::variables_map parse(const std::vector<std::string>& args, const po::options_description& options);

}  // namespace attnsim::cli
