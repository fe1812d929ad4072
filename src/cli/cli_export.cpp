#include "cli/cli_export.hpp"

#include <string_view>

#include "report/report.hpp"

namespace mg {

namespace {

// One option or positional argument, as the completions and the man page need it.
struct OptSpec {
  std::vector<std::string> names;  // "-f", "--format"; empty for a positional
  std::string positional;          // the positional's name
  std::string description;
  std::string value_name;          // "TEXT", "INT", ... (empty for a flag)
  std::vector<std::string> choices;
  std::string default_value;
  bool takes_value = false;
  bool required = false;
  bool repeatable = false;
};

// One (sub)command: path is "modelgate", "modelgate scan", "modelgate study run".
struct CmdSpec {
  std::string path;
  std::string description;
  std::vector<std::pair<std::string, std::string>> subcommands;  // name, description
  std::vector<OptSpec> options;
  std::vector<OptSpec> positionals;
  bool subcommand_required = false;
};

// CLI11 describes IsMember as "{a,b,c}" inside the type name ("TEXT:{a,b,c}").
std::vector<std::string> choices_of(const std::string& type_name) {
  std::vector<std::string> out;
  const auto open = type_name.find(":{");
  if (open == std::string::npos) return out;
  const auto close = type_name.find('}', open);
  if (close == std::string::npos) return out;
  std::string item;
  for (char c : type_name.substr(open + 2, close - open - 2)) {
    if (c == ',') {
      if (!item.empty()) out.push_back(item);
      item.clear();
    } else {
      item += c;
    }
  }
  if (!item.empty()) out.push_back(item);
  return out;
}

OptSpec spec_of(const CLI::Option& o) {
  OptSpec s;
  for (const auto& n : o.get_snames()) s.names.push_back("-" + n);
  for (const auto& n : o.get_lnames()) s.names.push_back("--" + n);
  if (!o.nonpositional()) s.positional = o.get_name();
  s.description = o.get_description();
  const std::string type = o.get_type_name();
  s.value_name = type.substr(0, type.find(':'));
  s.choices = choices_of(type);
  s.default_value = o.get_default_str();
  s.takes_value = o.get_type_size_max() > 0;
  s.required = o.get_required();
  s.repeatable = o.get_items_expected_max() > 1;
  return s;
}

// Hidden subcommands and options (CLI11: empty group) stay out of both.
void collect(const CLI::App& app, const std::string& path, std::vector<CmdSpec>& out) {
  CmdSpec cmd;
  cmd.path = path;
  cmd.description = app.get_description();
  cmd.subcommand_required = app.get_require_subcommand_min() > 0;
  for (const CLI::Option* o : app.get_options([](const CLI::Option* opt) { return !opt->get_group().empty(); })) {
    (o->nonpositional() ? cmd.options : cmd.positionals).push_back(spec_of(*o));
  }
  const auto subs = app.get_subcommands([](const CLI::App* s) { return !s->get_group().empty(); });
  for (const CLI::App* s : subs) cmd.subcommands.emplace_back(s->get_name(), s->get_description());
  out.push_back(std::move(cmd));
  for (const CLI::App* s : subs) collect(*s, path + " " + s->get_name(), out);
}

std::vector<CmdSpec> commands_of(const CLI::App& app) {
  std::vector<CmdSpec> out;
  collect(app, kToolName, out);
  return out;
}

std::string join(const std::vector<std::string>& v, std::string_view sep) {
  std::string s;
  for (const auto& x : v) s += (s.empty() ? "" : std::string(sep)) + x;
  return s;
}

// Words completed for a positional argument: its choices, or rule ids for `explain`.
std::vector<std::string> positional_words(const CmdSpec& c, const CliExportHints& hints) {
  std::vector<std::string> words;
  for (const auto& p : c.positionals) {
    for (const auto& w : p.choices) words.push_back(w);
    if (p.positional == "rule_id") words.insert(words.end(), hints.rule_ids.begin(), hints.rule_ids.end());
  }
  return words;
}

// Single-quoted for sh-family shells and fish (fish also treats \ specially inside quotes).
std::string sh_quote(std::string_view s, bool fish = false) {
  std::string out = "'";
  for (char c : s) {
    if (c == '\'') out += fish ? "\\'" : "'\\''";
    else if (fish && c == '\\') out += "\\\\";
    else out += c;
  }
  return out + "'";
}

// The data functions every shell's script shares (bash and zsh read the same POSIX `case`).
std::string sh_data_functions(const std::vector<CmdSpec>& cmds, const CliExportHints& hints) {
  std::string subs = "__modelgate_subcommands() {\n  case \"$1\" in\n";
  std::string opts = "__modelgate_options() {\n  case \"$1\" in\n";
  std::string valopts = "__modelgate_value_options() {\n  case \"$1\" in\n";
  std::string choices = "__modelgate_choices() {\n  case \"$1\" in\n";
  std::string positional = "__modelgate_positional() {\n  case \"$1\" in\n";
  std::string described = "__modelgate_described() {\n  case \"$1\" in\n";
  for (const auto& c : cmds) {
    const std::string key = sh_quote(c.path);
    std::vector<std::string> names, value_names, sub_names, desc_lines;
    for (const auto& [name, desc] : c.subcommands) {
      sub_names.push_back(name);
      desc_lines.push_back(name + ":" + desc);
    }
    for (const auto& o : c.options) {
      for (const auto& n : o.names) {
        names.push_back(n);
        if (o.takes_value) value_names.push_back(n);
        std::string escaped;  // zsh _describe: a colon in the name needs a backslash
        for (char ch : n) escaped += ch == ':' ? std::string("\\:") : std::string(1, ch);
        desc_lines.push_back(escaped + ":" + o.description);
      }
      if (!o.choices.empty()) {
        std::vector<std::string> keys;
        for (const auto& n : o.names) keys.push_back(sh_quote(c.path + " " + n));
        choices += "    " + join(keys, "|") + ") echo " + sh_quote(join(o.choices, " ")) + " ;;\n";
      }
    }
    if (!sub_names.empty()) subs += "    " + key + ") echo " + sh_quote(join(sub_names, " ")) + " ;;\n";
    if (!names.empty()) opts += "    " + key + ") echo " + sh_quote(join(names, " ")) + " ;;\n";
    if (!value_names.empty()) valopts += "    " + key + ") echo " + sh_quote(join(value_names, " ")) + " ;;\n";
    if (auto words = positional_words(c, hints); !words.empty())
      positional += "    " + key + ") echo " + sh_quote(join(words, " ")) + " ;;\n";
    if (!desc_lines.empty()) described += "    " + key + ") printf '%s\\n' " + [&] {
      std::vector<std::string> q;
      for (const auto& l : desc_lines) q.push_back(sh_quote(l));
      return join(q, " ");
    }() + " ;;\n";
  }
  const std::string end = "  esac\n}\n";
  // Commands whose positional arguments are files (everything that takes a positional without fixed words).
  std::string files = "__modelgate_takes_files() {\n  case \"$1\" in\n";
  std::vector<std::string> file_cmds;
  for (const auto& c : cmds) {
    bool any = false;
    for (const auto& p : c.positionals) any = any || (p.choices.empty() && p.positional != "rule_id");
    if (any) file_cmds.push_back(sh_quote(c.path));
  }
  if (!file_cmds.empty()) files += "    " + join(file_cmds, "|") + ") return 0 ;;\n";
  files += "  esac\n  return 1\n}\n";
  return subs + end + opts + end + valopts + end + choices + end + positional + end + described + end + files;
}

// The walk over the words before the cursor, shared by bash and zsh: the (sub)command path, and
// whether the cursor's word is an option's value or after `--`.
constexpr const char* kShWalk = R"sh(  local cmdpath="modelgate" w i expect_value=0 after_dashdash=0
  for ((i = FIRST; i < LAST; i++)); do
    w="${WORDS[i]}"
    if [ "$expect_value" = 1 ]; then expect_value=0; continue; fi
    if [ "$w" = "--" ]; then after_dashdash=1; break; fi
    case " $(__modelgate_value_options "$cmdpath") " in *" $w "*) expect_value=1; continue ;; esac
    case " $(__modelgate_subcommands "$cmdpath") " in *" $w "*) cmdpath="$cmdpath $w" ;; esac
  done
)sh";

