// Target resolution: decides what a path is (directory, file, archive, one of the hub cache
// layouts) and turns it into snapshots.
#include <sys/stat.h>

#include <algorithm>
#include <cerrno>
#include <cstring>
#include <dirent.h>
#include <fstream>

#include "core/text.hpp"
#include "source/archive.hpp"
#include "source/hub/hub.hpp"
#include "source/snapshot.hpp"
#include "source/walk.hpp"

namespace mg {

namespace {

bool is_dir(const std::string& p) {
  struct stat st {};
  return stat(p.c_str(), &st) == 0 && S_ISDIR(st.st_mode);
}
bool is_file(const std::string& p) {
  struct stat st {};
  return stat(p.c_str(), &st) == 0 && S_ISREG(st.st_mode);
}

std::vector<std::string> list_dir(const std::string& dir) {
  std::vector<std::string> names;
  if (DIR* d = opendir(dir.c_str())) {
    while (dirent* e = readdir(d)) {
      const std::string_view n(e->d_name);
      if (n != "." && n != "..") names.emplace_back(n);
    }
    closedir(d);
  }
  std::sort(names.begin(), names.end());
  return names;
}

std::string read_small_text(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  std::string s(256, '\0');
  in.read(s.data(), static_cast<std::streamsize>(s.size()));
  s.resize(static_cast<std::size_t>(in.gcount()));
  return std::string(trim(s));
}

bool is_hex40(std::string_view s) {
  return s.size() == 40 && std::all_of(s.begin(), s.end(), [](char c) { return (c >= '0' && c <= '9') || (c >= 'a' && c <= 'f'); });
}

// "models--org--name" -> "org/name" (datasets--, spaces-- too).
std::string hf_repo_id(std::string_view folder) {
  for (std::string_view kind : {"models--", "datasets--", "spaces--"}) {
    if (starts_with(folder, kind)) {
      std::string rest(folder.substr(kind.size()));
      const auto pos = rest.find("--");
      if (pos != std::string::npos) rest.replace(pos, 2, "/");
      return rest;
    }
  }
  return {};
}

bool is_hf_repo_folder(const std::string& dir) {
  return !hf_repo_id(basename(dir)).empty() && is_dir(dir + "/snapshots");
}

Snapshot walk_snapshot(const std::string& target, const std::string& dir, const std::string& allowed_root, const Limits& limits) {
  Snapshot snap;
  snap.target = target;
  snap.kind = "directory";
  snap.root = dir;
  walk_directory(dir, allowed_root, limits, snap);
  return snap;
}

// One models--org--name folder: refs/main names the snapshot; without it, every snapshot.
std::vector<Snapshot> open_hf_repo(const std::string& target, const std::string& repo_dir, const Limits& limits) {
  std::vector<Snapshot> out;
  const std::string repo_real = real_path(repo_dir);
  std::vector<std::string> shas;
  const std::string ref = read_small_text(repo_dir + "/refs/main");
  if (is_hex40(ref) && is_dir(repo_dir + "/snapshots/" + ref)) shas.push_back(ref);
  else shas = list_dir(repo_dir + "/snapshots");
  for (const auto& sha : shas) {
    Snapshot snap = walk_snapshot(target, repo_dir + "/snapshots/" + sha, repo_real, limits);
    snap.kind = "hf-cache";
    snap.repo_id = hf_repo_id(basename(repo_dir));
    snap.revision = sha;
    snap.platform_hint = "huggingface";
    if (shas.size() > 1) snap.target = target + "@" + sha;
    out.push_back(std::move(snap));
  }
  if (out.empty()) {
    Snapshot snap;
    snap.target = target;
    snap.kind = "hf-cache";
    snap.repo_id = hf_repo_id(basename(repo_dir));
    snap.incomplete.push_back({"snapshots", "Hugging Face cache folder holds no snapshot"});
    out.push_back(std::move(snap));
  }
  return out;
}

bool is_torchhub_root(const std::string& dir) {
  return is_file(dir + "/trusted_list") || (is_dir(dir + "/checkpoints") && !is_file(dir + "/hubconf.py"));
}

bool looks_like_modelscope_model(const std::string& dir) {
  return is_file(dir + "/.mdl") || is_file(dir + "/.msc") ||
         (is_file(dir + "/configuration.json") && !is_file(dir + "/config.json"));
}

Result<std::vector<Snapshot>> resolve_target(const std::string& target, const Limits& limits) {
  struct stat st {};
  if (stat(target.c_str(), &st) != 0) return make_error(target + ": " + std::strerror(errno));
  std::vector<Snapshot> out;
  const std::string abs = real_path(target);
  if (abs.empty()) return make_error(target + ": cannot resolve path: " + std::strerror(errno));

  if (S_ISREG(st.st_mode)) {
    if (is_repository_archive_name(basename(target))) {
      auto snap = open_archive(abs, limits);
      if (!snap) return snap.error();
      snap->target = target;
      out.push_back(std::move(*snap));
      return out;
    }
    Snapshot snap;
    snap.target = target;
    snap.kind = "file";
    snap.root = std::string(dirname(abs));
    snap.files.push_back(FileEntry{std::string(basename(abs)), static_cast<std::uint64_t>(st.st_size), abs, -1, {}, false});
    out.push_back(std::move(snap));
    return out;
  }
  if (!S_ISDIR(st.st_mode)) return make_error(target + ": not a file or directory");

  // Hugging Face cache: one repo folder, a snapshots/<sha> folder inside one, or the hub root.
  if (is_hf_repo_folder(abs)) return open_hf_repo(target, abs, limits);
  const std::string parent(dirname(abs));
  if (basename(parent) == "snapshots" && is_hf_repo_folder(std::string(dirname(parent)))) {
    const std::string repo_dir(dirname(parent));
    Snapshot snap = walk_snapshot(target, abs, real_path(repo_dir), limits);
    snap.kind = "hf-cache";
    snap.repo_id = hf_repo_id(basename(repo_dir));
    snap.revision = std::string(basename(abs));
    snap.platform_hint = "huggingface";
    out.push_back(std::move(snap));
    return out;
  }
  const auto children = list_dir(abs);
  const bool hf_root = std::any_of(children.begin(), children.end(), [&](const std::string& c) { return is_hf_repo_folder(abs + "/" + c); });
  if (hf_root) {
    for (const auto& c : children) {
      if (!is_hf_repo_folder(abs + "/" + c)) continue;
      for (auto& s : open_hf_repo(join_path(target, c), abs + "/" + c, limits)) out.push_back(std::move(s));
    }
    return out;
  }

  // torch hub cache root: every <owner>_<repo>_<ref> folder, and the checkpoints folder.
  if (is_torchhub_root(abs)) {
    for (const auto& c : children) {
      const std::string dir = abs + "/" + c;
      if (!is_dir(dir)) continue;
      Snapshot snap = walk_snapshot(join_path(target, c), dir, real_path(dir), limits);
      snap.kind = "torchhub-cache";
      snap.platform_hint = "torchhub";
      if (c != "checkpoints") snap.repo_id = c;
      out.push_back(std::move(snap));
    }
    if (!out.empty()) return out;
  }

  // ModelScope cache: <root>/models/<owner>/<name> (or the legacy <root>/<owner>/<name>).
  if (is_dir(abs + "/models") && !is_file(abs + "/config.json")) {
    for (const auto& owner : list_dir(abs + "/models")) {
      for (const auto& name : list_dir(abs + "/models/" + owner)) {
        const std::string dir = abs + "/models/" + owner + "/" + name;
        if (!is_dir(dir) || !looks_like_modelscope_model(dir)) continue;
        Snapshot snap = walk_snapshot(join_path(target, "models/" + owner + "/" + name), dir, real_path(dir), limits);
        snap.kind = "modelscope-cache";
        snap.platform_hint = "modelscope";
        snap.repo_id = owner + "/" + name;
        out.push_back(std::move(snap));
      }
    }
    if (!out.empty()) return out;
  }

  Snapshot snap = walk_snapshot(target, abs, abs, limits);
  if (looks_like_modelscope_model(abs)) {
    const bool cached = is_file(abs + "/.mdl") || is_file(abs + "/.msc");
    snap.kind = cached ? "modelscope-cache" : "directory";
    snap.platform_hint = "modelscope";
    if (cached) snap.repo_id = std::string(basename(parent)) + "/" + std::string(basename(abs));
  } else if (is_file(abs + "/hubconf.py") && is_torchhub_root(parent)) {
    snap.kind = "torchhub-cache";
    snap.platform_hint = "torchhub";
    snap.repo_id = std::string(basename(abs));
  }
  out.push_back(std::move(snap));
  return out;
}

}  // namespace

Result<std::vector<Snapshot>> open_target(const std::string& target, const Limits& limits) {
  return open_target(target, limits, hub::HubOptions::from_env());
}

Result<std::vector<Snapshot>> open_target(const std::string& target, const Limits& limits, const hub::HubOptions& hub) {
  // A path that exists is a path, even when it reads like a hub id ("hf:x" as a folder name).
  struct stat st {};
  if (stat(target.c_str(), &st) != 0) {
    auto id = hub::parse_hub_target(target, hub.repo_type);
    if (!id) return id.error();
    if (*id) {
      auto snaps = hub::open_hub_target(**id, hub, limits);
      if (!snaps) return snaps;
      for (auto& snap : *snaps) open_nested_archives(snap, limits);
      return snaps;
    }
  }
  auto snaps = resolve_target(target, limits);
  if (!snaps) return snaps;
  // Loaders open archives inside a repository too (a .nemo checkpoint, a tarred bundle).
  for (auto& snap : *snaps) open_nested_archives(snap, limits);
  return snaps;
}

}  // namespace mg
