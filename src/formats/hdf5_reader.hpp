// HDF5 files read through libhdf5 (Debian libhdf5-dev), for what a loader would follow or run:
// string attributes (Keras model_config / training_config / keras_version at the root, configs on
// any object), external links, external storage and virtual-dataset sources (other files the
// library opens), and the user block (bytes before the superblock, where polyglots hide).
//
// libhdf5 is a large C library that was not written for hostile files, so it runs in a forked
// child with a time limit and an address-space cap: a crash, a hang or a huge allocation there is an
// incomplete result, not a dead scan or a starved host. Its
// error stack is silenced (H5Eset_auto). The file is opened from memory (H5LTopen_file_image,
// no copy); dataset contents are never read.
#pragma once
#include <cstdint>
#include <span>
#include <string>
#include <vector>

namespace mg::hdf5 {

struct ReadLimits {
  std::size_t max_objects = 200'000;                   // links visited
  std::size_t max_attributes = 100'000;
  std::uint64_t max_attribute_bytes = 64ull << 20;     // one string attribute
  std::uint64_t max_total_bytes = 256ull << 20;        // all strings returned
  unsigned timeout_seconds = 30;
};

struct Attribute {
  std::string object;  // "/" for the root
  std::string name;
  std::string value;   // string attributes only (fixed or variable length), trailing NULs removed
};

struct ExternalRef {
  std::string object;  // link name or dataset path
  std::string file;    // the other file
  std::string target;  // object path in it (external links), "" otherwise
};

struct Content {
  bool opened = false;    // libhdf5 opened the file
  bool complete = false;  // every link, object and attribute was visited
  std::string error;      // why not
  std::vector<Attribute> attributes;
  std::vector<ExternalRef> external_links;    // H5L_TYPE_EXTERNAL
  std::vector<ExternalRef> external_storage;  // H5Pget_external: raw data kept in other files
  std::vector<ExternalRef> virtual_sources;   // virtual datasets mapping other files
  std::uint64_t userblock_size = 0;
  std::uint64_t objects = 0;
};

// Reads in a forked child, bounded by `limits.timeout_seconds`.
Content read(std::span<const std::uint8_t> data, const ReadLimits& limits = {});

// The same, in this process (the fuzz target, and the child itself). Not thread-safe: libhdf5 is
// serialised by a mutex.
Content read_in_process(std::span<const std::uint8_t> data, const ReadLimits& limits = {});

}  // namespace mg::hdf5