std::string replace_all(std::string s, std::string_view from, std::string_view to) {
  for (std::size_t at = s.find(from); at != std::string::npos; at = s.find(from, at + to.size())) s.replace(at, from.size(), to);
  return s;
}

std::string bash_script(const std::vector<CmdSpec>& cmds, const CliExportHints& hints) {
  std::string walk = replace_all(replace_all(replace_all(kShWalk, "FIRST", "1"), "LAST", "COMP_CWORD"), "WORDS", "COMP_WORDS");
  return "# bash completion for modelgate. Generated by `modelgate completion bash`: do not edit.\n" +
         sh_data_functions(cmds, hints) + "_modelgate() {\n  local cur=\"${COMP_WORDS[COMP_CWORD]}\"\n" + walk +
         R"sh(  COMPREPLY=()
  if [ "$after_dashdash" = 1 ]; then return 0; fi  # the command to run: readline's default completion
  if [ "$expect_value" = 1 ]; then
    local values; values="$(__modelgate_choices "$cmdpath ${COMP_WORDS[COMP_CWORD-1]}")"
    [ -n "$values" ] && COMPREPLY=($(compgen -W "$values" -- "$cur"))
    return 0  # no fixed values: readline completes a file name
  fi
  case "$cur" in
    -*) COMPREPLY=($(compgen -W "$(__modelgate_options "$cmdpath")" -- "$cur")); return 0 ;;
  esac
  COMPREPLY=($(compgen -W "$(__modelgate_subcommands "$cmdpath") $(__modelgate_positional "$cmdpath")" -- "$cur"))
  return 0
}
complete -o bashdefault -o default -F _modelgate modelgate
)sh";
}

