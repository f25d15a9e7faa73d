#include "io/report.h"

#include <fmt/format.h>
#include <algorithm>
#include <cmath>
#include <type_traits>

#include "model/error.h"
#include "model/mask_geometry.h"

namespace attnsim {
namespace {

bool ends_with(const std::string& s, const std::string& suffix) {
  return s.size() >= suffix.size() && s.compare(s.size() - suffix.size(), suffix.size(), suffix) == 0;
}

// The kernel whose launch shape the summary reports: the longest one with a modelled grid.
const KernelTime* main_kernel(const Prediction& p, const KernelCost** cost) {
  const KernelTime* best = nullptr;
  for (std::size_t i = 0; i < p.kernels.size(); ++i) {
    if (p.cost.kernels[i].ctas <= 0) continue;
    if (!best || p.kernels[i].seconds > best->seconds) {
      best = &p.kernels[i];
      *cost = &p.cost.kernels[i];
    }
  }
  return best;
}

std::string csv_escape(const std::string& text) {
  if (text.find_first_of(",\"\n") == std::string::npos) return text;
  std::string out = "\"";
  for (char c : text) out += c == '"' ? std::string("\"\"") : std::string(1, c);
  return out + "\"";
}

// The value as CSV writes it: nothing for a missing value, every double in full (fmt's default for a
// double is the shortest text that parses back to the same double).
std::string raw_value(const Value& value) {
  if (const double* d = std::get_if<double>(&value)) return fmt::format("{}", *d);
  if (const std::int64_t* i = std::get_if<std::int64_t>(&value)) return std::to_string(*i);
  if (const bool* b = std::get_if<bool>(&value)) return *b ? "true" : "false";
  if (std::holds_alternative<std::monostate>(value)) return "";
  return std::get<std::string>(value);
}

const Value* find_value(const Record& record, const std::string& key) {
  const auto it = std::find_if(record.begin(), record.end(), [&](const Field& f) { return f.key == key; });
  return it == record.end() ? nullptr : &it->value;
}

std::string table_cell(const Column& column, const Value& value) {
  if (std::holds_alternative<std::monostate>(value)) return column.null_text;
  if (const bool* b = std::get_if<bool>(&value); b && column.yes_no) return *b ? "yes" : "no";
  if (const double* d = std::get_if<double>(&value); d && column.decimals) {
    return fmt::format("{:.{}f}", *d, *column.decimals);
  }
  return human_value(column.key, value);
}

}  // namespace

Column fixed_decimals(std::string key, int decimals) {
  Column c(std::move(key));
  c.decimals = decimals;
  return c;
}

Column null_means(std::string key, std::string text) {
  Column c(std::move(key));
  c.null_text = std::move(text);
  return c;
}

Column yes_no(std::string key) {
  Column c(std::move(key));
  c.yes_no = true;
  return c;
}

Format parse_format(const std::string& name) {
  if (name == "table") return Format::table;
  if (name == "csv") return Format::csv;
  if (name == "json") return Format::json;
  throw InvalidInput("format", "unknown format '" + name + "'; allowed: table, csv, json");
}

Record prediction_record(const Prediction& p) {
  const Workload& w = p.workload;
  const KernelCost* main_cost = nullptr;
  const KernelTime* main = main_kernel(p, &main_cost);
  Record r;
  auto add = [&r](std::string key, Value value) { r.push_back({std::move(key), std::move(value)}); };
  add("gpu", p.gpu);
  add("variant", p.variant);
  add("batch", w.batch);
  add("heads", w.heads);
  add("kv_heads", w.kv_heads);
  add("seq_q", w.seq_q);
  add("seq_kv", w.seq_kv);
  add("head_dim", w.head_dim);
  add("head_dim_v", w.head_dim_v);
  add("causal", modelled_causal(p));
  add("window", value_or_null(modelled_window(p)));
  add("dtype", std::string(dtype_name(w.dtype)));
  add("pass", std::string(pass_name(w.pass)));
  add("tile", p.cost.tiling ? Value(fmt::format("{}x{}", p.cost.tiling->block_m, p.cost.tiling->block_n)) : Value());
  add("model_flops", p.cost.model_flops);
  add("tensor_flops", p.tensor_flops);
  add("exp_flops", p.exp_flops);
  add("vector_flops", p.vector_flops);
  add("hbm_read_bytes", p.hbm_read_bytes);
  add("hbm_write_bytes", p.hbm_write_bytes);
  add("hbm_compulsory_bytes", p.cost.compulsory_read_bytes + p.cost.compulsory_write_bytes);
  add("hbm_reread_bytes", p.hbm_reread_bytes);
  add("score_matrix_bytes", score_matrix_bytes(w));
  add("workspace_bytes", p.cost.workspace_bytes);
  add("footprint_bytes", p.footprint_bytes);
  add("fits_in_memory", p.fits_in_memory);
  add("smem_per_cta_bytes", main_cost ? main_cost->shared_memory_per_cta_bytes : 0.0);
  add("ctas_per_sm", main_cost ? main_cost->ctas_per_sm : 0.0);
  add("ctas", main_cost ? main_cost->ctas : 0.0);
  add("waves", main ? main->waves : 0.0);
  add("kernels", std::int64_t(p.kernels.size()));
  add("arithmetic_intensity_flops_per_byte", p.arithmetic_intensity);
  add("tensor_seconds", p.tensor_seconds);
  add("operand_load_seconds", p.operand_load_seconds);
  add("l2_wait_seconds", p.l2_wait_seconds);
  add("serial_loop_seconds", p.serial_loop_seconds);
  add("lock_chain_seconds", p.lock_chain_seconds);
  add("exp_seconds", p.exp_seconds);
  add("vector_seconds", p.vector_seconds);
  add("hbm_seconds", p.hbm_seconds);
  add("launch_seconds", p.launch_seconds);
  add("wave_quantization_seconds", p.wave_quantization_seconds);
  add("gpu_seconds", p.gpu_seconds);
  add("host_seconds", p.host_seconds);
  add("predicted_seconds", p.predicted_seconds);
  add("achieved_tflops", p.achieved_flops_per_second / 1e12);
  add("bound", p.bound);
  add("sm_clock_mhz", p.sm_clock_hz / 1e6);
  add("error_band_percent", p.error_band ? Value(p.error_band->percent) : Value());
  add("error_band_dispatch", p.error_band ? Value(p.error_band->dispatch) : Value());
  add("validated_on", validated_on(p.error_band, p.arch_family, p.dispatch));
  return r;
}

nlohmann::json to_json(const Record& record) {
  nlohmann::json j = nlohmann::json::object();
  for (const Field& f : record) {
    std::visit(
        [&](const auto& v) {
          if constexpr (std::is_same_v<std::decay_t<decltype(v)>, std::monostate>) {
            j[f.key] = nullptr;
          } else {
            j[f.key] = v;
          }
        },
        f.value);
  }
  return j;
}

nlohmann::json kernels_json(const Prediction& p) {
  nlohmann::json list = nlohmann::json::array();
  for (std::size_t i = 0; i < p.kernels.size(); ++i) {
    const KernelTime& t = p.kernels[i];
    const KernelCost& c = p.cost.kernels[i];
    list.push_back({{"name", t.name},
                    {"tensor_flops", c.tensor_flops},
                    {"exp_flops", c.exp_ops},
                    {"vector_flops", c.vector_flops},
                    {"hbm_read_bytes", c.hbm_read_bytes},
                    {"hbm_write_bytes", c.hbm_write_bytes},
                    {"l2_read_bytes", c.l2_read_bytes},
                    {"ctas", c.ctas},
                    {"ctas_per_sm", c.ctas_per_sm},
                    {"waves", t.waves},
                    {"tensor_seconds", t.tensor_seconds},
                    {"operand_load_seconds", t.operand_load_seconds},
                    {"l2_wait_seconds", t.l2_wait_seconds},
                    {"serial_loop_seconds", t.serial_loop_seconds},
                    {"lock_chain_seconds", t.lock_chain_seconds},
                    {"exp_seconds", t.exp_seconds},
                    {"vector_seconds", t.vector_seconds},
                    {"hbm_seconds", t.hbm_seconds},
                    {"wave_quantization_seconds", t.wave_quantization_seconds},
                    {"seconds", t.seconds},
                    {"bound", t.bound},
                    {"tensor_efficiency", c.efficiency.tensor},
                    {"efficiency_source", c.efficiency.source}});
  }
  return list;
}

std::string render_csv(const std::vector<Record>& records) {
  if (records.empty()) return "";
  std::vector<std::string> keys;
  for (const Record& r : records) {
    for (const Field& f : r) {
      if (std::find(keys.begin(), keys.end(), f.key) == keys.end()) keys.push_back(f.key);
    }
  }
  std::string out;
  for (std::size_t i = 0; i < keys.size(); ++i) {
    if (i) out += ',';
    out += csv_escape(keys[i]);
  }
  out += "\n";
  for (const Record& r : records) {
    for (std::size_t i = 0; i < keys.size(); ++i) {
      if (i) out += ',';
      if (const Value* v = find_value(r, keys[i])) out += csv_escape(raw_value(*v));
    }
    out += "\n";
  }
  return out;
}

std::string human_bytes(double bytes) {
  static const char* const units[] = {"B", "KiB", "MiB", "GiB", "TiB", "PiB", "EiB"};
  int unit = 0;
  while (std::fabs(bytes) >= 1024.0 && unit < 6) {
    bytes /= 1024.0;
    ++unit;
  }
  return unit == 0 ? fmt::format("{:.0f} {}", bytes, units[unit]) : fmt::format("{:.2f} {}", bytes, units[unit]);
}

std::string human_seconds(double seconds) {
  if (seconds < 1e-3) return fmt::format("{:.1f} us", seconds * 1e6);
  if (seconds < 1.0) return fmt::format("{:.3f} ms", seconds * 1e3);
  if (seconds < 3600.0) return fmt::format("{:.3f} s", seconds);
  return fmt::format("{:.2f} h", seconds / 3600.0);
}

std::string human_count(double count, const std::string& unit) {
  static const char* const prefixes[] = {"", "K", "M", "G", "T", "P", "E", "Z"};
  int p = 0;
  while (std::fabs(count) >= 1000.0 && p < 7) {
    count /= 1000.0;
    ++p;
  }
  return p == 0 ? fmt::format("{:.0f} {}", count, unit) : fmt::format("{:.2f} {}{}", count, prefixes[p], unit);
}

std::string human_value(const std::string& key, const Value& value) {
  if (std::holds_alternative<std::monostate>(value)) return "-";
  if (const std::int64_t* i = std::get_if<std::int64_t>(&value)) return std::to_string(*i);
  const double* d = std::get_if<double>(&value);
  if (!d) return raw_value(value);
  if (ends_with(key, "_bytes")) return human_bytes(*d);
  if (ends_with(key, "_seconds")) return human_seconds(*d);
  if (ends_with(key, "_flops")) return human_count(*d, "FLOP");
  if (key == "slope" || key == "r_squared") return fmt::format("{:.3f}", *d);
  if (key == "achieved_tflops" || ends_with(key, "_per_byte")) return fmt::format("{:.1f}", *d);
  return fmt::format("{:.9g}", *d);
}

std::string render_table(const std::vector<Record>& records, const std::vector<Column>& columns) {
  std::vector<std::vector<std::string>> cells(1);
  for (const Column& c : columns) cells.front().push_back(c.key);
  for (const Record& r : records) {
    std::vector<std::string> row;
    for (const Column& c : columns) {
      const Value* v = find_value(r, c.key);
      row.push_back(v ? table_cell(c, *v) : "");
    }
    cells.push_back(row);
  }
  std::vector<std::size_t> width(columns.size(), 0);
  for (const auto& row : cells) {
    for (std::size_t i = 0; i < row.size(); ++i) width[i] = std::max(width[i], row[i].size());
  }
  std::string out;
  for (std::size_t r = 0; r < cells.size(); ++r) {
    for (std::size_t i = 0; i < columns.size(); ++i) {
      out += fmt::format("{:<{}}", cells[r][i], width[i] + (i + 1 < columns.size() ? 2 : 0));
    }
    while (!out.empty() && out.back() == ' ') out.pop_back();
    out += "\n";
  }
  return out;
}

}  // namespace attnsim
