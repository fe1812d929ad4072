// Read-only file contents: a memory map of a file on disk, or bytes held in memory (archive
// members). Mapping is lazy, so a 10 GB checkpoint costs only the pages a parser touches.
#pragma once
#include <cstddef>
#include <cstdint>
#include <memory>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "core/result.hpp"

namespace mg {

class Blob {
 public:
  virtual ~Blob() = default;
  virtual const std::uint8_t* data() const = 0;
  virtual std::size_t size() const = 0;
  std::span<const std::uint8_t> bytes() const { return {data(), size()}; }
  std::string_view text() const { return {reinterpret_cast<const char*>(data()), size()}; }
};
using BlobPtr = std::shared_ptr<const Blob>;

class OwnedBlob final : public Blob {
 public:
  explicit OwnedBlob(std::vector<std::uint8_t> bytes) : bytes_(std::move(bytes)) {}
  const std::uint8_t* data() const override { return bytes_.data(); }
  std::size_t size() const override { return bytes_.size(); }

 private:
  std::vector<std::uint8_t> bytes_;
};

// The whole file, read-only: files up to 1 MiB are read into memory, larger ones are mapped.
Result<BlobPtr> map_file(const std::string& abs_path);
// Reads at most max_bytes from the start of the file (magic sniffing without mapping).
Result<std::vector<std::uint8_t>> read_head(const std::string& abs_path, std::size_t max_bytes);

}  // namespace mg
