#include <sys/stat.h>

#include <cstdio>
#include <cstdlib>

#include "cli/commands.hpp"
#include "cli/enforce_common.hpp"
#include "enforce/oms.hpp"

namespace mg {

void SignCommand::register_options(CLI::App& cmd) {
  cmd.add_option("target", target_, "Model folder (or single file) to sign")->required();
  cmd.add_option("--key", key_, "PEM private key (EC P-256/P-384/P-521, Ed25519 or RSA >= 2048), plain or encrypted")->required();
  cmd.add_option("--key-password-file", key_password_file_,
                 "File whose first line is the password of an encrypted --key (or set MODELGATE_KEY_PASSWORD); never on the command line");
  cmd.add_option("-o,--output", output_, "Where to write the bundle (default: TARGET/model.sig for a folder)");
  cmd.add_option("--certificate", certificate_, "PEM signing certificate for the key: embed a certificate chain instead of a key hint");
  cmd.add_option("--chain", chain_, "PEM intermediate certificates to embed after --certificate (repeatable)");
  cmd.add_option("--ignore-paths", ignore_paths_, "Paths (relative to TARGET) to leave out of the manifest (repeatable)");
  cmd.add_option("-j,--jobs", jobs_, "Hashing threads (default: number of cores)");
}

int SignCommand::run() {
  struct stat st {};
  if (stat(target_.c_str(), &st) != 0 || !(S_ISDIR(st.st_mode) || S_ISREG(st.st_mode))) {
    std::fprintf(stderr, "modelgate: error: %s: not a local model folder or file (sign a local copy)\n", target_.c_str());
    return 2;
  }
  if (output_.empty()) {
    if (!S_ISDIR(st.st_mode)) {
      std::fprintf(stderr, "modelgate: error: give -o for a single-file model\n");
      return 2;
    }
    output_ = target_ + "/model.sig";
  }
  enforce::oms::SignOptions options;
  options.ignore_paths = ignore_paths_;
  auto read = [](const std::string& path, std::string& into) {
    auto text = cli::read_text_file(path, 1u << 20);
    if (!text) {
      std::fprintf(stderr, "modelgate: error: %s\n", text.error().message.c_str());
      return false;
    }
    into = std::move(*text);
    return true;
  };
  if (!read(key_, options.private_key_pem)) return 2;
  if (!key_password_file_.empty()) {
    if (!read(key_password_file_, options.key_password)) return 2;
    // The first line is the password (a trailing newline from `echo` is not part of it).
    if (const auto nl = options.key_password.find_first_of("\r\n"); nl != std::string::npos) options.key_password.resize(nl);
    options.has_key_password = true;
  } else if (const char* env = std::getenv("MODELGATE_KEY_PASSWORD"); env != nullptr) {
    options.key_password = env;
    options.has_key_password = true;
  }
  if (!certificate_.empty() && !read(certificate_, options.certificate_pem)) return 2;
  for (const auto& c : chain_) {
    if (!read(c, options.chain_pem.emplace_back())) return 2;
  }
  auto bundle = enforce::oms::sign(target_, output_, options, jobs_);
  if (!bundle) {
    std::fprintf(stderr, "modelgate: error: %s\n", bundle.error().message.c_str());
    return 2;
  }
  if (!cli::write_text_file(output_, *bundle)) {
    std::fprintf(stderr, "modelgate: error: cannot write %s\n", output_.c_str());
    return 2;
  }
  std::fprintf(stderr, "modelgate: signed %s -> %s\n", target_.c_str(), output_.c_str());
  return 0;
}

}  // namespace mg
