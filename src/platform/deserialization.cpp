// Deserialization points: every file whose bytes are a format a loader deserializes. On-disk files
// are judged from their first bytes; only zips and possible old pickles are mapped whole.
#include <algorithm>

#include "core/parallel.hpp"
#include "core/text.hpp"
#include "platform/plan_builder.hpp"
#include "platform/sniff.hpp"

namespace mg {

namespace {

constexpr std::size_t kHeadBytes = 4096;  // numpy headers and safetensors' opening fit in this

bool all_digits(std::string_view s) {
  return !s.empty() && std::all_of(s.begin(), s.end(), [](char c) { return c >= '0' && c <= '9'; });
}

// Trainer and DeepSpeed state, read back only when training resumes; and test, demo and
// documentation data, which no loader reads (a repository's code that loads it is judged as code).
bool read_at_load(std::string_view path) {
  for (auto part : split(dirname(path), '/')) {
    if ((starts_with(part, "checkpoint-") && all_digits(part.substr(11))) || starts_with(part, "global_step")) return false;
    const std::string p = to_lower(part);
    for (std::string_view data : {"tests", "test", "testing", "testdata", "test_data", "tests_data", "fixtures", "demo", "demos", "docs",
                                  "doc", "examples", "example"}) {
      if (p == data) return false;
    }
  }
  const auto name = basename(path);
  for (std::string_view training : {"training_args.bin", "optimizer.pt", "optimizer.bin", "scheduler.pt", "scheduler.bin", "scaler.pt"}) {
    if (name == training) return false;
  }
  return !starts_with(name, "rng_state") && !(ends_with(name, "_optim_states.pt"));
}

// What one file is, by content: its format ("" for none) or why it could not be read.
struct Sniffed {
  std::string format;
  std::string error;
};

Sniffed sniff_file(PlanBuilder& b, const Blob* read, const FileEntry& f) {
  Sniffed out;
  if (read != nullptr) {
    // Read whole for the other profiles (every .py): no second open for the head.
    const auto bytes = read->bytes();
    const auto head = bytes.first(std::min(bytes.size(), kHeadBytes));
    out.format = needs_whole_file(head) ? sniff_format(bytes, f.path) : sniff_format(head, f.path, f.size);
  } else if (f.member < 0) {
    auto head = read_head(f.abs_path, kHeadBytes);
    if (!head) {
      out.error = "cannot read: " + head.error().message;
    } else if (!needs_whole_file(*head)) {
      out.format = sniff_format(*head, f.path, f.size);
    } else if (auto blob = b.snap.read(f); blob) {
      out.format = sniff_format((*blob)->bytes(), f.path);
    } else {
      out.error = "cannot read: " + blob.error().message;
    }
  } else if (auto blob = b.snap.read(f); blob) {
    out.format = sniff_format((*blob)->bytes(), f.path);
  }
  return out;
}

}  // namespace

void profile_deserialization(PlanBuilder& b) {
  std::vector<const FileEntry*> files;
  std::vector<const Blob*> read;
  for (const auto& f : b.snap.files) {
    if (f.size < 8) continue;
    if (!f.container.empty()) continue;  // the source opened it: its members are files of their own
    files.push_back(&f);
    read.push_back(f.member < 0 ? b.already_read(f.path) : nullptr);
  }
  // Heads are read side by side (a repository has thousands of files); results are added in
  // snapshot order.
  std::vector<Sniffed> sniffed(files.size());
  parallel_for(files.size(), files.size() < 64 ? 1u : b.threads, [&](std::size_t i) { sniffed[i] = sniff_file(b, read[i], *files[i]); });
  for (std::size_t i = 0; i < files.size(); ++i) {
    const FileEntry& f = *files[i];
    if (!sniffed[i].error.empty()) {
      b.add_incomplete(f.path, sniffed[i].error);
      continue;
    }
    const std::string& format = sniffed[i].format;
    if (format.empty()) continue;
    b.plan.deserialization.push_back({f.path, format, std::string(loader_for_format(format, f.path)), read_at_load(f.path)});
  }
}

}  // namespace mg
