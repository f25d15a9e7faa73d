// One name per concept across the commands (docs/glossary.md, "Option names"): the spellings that
// older releases used (--impl, --context, plan's --gpus, ring's --gpus) are rewritten here to the
// current ones before any command parses its options, with one note on standard error when the
// command succeeds (a failing one prints its one error line only).
#pragma once

#include <string>
#include <vector>

namespace attnsim::cli {

struct OptionAlias {
  std::string old_name;               // "impl": --impl, --impl=VALUE
  std::string name;                   // "variant"
  std::vector<std::string> commands;  // the commands where the old spelling meant this option
};

// Every old spelling still accepted, for one release.
const std::vector<OptionAlias>& option_aliases();

// `args` (after the command name) with each old spelling of `command` replaced by the current one;
// `notes` gets one "attnsim: note: ..." line per old spelling used, for standard error (standard
// output stays the command's, so its JSON is untouched).
std::vector<std::string> apply_option_aliases(const std::string& command, const std::vector<std::string>& args,
                                              std::vector<std::string>& notes);

}  // namespace attnsim::cli
