#include "validate/measured_runs.h"

#include <charconv>
#include <cmath>
#include <fstream>
#include <sstream>

#include "model/error.h"
#include "validate/fccp_csv.h"

namespace attnsim {
namespace {

constexpr int kColumns = 21;

struct Row {
  std::string variant, backend, batch, heads, kv_heads, seq_q, seq_kv, head_dim, head_dim_v, causal, window, dtype,
      pass, status, median_seconds, peak_extra_memory_bytes, gpu_name, tile, timing, sm_clock_mhz, torch_version;
};

// Columns every file must have; `tile`, `timing`, `sm_clock_mhz` and `torch_version` may be absent
// (files written by hand).
constexpr const char* kRequired[] = {
    "variant",    "backend", "batch",  "heads", "kv_heads", "seq_q",  "seq_kv",         "head_dim",
    "head_dim_v", "causal",  "window", "dtype", "pass",     "status", "median_seconds", "peak_extra_memory_bytes",
    "gpu_name"};

std::string required_columns() {
  std::string text;
  for (const char* column : kRequired) text += (text.empty() ? "" : ", ") + std::string(column);
  return text;
}

std::string where(const std::string& file, unsigned line) { return file + ":" + std::to_string(line); }

// validate() names workload fields as command-line options; a CSV message names the column.
std::string column_of(const std::string& option) {
  static const std::pair<const char*, const char*> kColumnOf[] = {{"kv-heads", "kv_heads"},
                                                                  {"seq", "seq_kv"},
                                                                  {"seq-q", "seq_q"},
                                                                  {"head-dim", "head_dim"},
                                                                  {"head-dim-v", "head_dim_v"}};
  for (const auto& [from, to] : kColumnOf) {
    if (option == from) return to;
  }
  return option;
}

// fast-cpp-csv-parser's own messages repeat the file name and omit what is allowed.
InvalidInput csv_error(const io::error::base& e, const std::string& file) {
  const auto* line_info = dynamic_cast<const io::error::with_file_line*>(&e);
  const auto* column_info = dynamic_cast<const io::error::with_column_name*>(&e);
  const unsigned line = line_info && line_info->file_line > 0 ? unsigned(line_info->file_line) : 1;
  const std::string column = column_info ? column_info->column_name : "";
  if (dynamic_cast<const io::error::header_missing*>(&e)) {
    return InvalidInput(where(file, 1), std::string("file is empty; expected a header line with the columns ") +
                                            required_columns() + " (see validate/README.md)");
  }
  if (dynamic_cast<const io::error::missing_column_in_header*>(&e)) {
    return InvalidInput(where(file, 1), "header lacks column '" + column + "'; required: " + required_columns() +
                                            " (see validate/README.md)");
  }
  if (dynamic_cast<const io::error::duplicated_column_in_header*>(&e)) {
    return InvalidInput(where(file, 1), "header names column '" + column + "' twice; each column may appear once");
  }
  if (dynamic_cast<const io::error::too_few_columns*>(&e)) {
    return InvalidInput(where(file, line),
                        "row has fewer fields than the header; each row needs one per header column");
  }
  if (dynamic_cast<const io::error::too_many_columns*>(&e)) {
    return InvalidInput(where(file, line),
                        "row has more fields than the header; each row needs one per header column (quote a field "
                        "that contains a comma)");
  }
  if (dynamic_cast<const io::error::escaped_string_not_closed*>(&e)) {
    return InvalidInput(where(file, line), "a quoted field is not closed; a field opened with \" needs a closing \"");
  }
  if (dynamic_cast<const io::error::line_length_limit_exceeded*>(&e)) {
    return InvalidInput(where(file, line), "line is longer than the 16 MiB a CSV line may have");
  }
  return InvalidInput(where(file, line), std::string(e.what()) + " (columns: see validate/README.md)");
}

std::int64_t integer(const std::string& text, const char* column, const std::string& at) {
  std::int64_t value = 0;
  const auto [ptr, ec] = std::from_chars(text.data(), text.data() + text.size(), value);
  if (ec != std::errc() || ptr != text.data() + text.size()) {
    throw InvalidInput(at, std::string("column ") + column + ": expected an integer, got '" + text + "'");
  }
  return value;
}

double number(const std::string& text, const char* column, const std::string& at) {
  try {
    std::size_t used = 0;
    const double value = std::stod(text, &used);
    if (used == text.size() && std::isfinite(value) && value >= 0) return value;
  } catch (const std::exception&) {
  }
  throw InvalidInput(at, std::string("column ") + column + ": expected a non-negative number, got '" + text + "'");
}

bool boolean(const std::string& text, const std::string& at) {
  if (text == "true" || text == "True" || text == "1") return true;
  if (text == "false" || text == "False" || text == "0") return false;
  throw InvalidInput(at, "column causal: expected true or false, got '" + text + "'");
}

MeasuredRun to_run(const Row& r, unsigned line, const std::string& file) {
  const std::string at = where(file, line);
  MeasuredRun run;
  run.line = line;
  run.variant = r.variant;
  run.backend = r.backend;
  run.status = r.status;
  run.gpu_name = r.gpu_name;
  run.torch_version = r.torch_version;
  Workload& w = run.workload;
  w.batch = integer(r.batch, "batch", at);
  w.heads = integer(r.heads, "heads", at);
  w.kv_heads = integer(r.kv_heads, "kv_heads", at);
  w.seq_q = integer(r.seq_q, "seq_q", at);
  w.seq_kv = integer(r.seq_kv, "seq_kv", at);
  w.head_dim = integer(r.head_dim, "head_dim", at);
  w.head_dim_v = integer(r.head_dim_v, "head_dim_v", at);
  w.causal = boolean(r.causal, at);
  if (!r.window.empty()) w.window = integer(r.window, "window", at);
  try {
    w.dtype = parse_dtype(r.dtype);
    w.pass = parse_pass(r.pass);
    validate(w);
  } catch (const InvalidInput& e) {
    throw InvalidInput(at, "column " + column_of(e.field()) + ": " + e.what());
  }
  run.timing = r.timing;
  if (!r.sm_clock_mhz.empty()) {
    const double mhz = number(r.sm_clock_mhz, "sm_clock_mhz", at);
    if (mhz < 100 || mhz > 10000) {
      throw InvalidInput(at,
                         "column sm_clock_mhz: expected an SM clock of 100-10000 MHz, got '" + r.sm_clock_mhz + "'");
    }
    run.sm_clock_hz = mhz * 1e6;
  }
  if (!r.tile.empty()) {
    const auto x = r.tile.find('x');
    if (x == std::string::npos)
      throw InvalidInput(at, "column tile: expected BMxBN such as 128x64, got '" + r.tile + "'");
    run.tile_block_m = integer(r.tile.substr(0, x), "tile", at);
    run.tile_block_n = integer(r.tile.substr(x + 1), "tile", at);
    if (*run.tile_block_m < 1 || *run.tile_block_n < 1) {
      throw InvalidInput(at, "column tile: block sizes must be positive, got '" + r.tile + "'");
    }
  }
  if (run.status == "ok") {
    run.median_seconds = number(r.median_seconds, "median_seconds", at);
    if (!r.peak_extra_memory_bytes.empty()) {
      run.peak_extra_memory_bytes = number(r.peak_extra_memory_bytes, "peak_extra_memory_bytes", at);
    }
  }
  return run;
}

}  // namespace

std::vector<MeasuredRun> parse_measured_runs(std::string_view csv_text, const std::string& file) {
  if (csv_text.find_first_not_of(" \t\r\n") == std::string_view::npos) {
    throw csv_error(io::error::header_missing(), file);
  }
  std::vector<MeasuredRun> runs;
  try {
    io::CSVReader<kColumns, io::trim_chars<' ', '\t', '\r'>, io::double_quote_escape<',', '"'>> in(
        file, csv_text.data(), csv_text.data() + csv_text.size());
    in.read_header(io::ignore_extra_column | io::ignore_missing_column, "variant", "backend", "batch", "heads",
                   "kv_heads", "seq_q", "seq_kv", "head_dim", "head_dim_v", "causal", "window", "dtype", "pass",
                   "status", "median_seconds", "peak_extra_memory_bytes", "gpu_name", "tile", "timing", "sm_clock_mhz",
                   "torch_version");
    for (const char* column : kRequired) {
      if (!in.has_column(column)) {
        throw InvalidInput(where(file, 1), std::string("header lacks column '") + column +
                                               "'; required: " + required_columns() + " (see validate/README.md)");
      }
    }
    Row r;
    while (in.read_row(r.variant, r.backend, r.batch, r.heads, r.kv_heads, r.seq_q, r.seq_kv, r.head_dim, r.head_dim_v,
                       r.causal, r.window, r.dtype, r.pass, r.status, r.median_seconds, r.peak_extra_memory_bytes,
                       r.gpu_name, r.tile, r.timing, r.sm_clock_mhz, r.torch_version)) {
      runs.push_back(to_run(r, in.get_file_line(), file));
    }
  } catch (const io::error::base& e) {
    throw csv_error(e, file);
  }
  if (runs.empty()) throw InvalidInput(where(file, 1), "has a header but no rows; expected one row per measured run");
  return runs;
}

std::vector<MeasuredRun> read_measured_runs(const std::filesystem::path& file) {
  // Read whole, so a pipe (/dev/stdin, <(...)) works as well as a file.
  std::ifstream in(file, std::ios::binary);
  if (!in || std::filesystem::is_directory(file)) throw InvalidInput("measured", "cannot read '" + file.string() + "'");
  std::ostringstream text;
  text << in.rdbuf();
  return parse_measured_runs(text.str(), file.string());
}

}  // namespace attnsim
