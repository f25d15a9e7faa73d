#include "cli/options.h"

#include <charconv>
#include <fmt/format.h>
#include <cmath>
#include <filesystem>
#include <fstream>
#include <regex>
#include <sstream>

#include "io/atomic_file.h"
#include "io/plot.h"
#include "model/error.h"
#include "model/sm_clock.h"

namespace attnsim::cli {

std::int64_t parse_integer(const std::string& text, const std::string& option) {
  std::int64_t value = 0;
  const char* end = text.data() + text.size();
  const auto [ptr, ec] = std::from_chars(text.data(), end, value);
  if (ec == std::errc() && ptr == end) return value;
  // Also accept exact scientific notation such as 1e9.
  try {
    std::size_t used = 0;
    const double d = std::stod(text, &used);
    if (used == text.size() && std::isfinite(d) && d == std::floor(d) && std::fabs(d) < 9.2e18) return std::int64_t(d);
  } catch (const std::exception&) {
  }
  throw InvalidInput(option, "expects an integer (got '" + text + "')");
}

std::vector<std::string> split_list(const std::string& text) {
  std::vector<std::string> items;
  std::stringstream in(text);
  std::string item;
  while (std::getline(in, item, ',')) {
    if (!item.empty()) items.push_back(item);
  }
  return items;
}

std::vector<std::int64_t> parse_seq_range(const std::string& text, const std::string& option) {
  const std::string allowed = "allowed: START:END:xFACTOR, START:END:+STEP or a comma list, e.g. 512:131072:x2";
  if (text.find(':') == std::string::npos) {
    std::vector<std::int64_t> values;
    for (const std::string& item : split_list(text)) values.push_back(parse_integer(item, option));
    if (values.empty()) throw InvalidInput(option, "is empty; " + allowed);
    return values;
  }
  std::vector<std::string> parts;
  std::stringstream in(text);
  std::string part;
  while (std::getline(in, part, ':')) parts.push_back(part);
  if (parts.size() != 3 || parts[2].size() < 2 || (parts[2][0] != 'x' && parts[2][0] != '+')) {
    throw InvalidInput(option, "cannot read range '" + text + "'; " + allowed);
  }
  const std::int64_t start = parse_integer(parts[0], option);
  const std::int64_t stop = parse_integer(parts[1], option);
  const std::int64_t step = parse_integer(parts[2].substr(1), option);
  const bool geometric = parts[2][0] == 'x';
  if (start < 1 || stop < start || step < (geometric ? 2 : 1)) {
    throw InvalidInput(option, "range '" + text + "' needs 1 <= START <= END and a factor >= 2 or step >= 1");
  }
  std::vector<std::int64_t> values;
  constexpr std::size_t kMaxPoints = kMaxSweepPredictions;
  for (std::int64_t v = start; v <= stop; v = geometric ? v * step : v + step) {
    values.push_back(v);
    if (values.size() > kMaxPoints) {
      throw InvalidInput(option, "range '" + text + "' has more than " + std::to_string(kMaxPoints) +
                                     " points; use a coarser step or a geometric range such as 512:1048576:x2");
    }
    if (v > stop / (geometric ? step : 1) && geometric) break;
  }
  return values;
}

po::options_description workload_options(bool with_seq) {
  po::options_description o("Workload (B, H, Hkv, Nq, Nk, d, dv: see docs/glossary.md)");
  o.add_options()
      ("batch", po::value<std::string>()->default_value("1"), "batch size B")
      ("heads", po::value<std::string>()->default_value("32"), "query heads H")
      ("kv-heads", po::value<std::string>(), "key/value heads Hkv, must divide H (default: H; 1 = MQA)");
  if (with_seq) o.add_options()("seq", po::value<std::string>()->default_value("4096"), "key/value sequence length Nk");
  o.add_options()
      ("seq-q", po::value<std::string>(), "query length Nq (default: --seq; 1 for decoding)")
      ("head-dim", po::value<std::string>()->default_value("128"), "head dimension d of Q and K")
      ("head-dim-v", po::value<std::string>(), "head dimension dv of V and O (default: --head-dim)")
      ("causal", po::bool_switch(), "causal mask (bottom-right aligned when Nq != Nk)")
      ("window", po::value<std::string>(), "sliding window: each query sees this many keys")
      ("dtype", po::value<std::string>()->default_value("bf16"), "fp32, tf32, fp16, bf16 or fp8-e4m3")
      ("pass", po::value<std::string>()->default_value("forward"), "forward, backward or forward+backward");
  return o;
}

po::options_description knob_options() {
  po::options_description o("Variant knobs (defaults cite their source: `attnsim variants`)");
  o.add_options()
      ("tile", po::value<std::string>(), "tile BMxBN, e.g. 128x64 (query rows x key rows per step)")
      ("warps", po::value<std::string>(), "warps per CTA")
      ("stages", po::value<std::string>(), "K/V tiles buffered in shared memory")
      ("num-splits", po::value<std::string>(), "KV splits of the split-KV path (flash-decode; flash2 when it decodes); default: FlashAttention's heuristic")
      ("elementwise", po::value<std::string>()->default_value("pytorch"), "eager: how its copies, casts and mask add are written: pytorch (TensorIterator kernels, bound by elements where they broadcast, permute or widen) or vectorized (16-byte loads and stores at streaming bandwidth, a hand-written chain)")
      ("allow-tf32", po::bool_switch(), "sdpa-math: its fp32 matmuls on TF32 tensor cores, as with torch.backends.cuda.matmul.allow_tf32 = True or in NVIDIA's NGC PyTorch containers (PyTorch's own default: CUDA cores)")
      ("ssm-state", po::value<std::string>(), "ssm-scan: state size N (default 128)")
      ("ssm-chunk", po::value<std::string>(), "ssm-scan: chunk length (default 256)")
      ("ssm-expand", po::value<std::string>(), "ssm-scan: expansion factor (default 2)")
      ("ssm-head-dim", po::value<std::string>(), "ssm-scan: SSM head dimension (default 64)");
  return o;
}

po::options_description runtime_options(const std::string& default_runtime) {
  po::options_description o("Runtime");
  o.add_options()
      ("runtime", po::value<std::string>()->default_value(default_runtime), "graph: CUDA graphs or a compiled program, GPU time only; eager: PyTorch eager mode, the host dispatches every operator and a call takes the longer of host and GPU time (short calls and small-model decode are host-bound)")
      ("host-us-per-op", po::value<std::string>()->default_value("20.2"), "host time per framework operator in eager mode, microseconds (CPU-dependent; 20.2 measured on an H200 machine's Xeon; two machines with the same Xeon model took 1.3-1.8x apart, validate/data/h100-sxm/prefill_kernels/run2/: measure yours)")
      ("entry", po::value<std::string>()->default_value("kernel"), "kernel: the backend as its own API calls it (flash_attn_func, cuDNN); sdpa: through torch.nn.functional.scaled_dot_product_attention, whose FlashAttention-2 backward adds two layout copies (O and dO)");
  o.add(clock_options());
  return o;
}

po::options_description clock_options() {
  po::options_description o("Clock");
  o.add_options()
      ("clock", po::value<std::string>()->default_value("sustained"), "SM clock compute is priced at: sustained (the profile's sustained_clock_mhz, what long compute-bound runs hold under the power limit: serving, training), burst (the profile's burst_clock_mhz, what tensor-core kernels hold in isolated calls after idle: a benchmark's medians; the sustained clock where a profile gives none), or a clock in MHz (a clock locked with nvidia-smi -lgc; light kernels run at it too)");
  return o;
}

Gpu at_clock_from(const po::variables_map& vm, Gpu gpu) {
  return at_clock(std::move(gpu), parse_clock_setting(vm["clock"].as<std::string>()));
}

HostDispatch host_dispatch_from(const po::variables_map& vm) {
  HostDispatch host;
  host.dispatch = parse_dispatch(vm["runtime"].as<std::string>());
  host.entry = parse_entry(vm["entry"].as<std::string>());
  const std::string text = vm["host-us-per-op"].as<std::string>();
  double microseconds = -1;
  try {
    std::size_t used = 0;
    microseconds = std::stod(text, &used);
    if (used != text.size()) microseconds = -1;
  } catch (const std::exception&) {
  }
  if (!(microseconds >= 0 && microseconds <= 1e5)) {
    throw InvalidInput("host-us-per-op", "must be 0..100000 microseconds per operator (got '" + text + "')");
  }
  host.seconds_per_operator = microseconds * 1e-6;
  return host;
}

std::string workload_label(const Workload& w, bool with_lengths) {
  return fmt::format("B={} H={} Hkv={} {}d={} dv={} {} {}{}{}", w.batch, w.heads, w.kv_heads,
                     with_lengths ? fmt::format("Nq={} Nk={} ", w.seq_q, w.seq_kv) : "", w.head_dim, w.head_dim_v,
                     dtype_name(w.dtype), pass_name(w.pass), w.causal ? " causal" : "",
                     w.window ? fmt::format(" window {}", *w.window) : "");
}

std::string attention_scenario_label(const Workload& w, const HostDispatch& host, bool with_lengths) {
  return workload_label(w, with_lengths) + ", runtime " + std::string(dispatch_name(host.dispatch));
}

po::options_description output_options() {
  po::options_description o("Output");
  o.add_options()
      ("format", po::value<std::string>()->default_value("table"), "table, csv or json")
      ("out", po::value<std::string>(), "write to FILE (whole or not at all) instead of standard output")
      ("config", po::value<std::string>(), "read options from FILE (lines `key = value`, e.g. `heads = 64`)")
      ("help,h", "show this help");
  return o;
}

namespace {

std::int64_t integer_or(const po::variables_map& vm, const char* key, std::int64_t fallback) {
  return vm.count(key) ? parse_integer(vm[key].as<std::string>(), key) : fallback;
}

}  // namespace

Workload workload_from(const po::variables_map& vm) {
  Workload w;
  w.batch = integer_or(vm, "batch", 1);
  w.heads = integer_or(vm, "heads", 32);
  w.kv_heads = integer_or(vm, "kv-heads", w.heads);
  w.seq_kv = 4096;
  if (vm.count("seq") && vm["seq"].as<std::string>().find_first_of(":,") == std::string::npos) {
    w.seq_kv = parse_integer(vm["seq"].as<std::string>(), "seq");
  }
  w.seq_q = integer_or(vm, "seq-q", w.seq_kv);
  w.head_dim = integer_or(vm, "head-dim", 128);
  w.head_dim_v = integer_or(vm, "head-dim-v", w.head_dim);
  w.causal = vm.count("causal") && vm["causal"].as<bool>();
  if (vm.count("window")) w.window = integer_or(vm, "window", 0);
  w.dtype = parse_dtype(vm["dtype"].as<std::string>());
  w.pass = parse_pass(vm["pass"].as<std::string>());
  return w;
}

VariantKnobs knobs_from(const po::variables_map& vm) {
  VariantKnobs k;
  if (vm.count("tile")) {
    const std::string tile = vm["tile"].as<std::string>();
    const auto x = tile.find('x');
    const auto digits = [](const std::string& s) {
      return !s.empty() && s.find_first_not_of("0123456789") == std::string::npos;
    };
    if (x == std::string::npos || !digits(tile.substr(0, x)) || !digits(tile.substr(x + 1))) {
      throw InvalidInput("tile", "expects BMxBN such as 128x64 (got '" + tile + "')");
    }
    k.block_m = parse_integer(tile.substr(0, x), "tile");
    k.block_n = parse_integer(tile.substr(x + 1), "tile");
  }
  if (vm.count("warps")) k.warps = int(integer_or(vm, "warps", 4));
  if (vm.count("stages")) k.stages = int(integer_or(vm, "stages", 1));
  if (vm.count("num-splits")) k.num_splits = integer_or(vm, "num-splits", 1);
  if (vm.count("elementwise")) k.elementwise = parse_elementwise_kernels(vm["elementwise"].as<std::string>());
  if (vm.count("allow-tf32")) k.allow_tf32 = vm["allow-tf32"].as<bool>();
  k.ssm.state_size = integer_or(vm, "ssm-state", k.ssm.state_size);
  k.ssm.chunk_length = integer_or(vm, "ssm-chunk", k.ssm.chunk_length);
  k.ssm.expansion = integer_or(vm, "ssm-expand", k.ssm.expansion);
  k.ssm.head_dim = integer_or(vm, "ssm-head-dim", k.ssm.head_dim);
  return k;
}

Format format_from(const po::variables_map& vm) { return parse_format(vm["format"].as<std::string>()); }

std::string out_path_from(const po::variables_map& vm) {
  if (!vm.count("out")) return "";
  const std::string path = vm["out"].as<std::string>();
  if (path.empty()) throw InvalidInput("out", "is empty; expected a file path (leave --out out for standard output)");
  check_output_path(path, "out");
  return path;
}

std::string plot_path_from(const po::variables_map& vm) {
  if (!vm.count("plot")) return "";
  const std::string path = vm["plot"].as<std::string>();
  if (path.empty()) throw InvalidInput("plot", "is empty; expected a file path ending in .svg or .png");
  check_plot_path(path);
  return path;
}

namespace {

// Boost.Program_options builds its messages by replacing %option%, %original_token%, %value%, ...
// with the offending text until none is left: text that itself contains the placeholder never
// stops growing (found by fuzzing: `attnsim sweep -x%original_token%` hung). Such text is refused
// before Boost sees it.
bool has_boost_placeholder(const std::string& text) {
  static const std::regex placeholder("%[a-z_]+%");
  return std::regex_search(text, placeholder);
}

void refuse_placeholders(const std::string& text, const std::string& field, const std::string& where) {
  if (has_boost_placeholder(text)) {
    throw InvalidInput(field, where +
                                  " contains a %name% sequence, which the option parser cannot report; remove "
                                  "the percent signs");
  }
}

}  // namespace

po::variables_map parse(const std::vector<std::string>& args, const po::options_description& options) {
  po::variables_map vm;
  try {
    for (std::size_t i = 0; i < args.size(); ++i) refuse_placeholders(args[i], "", "argument " + std::to_string(i + 2));
    const po::parsed_options parsed = po::command_line_parser(args).options(options).run();
    for (const po::option& o : parsed.options) {
      if (o.position_key >= 0) {  // a word that is no option's value: Boost would drop it silently
        throw InvalidInput("",
                           "unexpected argument '" + o.value.front() + "'; options start with -- (e.g. --seq 4096)");
      }
    }
    po::store(parsed, vm);
    if (vm.count("config")) {
      const std::string file = vm["config"].as<std::string>();
      std::ifstream in(file);
      if (!in || std::filesystem::is_directory(file)) throw InvalidInput("config", "cannot read '" + file + "'");
      std::stringstream text;
      text << in.rdbuf();
      refuse_placeholders(text.str(), "config", "'" + file + "'");
      try {
        po::store(po::parse_config_file(text, options), vm);
      } catch (const po::error& e) {
        throw InvalidInput("config",
                           "'" + file + "': " + e.what() + " (lines `key = value`, keys as the long options)");
      }
    }
    po::notify(vm);
  } catch (const po::error& e) {
    throw InvalidInput("", e.what());
  }
  return vm;
}

}  // namespace attnsim::cli
