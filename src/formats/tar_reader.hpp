// Uncompressed tar listing (ustar, GNU long names, pax paths), as used by legacy torch.save tar
// files and NeMo `.nemo` archives. Member data stays a view into the input.
#pragma once
#include <cstdint>
#include <span>
#include <string>
#include <vector>

#include "core/result.hpp"

namespace mg::tar {

struct TarMember {
  std::string name;
  char type = '0';  // '0' file, '5' dir, '1'/'2' links, ...
  std::uint64_t offset = 0;
  std::uint64_t size = 0;
  std::string link;
};

bool is_tar(std::span<const std::uint8_t> data);
Result<std::vector<TarMember>> list(std::span<const std::uint8_t> data, std::size_t max_members = 100'000);

}  // namespace mg::tar
