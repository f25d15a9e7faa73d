// attnsim._attnsim: the command line's in-process entry (cli::run) for Python. It only converts:
// argument lists in, the command's JSON text out (io/ renders it from the same typed rows as the
// CLI), and the CLI's one-line errors raised as attnsim.InvalidInput (exit status 2) or RuntimeError.
// sweep_rows hands sweep's typed rows over as Python objects directly: parsing 10^5 points of JSON
// costs seconds, converting the rows a fraction of one (docs/benchmarks.md).
#include <dlfcn.h>
#include <cmath>
#include <pybind11/pybind11.h>
#include <pybind11/stl.h>

#include <sstream>
#include <stdexcept>
#include <string>
#include <type_traits>
#include <unordered_map>
#include <variant>
#include <vector>

#include "cli/app.h"
#include "cli/sweep_rows.h"
#include "io/data_location.h"

namespace py = pybind11;

namespace {

// The CLI's exit status 2, raised in Python as attnsim.InvalidInput.
class CliInvalidInput : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
};

struct CliResult {
  int status = 0;
  std::string out;
  std::string err;
};

// Runs one command with the GIL released: nothing here touches a Python object.
CliResult run_cli(const std::vector<std::string>& args) {
  std::ostringstream out;
  std::ostringstream err;
  CliResult result;
  result.status = attnsim::cli::run(args, out, err);
  result.out = out.str();
  result.err = err.str();
  return result;
}

// The CLI's message without its trailing newline: "attnsim: error: --seq: must be 1..2^40".
std::string one_line(std::string text) {
  while (!text.empty() && (text.back() == '\n' || text.back() == '\r')) text.pop_back();
  return text;
}

// The file of this shared object, so data folders are found beside it (io/data_location.h).
const int kAnchor = 0;  // any object of this shared object, for dladdr

void name_program_file() {
  Dl_info info{};
  if (dladdr(&kAnchor, &info) != 0 && info.dli_fname != nullptr && *info.dli_fname != '\0') {
    attnsim::set_program_file(info.dli_fname, ATTNSIM_DATA_FROM_PYTHON_MODULE);
  }
}

// A row value as the Python object the JSON would have parsed to: null None, integers int, doubles
// float (the same double: JSON is written in full; NaN and infinity None, as nlohmann writes them),
// strings str, booleans bool.
py::object to_python(const attnsim::Value& value) {
  return std::visit(
      [](const auto& v) -> py::object {
        using T = std::decay_t<decltype(v)>;
        if constexpr (std::is_same_v<T, std::monostate>) {
          return py::none();
        } else if constexpr (std::is_same_v<T, bool>) {
          return py::bool_(v);
        } else if constexpr (std::is_same_v<T, std::int64_t>) {
          return py::int_(v);
        } else if constexpr (std::is_same_v<T, double>) {
          if (!std::isfinite(v)) return py::none();  // JSON has no NaN or infinity: nlohmann writes null
          return py::float_(v);
        } else {
          return py::str(v);
        }
      },
      value);
}

// Builds sweep's points as Python objects while the sweep runs: a dict per row, or one list per
// key. Keys (~40, the same in every row and in the same order) and repeated strings (GPU, variant,
// bound) become Python objects once, not once per row.
class PointsBuilder {
 public:
  explicit PointsBuilder(bool as_columns) : as_columns_(as_columns) {}

  void add(const attnsim::Record& record) {
    if (as_columns_) {
      add_to_columns(record);
    } else {
      add_row(record);
    }
    ++rows_;
  }

  // Columns in the order keys are first met; a row without a key holds None there (as a CSV cell
  // left empty), so every column has one value per row.
  py::object result() {
    if (!as_columns_) return py::object(std::move(list_));
    py::dict columns;
    for (Column& c : columns_) {
      pad(c, rows_);
      columns[c.key] = std::move(c.values);
    }
    return py::object(std::move(columns));
  }

 private:
  struct Column {
    py::str key;
    std::string name;
    py::list values;
    std::string last_text;  // the last string value, whose Python object is reused while it repeats
    py::object last_str;
  };

  // The column of field `position` named `name`: the same position as last row, else looked up.
  std::size_t column_of(std::size_t position, const std::string& name) {
    if (position < columns_.size() && columns_[position].name == name) return position;
    for (std::size_t c = 0; c < columns_.size(); ++c) {
      if (columns_[c].name == name) return c;
    }
    columns_.push_back({py::str(name), name, py::list(), "", py::object()});
    return columns_.size() - 1;
  }

  static void pad(Column& c, std::size_t length) {
    while (std::size_t(PyList_GET_SIZE(c.values.ptr())) < length) c.values.append(py::none());
  }

