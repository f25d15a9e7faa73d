#include "cli/vocabulary.h"

#include <algorithm>
#include <set>

namespace attnsim::cli {

const std::vector<OptionAlias>& option_aliases() {
  // The whole-model commands said --impl for what predict and sweep call --variant, and --context
  // for the sequence length predict, sweep, tiles and crossover call --seq; plan's --gpus was a GPU
  // list (--gpu elsewhere) while ring's --gpus was a count, now --gpu-count.
  static const std::vector<OptionAlias> aliases = {
      {"impl", "variant", {"capacity", "plan", "serve", "crossover", "ring"}},
      {"context", "seq", {"capacity", "plan", "serve", "ring"}},
      {"gpus", "gpu", {"plan"}},
      {"gpus", "gpu-count", {"ring"}},
  };
  return aliases;
}

namespace {

const OptionAlias* alias_of(const std::string& command, const std::string& old_name) {
  for (const OptionAlias& a : option_aliases()) {
    if (a.old_name == old_name && std::find(a.commands.begin(), a.commands.end(), command) != a.commands.end())
      return &a;
  }
  return nullptr;
}

}  // namespace

std::vector<std::string> apply_option_aliases(const std::string& command, const std::vector<std::string>& args,
                                              std::vector<std::string>& notes) {
  std::vector<std::string> renamed;
  renamed.reserve(args.size());
  std::set<std::string> noted;
  for (const std::string& arg : args) {
    if (arg.rfind("--", 0) != 0) {
      renamed.push_back(arg);
      continue;
    }
    const std::size_t equals = arg.find('=');
    const std::string key = arg.substr(2, equals == std::string::npos ? std::string::npos : equals - 2);
    const OptionAlias* alias = alias_of(command, key);
    if (!alias) {
      renamed.push_back(arg);
      continue;
    }
    renamed.push_back("--" + alias->name + (equals == std::string::npos ? "" : arg.substr(equals)));
    if (noted.insert(key).second) {
      notes.push_back("attnsim: note: --" + key + " is now --" + alias->name +
                      " (the old spelling works until the next release)");
    }
  }
  return renamed;
}

}  // namespace attnsim::cli
