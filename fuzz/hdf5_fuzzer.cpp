// libFuzzer target: HDF5 bytes through libhdf5 and the byte-level Keras config and external-link
// search used when libhdf5 refuses a file.
//
// By default libhdf5 runs as the product runs it, in a forked child: its own bugs (1.10.8 has
// them: a memcpy overlap in H5HG_read on a crafted vlen attribute, found here) come back as error
// values, and the fuzzer exercises the containment. MODELGATE_HDF5_IN_PROCESS=1 runs it in this
// process instead, so ASan sees libhdf5 and our walker directly.
#include <cstddef>
#include <cstdint>
#include <cstdlib>

#include "formats/hdf5_configs.hpp"
#include "formats/hdf5_reader.hpp"
#include "formats/keras.hpp"

// libhdf5 1.10.8's high-level library leaks its file-image bookkeeping when an open fails; the
// product reads in a child process that exits, so only in-process runs see it.
extern "C" const char* __lsan_default_suppressions() { return "leak:H5LTopen_file_image\n"; }

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  static const bool in_process = std::getenv("MODELGATE_HDF5_IN_PROCESS") != nullptr;
  const std::span<const std::uint8_t> bytes(data, size);
  if (mg::hdf5::is_hdf5(bytes)) {
    mg::hdf5::ReadLimits limits;
    limits.timeout_seconds = 5;
    const auto c = in_process ? mg::hdf5::read_in_process(bytes, limits) : mg::hdf5::read(bytes, limits);
    for (const auto& a : c.attributes) (void)mg::keras::check_config(a.value);
  }
  for (auto cfg : mg::hdf5::keras_json_configs(bytes)) (void)mg::keras::check_config(cfg);
  (void)mg::hdf5::external_links(bytes);
  return 0;
}