  // A new reference, made with the C API directly: 10^5 rows of ~40 values are 4 million objects,
  // and pybind11's wrappers around each cost as much as the object itself.
  static PyObject* new_value(Column& c, const attnsim::Value& value) {
    if (const auto* number = std::get_if<double>(&value)) {
      if (std::isfinite(*number)) return PyFloat_FromDouble(*number);
      Py_RETURN_NONE;  // JSON has no NaN or infinity: nlohmann writes null
    }
    if (const auto* text = std::get_if<std::string>(&value)) {
      if (!c.last_str || c.last_text != *text) {
        c.last_text = *text;
        c.last_str = py::str(*text);
      }
      return c.last_str.inc_ref().ptr();
    }
    return to_python(value).release().ptr();
  }

  static void append(PyObject* list, PyObject* item) {
    if (item == nullptr) throw py::error_already_set();
    const int failed = PyList_Append(list, item);
    Py_DECREF(item);
    if (failed != 0) throw py::error_already_set();
  }

  void add_to_columns(const attnsim::Record& record) {
    for (std::size_t i = 0; i < record.size(); ++i) {
      Column& c = columns_[column_of(i, record[i].key)];
      if (std::size_t(PyList_GET_SIZE(c.values.ptr())) < rows_) pad(c, rows_);
      append(c.values.ptr(), new_value(c, record[i].value));
    }
  }

  void add_row(const attnsim::Record& record) {
    PyObject* row = PyDict_New();
    if (row == nullptr) throw py::error_already_set();
    for (std::size_t i = 0; i < record.size(); ++i) {
      Column& c = columns_[column_of(i, record[i].key)];
      PyObject* value = new_value(c, record[i].value);
      const int failed = value == nullptr ? -1 : PyDict_SetItem(row, c.key.ptr(), value);
      Py_XDECREF(value);
      if (failed != 0) {
        Py_DECREF(row);
        throw py::error_already_set();
      }
    }
    append(list_.ptr(), row);
  }

  bool as_columns_;
  std::size_t rows_ = 0;
  std::vector<Column> columns_;
  py::list list_;
};

py::object records_to_python(const std::vector<attnsim::Record>& records) {
  PointsBuilder builder(false);
  for (const attnsim::Record& r : records) builder.add(r);
  return builder.result();
}

}  // namespace

PYBIND11_MODULE(_attnsim, m) {
  m.doc() = "attnsim's command line in-process: run(args) returns the command's JSON text";
  name_program_file();
  auto& invalid_input = py::register_exception<CliInvalidInput>(m, "InvalidInput", PyExc_ValueError);
  invalid_input.attr("__module__") = "attnsim";  // shown as attnsim.InvalidInput, where users catch it
  m.def(
      "run",
      [](const std::vector<std::string>& args) {
        CliResult result;
        {
          py::gil_scoped_release release;
          result = run_cli(args);
        }
        if (result.status == 2) throw CliInvalidInput(one_line(result.err));
        if (result.status != 0) throw std::runtime_error(one_line(result.err));
        return result.out;
      },
      py::arg("args"),
      "Run one attnsim command (e.g. ['predict', '--seq', '4096', '--format', 'json']) and return its "
      "standard output; raises InvalidInput (exit status 2) or RuntimeError (1) with the CLI's message.");
  m.def(
      "sweep_rows",
      [](const std::vector<std::string>& args, bool as_columns) {
        // The sweep runs without the GIL; every kChunk points it takes the GIL back to turn them
        // into Python objects, so memory holds one chunk of C++ records, not the whole sweep.
        constexpr std::size_t kChunk = 4096;
        PointsBuilder points(as_columns);
        std::vector<attnsim::Record> chunk;
        chunk.reserve(kChunk);
        const auto flush = [&] {
          py::gil_scoped_acquire acquire;
          for (const attnsim::Record& r : chunk) points.add(r);
          chunk.clear();
        };
        attnsim::cli::SweepRows rows;
        std::string error;
        bool invalid = false;
        {
          py::gil_scoped_release release;
          try {
            rows = attnsim::cli::sweep_rows(args, [&](attnsim::Record&& r) {
              chunk.push_back(std::move(r));
              if (chunk.size() == kChunk) flush();
            });
            flush();
          } catch (const py::error_already_set&) {
            throw;  // a Python error while converting (MemoryError): raised as it is
          } catch (const std::exception& e) {
            error = attnsim::cli::error_line(e);
            invalid = attnsim::cli::is_invalid_input(e);
          }
        }
        if (invalid) throw CliInvalidInput(error);
        if (!error.empty()) throw std::runtime_error(error);
        py::dict result;
        result["scenario"] = rows.scenario;
        result["points"] = points.result();
        result["fits"] = records_to_python(rows.fits);
        result["notes"] = rows.notes;
        return result;
      },
      py::arg("args"), py::arg("as_columns") = false,
      "The rows of `attnsim sweep` for these arguments (as after `attnsim sweep`): a dict with "
      "`scenario`, `points` (a list of dicts, or with as_columns a dict of lists), `fits` and `notes`; "
      "the values are those of `attnsim sweep --format json`.");
}
