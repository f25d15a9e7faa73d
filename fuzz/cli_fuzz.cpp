// Fuzzes the command line (cli::run, in-process): the input is argv, one argument per line.
// Inputs that name --out, --plot, --trace, --report or --config (or a prefix Boost would expand to one) are
// skipped, so no run writes a file or starts gnuplot (calibrate, whose --out is required, stops at
// once). Exit status 1 means an error that escaped as something other than InvalidInput: a
// finding, since bad input must exit 2 with one clear line.
// Runs of the tile-level simulator (predict --engine, tiles) are fuzzed at small sizes only, so an
// input finishes well inside libFuzzer's timeout under ASan: every integer at most 16, the tile
// left to the library. How the simulator refuses calls too large to run is checked by the bad-input
// table (tests/cli/cli_test.cpp).
#include <algorithm>
#include <cstddef>
#include <cstdint>
#include <filesystem>
#include <initializer_list>
#include <sstream>
#include <string>
#include <vector>

#include "cli/app.h"
#include "fuzz/fuzz_check.h"

namespace {

// True when `arg` is --OPTION (or --OPTION=...) for OPTION one of `options` or a prefix Boost would
// expand to one of them.
bool names_option(const std::string& arg, std::initializer_list<const char*> options) {
  if (arg.rfind("--", 0) != 0) return false;
  const std::string name = arg.substr(2, arg.find('=') == std::string::npos ? std::string::npos : arg.find('=') - 2);
  if (name.empty()) return false;
  for (const std::string option : options) {
    if (option.rfind(name, 0) == 0) return true;
  }
  return false;
}

bool names_a_file_option(const std::string& arg) { return names_option(arg, {"out", "plot", "trace", "config", "report"}); }

bool runs_the_simulator(const std::vector<std::string>& args) {
  if (!args.empty() && args[0] == "tiles") return true;
  return std::any_of(args.begin(), args.end(), [](const std::string& a) { return names_option(a, {"engine"}); });
}

// Any integer above 16, or a tile-size option: a simulation that may take seconds under ASan.
bool is_a_large_simulation(const std::vector<std::string>& args) {
  for (const std::string& arg : args) {
    if (names_option(arg, {"tile", "block-m", "block-n"})) return true;
    std::int64_t value = 0;
    for (const char c : arg) {
      value = (c >= '0' && c <= '9') ? std::min<std::int64_t>(value * 10 + (c - '0'), 1000) : 0;
      if (value > 16) return true;
    }
  }
  return false;
}

// Device files and kernel tables (/dev/zero, /proc/kcore) never end: a path a user would not
// mean, which would only stall the fuzzer. Arguments are checked piece by piece (--gpu=a,b).
bool names_a_special_file(const std::string& arg) {
  std::string piece;
  std::istringstream pieces(arg);
  while (std::getline(pieces, piece, ',')) {
    const std::string path = piece.substr(piece.find('=') == std::string::npos ? 0 : piece.find('=') + 1);
    if (path.find('/') == std::string::npos) continue;
    std::error_code ec;
    const std::string real = std::filesystem::weakly_canonical(path, ec).string();
    for (const char* prefix : {"/dev", "/proc", "/sys"}) {
      if (ec || real.rfind(prefix, 0) == 0) return true;
    }
    if (std::filesystem::exists(path, ec) && !std::filesystem::is_regular_file(path, ec)) return true;
  }
  return false;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  std::vector<std::string> args;
  std::istringstream in(std::string(reinterpret_cast<const char*>(data), size));
  for (std::string line; std::getline(in, line);) {
    if (names_a_file_option(line) || names_a_special_file(line)) return 0;
    args.push_back(line);
  }
  if (runs_the_simulator(args) && is_a_large_simulation(args)) return 0;
  std::ostringstream out;
  std::ostringstream err;
  const int status = attnsim::cli::run(args, out, err);
  if (status == 1) attnsim::fuzz::fail("exit status 1 (an error other than bad input): " + err.str());
  // No arguments prints the usage with status 2; anything else refused must say why on one line.
  const std::string message = err.str();
  if (status == 2 && !args.empty() &&
      (message.rfind("attnsim: error: ", 0) != 0 || message.find('\n') != message.size() - 1)) {
    attnsim::fuzz::fail("status 2 without one error line: " + message);
  }
  return 0;
}
