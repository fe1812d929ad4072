#include "platform/plan_builder.hpp"

#include <algorithm>

#include "core/parallel.hpp"
#include "core/text.hpp"
#include "platform/config_json.hpp"

namespace mg {

void PlanBuilder::add_incomplete(std::string file, std::string reason) {
  plan.incomplete.push_back({std::move(file), std::move(reason)});
}

std::optional<std::string_view> PlanBuilder::text(std::string_view path) {
  if (auto it = blobs_.find(path); it != blobs_.end()) return it->second ? std::optional(it->second->text()) : std::nullopt;
  const FileEntry* f = snap.find(path);
  BlobPtr blob;
  if (f != nullptr) {
    if (f->size > limits.max_config_bytes) {
      add_incomplete(f->path, "larger than " + std::to_string(limits.max_config_bytes >> 20) + " MiB; configuration not read");
    } else if (auto r = snap.read(*f); r) {
      blob = *r;
    } else {
      add_incomplete(f->path, "cannot read: " + r.error().message);
    }
  }
  blobs_.emplace(std::string(path), blob);
  return blob ? std::optional(blob->text()) : std::nullopt;
}

void PlanBuilder::prefetch(const std::vector<const FileEntry*>& files) {
  std::vector<const FileEntry*> todo;
  for (const FileEntry* f : files) {
    if (f->size <= limits.max_config_bytes && !blobs_.contains(f->path)) todo.push_back(f);
  }
  std::vector<std::optional<Result<BlobPtr>>> got(todo.size());
  parallel_for(todo.size(), todo.size() < 64 ? 1 : threads, [&](std::size_t i) { got[i] = snap.read(*todo[i]); });
  for (std::size_t i = 0; i < todo.size(); ++i) {
    BlobPtr blob;
    if (*got[i]) blob = **got[i];
    else add_incomplete(todo[i]->path, "cannot read: " + got[i]->error().message);
    blobs_.emplace(todo[i]->path, std::move(blob));
  }
}

const nlohmann::json* PlanBuilder::json(std::string_view path) {
  if (auto it = json_cache_.find(path); it != json_cache_.end()) return it->second ? &*it->second : nullptr;
  std::optional<nlohmann::json> parsed;
  if (auto t = text(path)) {
    auto r = parse_config_json(*t, limits);
    if (r) parsed = std::move(*r);
    else add_incomplete(std::string(path), r.error().message);
  }
  auto [it, _] = json_cache_.emplace(std::string(path), std::move(parsed));
  return it->second ? &*it->second : nullptr;
}

std::vector<std::string> relative_import_names(std::string_view source) {
  std::vector<std::string> names;
  auto word_after = [](std::string_view s, std::size_t& i) {
    const std::size_t b = i;
    while (i < s.size() && !std::isspace(static_cast<unsigned char>(s[i]))) ++i;
    return s.substr(b, i - b);
  };
  for (auto line : split(source, '\n')) {
    std::size_t i = 0;
    while (i < line.size() && (line[i] == ' ' || line[i] == '\t')) ++i;
    line.remove_prefix(i);
    std::string_view name;
    if (starts_with(line, "import") && line.size() > 6 && std::isspace(static_cast<unsigned char>(line[6]))) {
      std::size_t k = 6;
      while (k < line.size() && std::isspace(static_cast<unsigned char>(line[k]))) ++k;
      if (k >= line.size() || line[k] != '.') continue;
      ++k;
      name = word_after(line, k);
      if (!trim(line.substr(k)).empty()) continue;  // `import .x` must be all of the line
    } else if (starts_with(line, "from") && line.size() > 4 && std::isspace(static_cast<unsigned char>(line[4]))) {
      std::size_t k = 4;
      while (k < line.size() && std::isspace(static_cast<unsigned char>(line[k]))) ++k;
      if (k >= line.size() || line[k] != '.') continue;
      ++k;
      name = word_after(line, k);
      const std::size_t ws = k;
      while (k < line.size() && std::isspace(static_cast<unsigned char>(line[k]))) ++k;
      if (k == ws || !starts_with(line.substr(k), "import")) continue;
    } else {
      continue;
    }
    if (name.empty() || name.front() == '.') continue;  // parent-package imports are not copied
    std::string n(name);
    if (std::find(names.begin(), names.end(), n) == names.end()) names.push_back(std::move(n));
  }
  return names;
}

void PlanBuilder::add_module_file(const std::string& path) {
  std::vector<std::string> work{path};
  while (!work.empty()) {
    const std::string file = std::move(work.back());
    work.pop_back();
    if (modules_.size() >= limits.max_relative_import_files) {
      add_incomplete(file, "relative-import closure larger than " + std::to_string(limits.max_relative_import_files) + " files");
      return;
    }
    if (!modules_.insert(file).second) continue;
    auto src = text(file);
    if (!src) continue;
    const std::string dir(dirname(file));
    for (const auto& name : relative_import_names(*src)) {
      std::string rel = name;
      std::replace(rel.begin(), rel.end(), '.', '/');
      std::string candidate;
      if (!normalize_relative(join_path(dir, rel + ".py"), candidate)) continue;
      if (snap.contains(candidate)) {
        work.push_back(candidate);
      } else if (normalize_relative(join_path(dir, rel + "/__init__.py"), candidate) && snap.contains(candidate)) {
        work.push_back(candidate);
      }
    }
  }
}

void PlanBuilder::add_trigger(Trigger t) {
  if (t.remote_repo.empty() && ends_with(t.module, ".py") && snap.contains(t.module)) {
    add_module_file(t.module);
    plan.entry_points.push_back({t.module, t.symbol, t.file + ":" + t.key});
  }
  plan.triggers.push_back(std::move(t));
}

LoadPlan PlanBuilder::finish() {
  plan.module_files.assign(modules_.begin(), modules_.end());
  return std::move(plan);
}

ReadCache PlanBuilder::take_reads() {
  std::erase_if(blobs_, [](const auto& entry) { return entry.second == nullptr; });
  return std::move(blobs_);
}

}  // namespace mg