std::string zsh_script(const std::vector<CmdSpec>& cmds, const CliExportHints& hints) {
  // zsh arrays start at 1 and words[1] is the command; `path` is zsh's $PATH array, hence cmdpath.
  std::string walk = replace_all(replace_all(replace_all(kShWalk, "FIRST", "2"), "LAST", "CURRENT"), "WORDS", "words");
  return "#compdef modelgate\n# zsh completion for modelgate. Generated by `modelgate completion zsh`: do not edit.\n" +
         sh_data_functions(cmds, hints) + "_modelgate() {\n  local cur=\"${words[CURRENT]}\"\n" + walk +
         R"sh(  if [ "$after_dashdash" = 1 ]; then _normal; return; fi
  if [ "$expect_value" = 1 ]; then
    local -a values; values=(${=$(__modelgate_choices "$cmdpath ${words[CURRENT-1]}")})
    if (( $#values )); then compadd -a values; else _files; fi
    return
  fi
  local -a described positional
  described=("${(@f)$(__modelgate_described "$cmdpath")}")
  if [[ "$cur" == -* ]]; then
    _describe -t options 'option' described -- 
    return
  fi
  local -a subcommands; subcommands=(${=$(__modelgate_subcommands "$cmdpath")})
  if (( $#subcommands )); then
    local -a entries; local e
    for e in "${described[@]}"; do [[ "$e" == -* ]] || entries+=("$e"); done
    _describe -t commands 'command' entries
    return
  fi
  positional=(${=$(__modelgate_positional "$cmdpath")})
  (( $#positional )) && compadd -a positional
  __modelgate_takes_files "$cmdpath" && _files
}
_modelgate "$@"
)sh";
}

std::string fish_script(const std::vector<CmdSpec>& cmds, const CliExportHints& hints) {
  std::string s = "# fish completion for modelgate. Generated by `modelgate completion fish`: do not edit.\n";
  s += "function __modelgate_value_options\n    switch $argv[1]\n";
  std::string subs_fn = "function __modelgate_subcommands\n    switch $argv[1]\n";
  for (const auto& c : cmds) {
    std::vector<std::string> value_names, sub_names;
    for (const auto& o : c.options)
      if (o.takes_value)
        for (const auto& n : o.names) value_names.push_back(sh_quote(n, true));
    for (const auto& sub : c.subcommands) sub_names.push_back(sh_quote(sub.first, true));
    if (!value_names.empty()) s += "        case " + sh_quote(c.path, true) + "\n            printf '%s\\n' " + join(value_names, " ") + "\n";
    if (!sub_names.empty()) subs_fn += "        case " + sh_quote(c.path, true) + "\n            printf '%s\\n' " + join(sub_names, " ") + "\n";
  }
  s += "    end\nend\n" + subs_fn + "    end\nend\n";
  s += R"sh(# The (sub)command the cursor is in ("modelgate study run"), or "--" after the command separator.
function __modelgate_path
    set -l cmdpath modelgate
    set -l expect_value 0
    for w in (commandline -opc)[2..-1]
        if test $expect_value = 1
            set expect_value 0
            continue
        end
        if test "$w" = "--"
            echo -- --
            return
        end
        if contains -- $w (__modelgate_value_options "$cmdpath")
            set expect_value 1
            continue
        end
        if contains -- $w (__modelgate_subcommands "$cmdpath")
            set cmdpath "$cmdpath $w"
        end
    end
    echo -- $cmdpath
end
function __modelgate_at
    test (__modelgate_path) = "$argv[1]"
end
complete -c modelgate -f
)sh";
  for (const auto& c : cmds) {
    const std::string cond = " -n " + sh_quote("__modelgate_at " + sh_quote(c.path, true), true);
    for (const auto& [name, desc] : c.subcommands)
      s += "complete -c modelgate" + cond + " -a " + sh_quote(name, true) + " -d " + sh_quote(desc, true) + "\n";
    for (const auto& o : c.options) {
      std::string line = "complete -c modelgate" + cond;
      for (const auto& n : o.names) line += (n.rfind("--", 0) == 0 ? " -l " + sh_quote(n.substr(2), true) : " -s " + sh_quote(n.substr(1), true));
      if (o.takes_value) line += o.choices.empty() ? " -r -F" : " -x -a " + sh_quote(join(o.choices, " "), true);
      s += line + " -d " + sh_quote(o.description, true) + "\n";
    }
    if (auto words = positional_words(c, hints); !words.empty())
      s += "complete -c modelgate" + cond + " -a " + sh_quote(join(words, " "), true) + "\n";
    bool files = false;
    for (const auto& p : c.positionals) files = files || (p.choices.empty() && p.positional != "rule_id");
    if (files) s += "complete -c modelgate" + cond + " -F\n";
  }
  s += "complete -c modelgate -n '__modelgate_at --' -F -a '(__fish_complete_subcommand -- --)'\n";
  return s;
}

// troff: backslashes and hyphens escaped, a leading dot or quote made literal.
std::string man_escape(std::string_view text) {
  std::string out;
  bool line_start = true;
  for (char c : text) {
    if (line_start && (c == '.' || c == '\'')) out += "\\&";
    line_start = c == '\n';
    if (c == '\\') out += "\\e";
    else if (c == '-') out += "\\-";
    else out += c;
  }
  return out;
}

std::string usage_of(const CmdSpec& c) {
  std::string u = "\\fB" + man_escape(c.path) + "\\fR";
  if (!c.subcommands.empty()) u += c.subcommand_required ? " \\fICOMMAND\\fR" : " [\\fICOMMAND\\fR]";
  if (!c.options.empty()) u += " [\\fIOPTIONS\\fR]";
  for (const auto& p : c.positionals) {
    std::string name = "\\fI" + man_escape(p.positional) + "\\fR" + (p.repeatable ? "..." : "");
    u += " " + (p.required ? name : "[" + name + "]");
  }
  return u;
}

std::string man_option(const OptSpec& o) {
  std::string head;
  if (o.names.empty()) {
    head = "\\fI" + man_escape(o.positional) + "\\fR";
  } else {
    for (const auto& n : o.names) head += (head.empty() ? "" : ", ") + std::string("\\fB") + man_escape(n) + "\\fR";
    if (o.takes_value) head += " \\fI" + man_escape(o.value_name.empty() ? "VALUE" : o.value_name) + "\\fR";
  }
  std::string body = man_escape(o.description);
  if (!o.choices.empty()) body += " One of: " + man_escape(join(o.choices, ", ")) + ".";
  if (!o.default_value.empty() && !o.names.empty() && o.takes_value) body += " Default: " + man_escape(o.default_value) + ".";
  if (o.required) body += " Required.";
  if (o.repeatable) body += " Repeatable.";
  return ".TP\n" + head + "\n" + body + "\n";
}

}  // namespace

std::string render_completion(const CLI::App& app, const std::string& shell, const CliExportHints& hints) {
  const auto cmds = commands_of(app);
  if (shell == "bash") return bash_script(cmds, hints);
  if (shell == "zsh") return zsh_script(cmds, hints);
  if (shell == "fish") return fish_script(cmds, hints);
  return {};
}

std::string render_manpage(const CLI::App& app, const CliExportHints& hints) {
  const auto cmds = commands_of(app);
  std::string m = ".\\\" modelgate(1). Generated by `modelgate manpage` from the CLI definition: do not edit.\n";
  m += ".TH MODELGATE 1 \"" + hints.date + "\" \"modelgate " + kToolVersion + "\" \"User Commands\"\n";
  m += ".SH NAME\nmodelgate \\- " + man_escape(app.get_description().substr(app.get_description().find(':') + 2)) + "\n";
  m += ".SH SYNOPSIS\n";
  for (const auto& c : cmds) {
    if (c.path == kToolName) continue;
    m += usage_of(c) + "\n.br\n";
  }
  m += "\\fBmodelgate\\fR \\fB\\-\\-version\\fR | \\fB\\-\\-help\\fR\n";
  m += R"sh(.SH DESCRIPTION
\fBmodelgate\fR answers, before a model is loaded from a hub (Hugging Face, ModelScope, OpenCSG,
OpenMMLab, PyTorch Hub), whether loading it runs code shipped in the repository, which code, what
that code does, and whether it is still the code that was reviewed. It reads Python with a
tree\-sitter parser, serialized weights (pickle, PyTorch, NumPy, joblib, Keras, ONNX, GGUF,
safetensors) with format readers that never unpickle, and configs; it never executes, imports or
unpickles what it scans. \fBmodelgate run\fR is the only command that runs code: the user's own
loading command, inside a bubblewrap sandbox.
.PP
Targets are repository folders, single files, archives, Hugging Face / torch hub / ModelScope
cache folders, or hub repositories: \fBhf:\fIorg/name\fR[\fB@\fIrevision\fR], \fBms:\fR and \fBcsg:\fR ids alike,
\fBtorchhub:\fIowner/repo\fR[\fB:\fIref\fR] and \fBgithub:\fIowner/repo\fR[\fB@\fIref\fR].
.SH COMMANDS
)sh";
  for (const auto& c : cmds) {
    if (c.path == kToolName) {
      if (!c.options.empty()) {
        m += ".SS \"Global options\"\n";
        for (const auto& o : c.options) m += man_option(o);
      }
      continue;
    }
    m += ".SS \"" + usage_of(c) + "\"\n" + man_escape(c.description) + ".\n";
    if (!c.subcommands.empty()) {
      m += ".PP\nCommands:\n";
      for (const auto& [name, desc] : c.subcommands) m += ".TP\n\\fB" + man_escape(name) + "\\fR\n" + man_escape(desc) + ".\n";
    }
    for (const auto& p : c.positionals) m += man_option(p);
    for (const auto& o : c.options) m += man_option(o);
  }
  m += R"sh(.SH EXIT STATUS
\fBscan\fR, \fBlock\fR, \fBverify\fR, \fBsign\fR, \fBstudy\fR, \fBrules\fR and \fBexplain\fR follow the
convention of the scanners users already script against:
.TP
.B 0
No finding at or above \fB\-\-fail\-on\fR (default: high); for \fBverify\fR, the target matches.
.TP
.B 1
Findings at or above \fB\-\-fail\-on\fR; for \fBverify\fR, the target does not match the lockfile or signature.
.TP
.B 2
The analysis could not complete (a partial analysis, an unreadable target, a usage error).
.PP
\fBrun\fR returns the command's own exit status (128+\fIN\fR when it was killed by signal \fIN\fR),
2 for a usage error or bad policy, 125 when the sandbox could not start, and 126 when \fB\-\-lock\fR
was given and the model folder does not verify (the command was not started).
.SH ENVIRONMENT
.TP
.B NO_COLOR
When set, \fBscan\fR's text report has no ANSI colour (as \fB\-\-no\-color\fR).
.TP
.BR HF_ENDPOINT ", " HF_TOKEN ", " HF_TOKEN_PATH ", " HF_HOME ", " HF_HUB_CACHE ", " HUGGINGFACE_HUB_CACHE ", " HF_HUB_OFFLINE
Hugging Face endpoint, access token (or the file holding it), cache location and offline mode, read
as \fBhuggingface_hub\fR reads them. \fBHF_HUB_OFFLINE=1\fR is \fB\-\-offline\fR.
.TP
.BR MODELSCOPE_DOMAIN ", " MODELSCOPE_API_TOKEN
ModelScope endpoint and access token (\fBms:\fR targets).
.TP
.BR CSGHUB_DOMAIN ", " CSGHUB_TOKEN ", " CSGHUB_TOKEN_PATH
OpenCSG endpoint and access token (\fBcsg:\fR targets).
.TP
.BR GITHUB_API_URL ", " GITHUB_TOKEN
GitHub API endpoint and token (\fBgithub:\fR and \fBtorchhub:\fR targets).
.TP
.B MODELGATE_CACHE_DIR
The content\-addressed download cache (default \fI$XDG_CACHE_HOME/modelgate\fR, else
\fI~/.cache/modelgate\fR); \fBoff\fR disables it.
.TP
.B MODELGATE_CACHE_MAX_BYTES
Size the download cache is trimmed to (default 8 GiB).
.TP
.BR MODELGATE_HTTP_TIMEOUT ", " MODELGATE_HTTP_STALL ", " MODELGATE_HTTP_CONNECT_TIMEOUT ", " MODELGATE_HTTP_RETRIES ", " MODELGATE_HTTP_MAX_WAIT
Hub client timeouts in seconds, and the number of retries.
.TP
.BR XDG_CACHE_HOME ", " HOME
Where the default caches live.
.PP
\fBmodelgate run\fR removes credentials (variables starting with HF_, AWS_, GITHUB_, OPENAI_, SSH_, ...)
from the sandboxed command's environment.
.SH FILES
.TP
.I ~/.cache/modelgate/
Hub download cache (see \fBMODELGATE_CACHE_DIR\fR).
.TP
.I ~/.cache/huggingface/hub/
The Hugging Face cache; \fBscan\fR reads \fImodels\-\-org\-\-name/snapshots/<sha>\fR folders in place.
.TP
.I /usr/share/doc/modelgate/
User documentation (reports, lockfiles, signatures, sandbox, study), the JSON schemas of the report and
lockfile formats, and inert example repositories under \fIexamples/\fR.
.PP
Every rule, its documentation and the bundled YARA rules are compiled into the binary:
\fBmodelgate rules\fR lists them and \fBmodelgate explain\fR \fIID\fR prints one.
.SH EXAMPLES
.nf
modelgate scan ./my\-model
modelgate scan hf:org/name@main \-\-format sarif \-o report.sarif
modelgate lock ./my\-model \-o modelgate.lock && modelgate verify ./my\-model \-\-lock modelgate.lock
modelgate run \-\-model ./my\-model \-\- python3 load.py
.fi
.SH SEE ALSO
.BR bwrap (1),
.BR yara (1),
.BR bandit (1)
)sh";
  return m;
}

}  // namespace mg
