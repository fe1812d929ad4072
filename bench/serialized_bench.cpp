// serialized_bench: "cost follows metadata" and pickle throughput.
//  1. Two PyTorch zip checkpoints with the same data.pkl (a synthetic state_dict), one with a 2 MB
//     storage member and one with a 2 GB sparse storage member: wall time and bytes the scan
//     touched (page faults on the mappings + read() bytes) through the serialized engine.
//  2. The pickle VM (mg::pickle::analyze) vs Python's pickletools.genops over the same streams
//     (Debian's /usr/bin/python3), as throughput in MB/s and their ratio (target >= 20x).
// Usage: serialized_bench [tensors=4000] [repeats=20]
#include <fcntl.h>
#include <sys/mman.h>
#include <unistd.h>
#include <zlib.h>

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <string>
#include <vector>

#include "core/limits.hpp"
#include "engines/serialized/serialized_engine.hpp"
#include "formats/pickle.hpp"
#include "formats/zip_reader.hpp"
#include "platform/load_plan.hpp"
#include "source/snapshot.hpp"

namespace fs = std::filesystem;
using namespace std::string_literals;

namespace {

void put16(std::string& s, unsigned v) {
  s += static_cast<char>(v & 0xFF);
  s += static_cast<char>((v >> 8) & 0xFF);
}
void put32(std::string& s, std::uint32_t v) {
  put16(s, v & 0xFFFF);
  put16(s, v >> 16);
}

std::string binunicode(const std::string& v) {
  std::string s = "X";
  put32(s, static_cast<std::uint32_t>(v.size()));
  return s + v;
}

std::string binput(unsigned& memo) {
  std::string s;
  if (memo < 256) {
    s = "q";
    s += static_cast<char>(memo);
  } else {
    s = "r";
    put32(s, memo);
  }
  ++memo;
  return s;
}

// A state_dict as torch.save writes it (protocol 2): OrderedDict of _rebuild_tensor_v2 calls whose
// storages are persistent ids, the globals memoized once and fetched with BINGET afterwards.
// Every tensor is a view into one storage "0" of `numel` floats (as in flat-buffer checkpoints).
std::string state_dict_pickle(int tensors, std::uint32_t numel) {
  unsigned memo = 0;
  std::string p = "\x80\x02" "ccollections\nOrderedDict\n" + binput(memo) + ")R" + binput(memo) + "(";
  unsigned rebuild = 0, storage_type = 0;
  for (int t = 0; t < tensors; ++t) {
    p += binunicode("model.layers." + std::to_string(t / 8) + ".mlp.weight_" + std::to_string(t)) + binput(memo);
    if (t == 0) {
      rebuild = memo;
      p += std::string("ctorch._utils\n_rebuild_tensor_v2\n") + binput(memo);
    } else {
      p += "h";
      p += static_cast<char>(rebuild);
    }
    p += "((" + binunicode("storage") + binput(memo);
    if (t == 0) {
      storage_type = memo;
      p += std::string("ctorch\nFloatStorage\n") + binput(memo);
    } else {
      p += "h";
      p += static_cast<char>(storage_type);
    }
    p += binunicode("0") + binput(memo) + binunicode("cpu") + binput(memo) + "J";
    put32(p, numel);
    // offset 0, size (4096, 1024), stride (1024, 1), requires_grad False, backward hooks OrderedDict()
    p += "t" + binput(memo) + "QK\x00M\x00\x10M\x00\x04\x86"s + binput(memo) + "M\x00\x04K\x01\x86"s + binput(memo) +
         "\x89" "ccollections\nOrderedDict\n)R" + binput(memo) + "t" + binput(memo) + "R" + binput(memo);
  }
  p += "u}" + binput(memo) + "b.";
  return p;
}

// A zip of archive/data.pkl (stored) + archive/data/0 of `storage_bytes` (stored, left as a hole).
void write_checkpoint(const fs::path& path, const std::string& pkl, std::uint64_t storage_bytes) {
  struct Entry {
    std::string name;
    std::uint64_t offset, size;
    std::uint32_t crc;
  };
  std::vector<Entry> entries;
  std::ofstream out(path, std::ios::binary | std::ios::trunc);
  std::uint64_t pos = 0;
  auto local = [&](const std::string& name, std::uint64_t size, std::uint32_t crc) {
    std::string h;
    put32(h, 0x04034b50);
    put16(h, 20);
    put16(h, 0);
    put16(h, 0);
    put32(h, 0);
    put32(h, crc);
    put32(h, static_cast<std::uint32_t>(size));
    put32(h, static_cast<std::uint32_t>(size));
    put16(h, static_cast<unsigned>(name.size()));
    put16(h, 0);
    h += name;
    entries.push_back({name, pos, size, crc});
    out.write(h.data(), static_cast<std::streamsize>(h.size()));
    pos += h.size();
  };
  local("archive/data.pkl", pkl.size(),
        static_cast<std::uint32_t>(crc32(0, reinterpret_cast<const Bytef*>(pkl.data()), static_cast<uInt>(pkl.size()))));
  out.write(pkl.data(), static_cast<std::streamsize>(pkl.size()));
  pos += pkl.size();
  local("archive/data/0", storage_bytes, 0);
  out.seekp(static_cast<std::streamoff>(pos + storage_bytes));  // sparse: nothing is written
  pos += storage_bytes;
  const std::uint64_t cd = pos;
  std::string c;
  for (const auto& e : entries) {
    put32(c, 0x02014b50);
    put16(c, 20);
    put16(c, 20);
    put16(c, 0);
    put16(c, 0);
    put32(c, 0);
    put32(c, e.crc);
    put32(c, static_cast<std::uint32_t>(e.size));
    put32(c, static_cast<std::uint32_t>(e.size));
    put16(c, static_cast<unsigned>(e.name.size()));
    put16(c, 0);
    put16(c, 0);
    put16(c, 0);
    put16(c, 0);
    put32(c, 0);
    put32(c, static_cast<std::uint32_t>(e.offset));
    c += e.name;
  }
  const std::uint64_t cd_size = c.size();
  put32(c, 0x06054b50);
  put16(c, 0);
  put16(c, 0);
  put16(c, static_cast<unsigned>(entries.size()));
  put16(c, static_cast<unsigned>(entries.size()));
  put32(c, static_cast<std::uint32_t>(cd_size));
  put32(c, static_cast<std::uint32_t>(cd));
  put16(c, 0);
  out.write(c.data(), static_cast<std::streamsize>(c.size()));
}

// Bytes of `path` in the page cache: after evicting the file, what the scan read from it.
std::uint64_t resident_bytes(const fs::path& path) {
  const int fd = open(path.c_str(), O_RDONLY);
  if (fd < 0) return 0;
  const auto size = static_cast<std::size_t>(fs::file_size(path));
  std::uint64_t resident = 0;
  void* map = mmap(nullptr, size, PROT_READ, MAP_SHARED, fd, 0);
  if (map != MAP_FAILED) {
    const std::size_t page = static_cast<std::size_t>(sysconf(_SC_PAGESIZE));
    std::vector<unsigned char> vec((size + page - 1) / page);
    if (mincore(map, size, vec.data()) == 0) {
      for (unsigned char v : vec) resident += (v & 1) ? page : 0;
    }
    munmap(map, size);
  }
  close(fd);
  return resident;
}

void evict(const fs::path& path) {
  const int fd = open(path.c_str(), O_RDONLY);
  if (fd < 0) return;
  fdatasync(fd);
  posix_fadvise(fd, 0, 0, POSIX_FADV_DONTNEED);
  close(fd);
}

struct ScanCost {
  double ms = 0;
  std::uint64_t bytes = 0;
  std::size_t findings = 0;
  bool complete = false;
  std::string first_finding;
};

ScanCost scan_file(const fs::path& path) {
  mg::Limits limits;
  auto engine = mg::make_serialized_engine();
  evict(path);
  const auto t0 = std::chrono::steady_clock::now();
  ScanCost cost;
  auto snaps = mg::open_target(path.string(), limits);
  if (snaps) {
    for (const auto& snap : *snaps) {
      const auto plan = mg::build_load_plan(snap, limits);
      mg::EngineOutput out;
      engine->run(mg::EngineContext{snap, plan, limits}, out);
      cost.findings += out.findings.size();
      cost.complete = out.incomplete.empty() && !out.analysed_files.empty();
      for (const auto& f : out.findings) cost.first_finding = cost.first_finding.empty() ? f.rule_id + " " + f.message : cost.first_finding;
    }
  }
  cost.ms = std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - t0).count();
  cost.bytes = resident_bytes(path);
  return cost;
}

// The formats layer alone on a mapping with MADV_RANDOM (no kernel read-around): the bytes the
// analysis itself needs from the file.
ScanCost formats_only(const fs::path& path) {
  ScanCost cost;
  evict(path);
  const int fd = open(path.c_str(), O_RDONLY);
  if (fd < 0) return cost;
  const auto size = static_cast<std::size_t>(fs::file_size(path));
  void* map = mmap(nullptr, size, PROT_READ, MAP_SHARED, fd, 0);
  close(fd);
  if (map == MAP_FAILED) return cost;
  madvise(map, size, MADV_RANDOM);
  const auto t0 = std::chrono::steady_clock::now();
  const std::span<const std::uint8_t> bytes(static_cast<const std::uint8_t*>(map), size);
  if (auto ar = mg::zip::read_archive(bytes)) {
    cost.complete = true;
    for (const auto& m : ar->members) {
      std::vector<std::uint8_t> storage;
      auto mb = mg::zip::member_bytes(bytes, m, storage);
      if (!mb) continue;
      if (mg::pickle::has_proto_magic(*mb) || mg::pickle::looks_like_pickle(*mb)) {
        const auto rep = mg::pickle::analyze(*mb);
        cost.findings += rep.anomalies.size();
        cost.complete = cost.complete && rep.complete;
      }
    }
  }
  cost.ms = std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - t0).count();
  munmap(map, size);
  cost.bytes = resident_bytes(path);
  return cost;
}

}  // namespace

int main(int argc, char** argv) {
  const int tensors = argc > 1 ? std::atoi(argv[1]) : 4000;
  const int repeats = argc > 2 ? std::atoi(argv[2]) : 20;
  const fs::path dir = fs::temp_directory_path() / ("modelgate-serialized-bench-" + std::to_string(getpid()));
  fs::create_directories(dir);
  // The two pickles differ only in the storage's element count (4 bytes of one BININT).
  const std::string pkl = state_dict_pickle(tensors, (2u << 20) / 4);
  const fs::path small = dir / "small.pt", big = dir / "big.pt";
  write_checkpoint(small, pkl, 2ull << 20);
  write_checkpoint(big, state_dict_pickle(tensors, (2u << 30) / 4), 2ull << 30);

  std::printf("pickle: synthetic state_dict, %d tensors, %zu bytes\n\n", tensors, pkl.size());
  std::printf("%-34s %12s %10s %16s %9s %9s\n", "checkpoint", "file bytes", "scan ms", "bytes read", "findings", "complete");
  for (const auto& p : {small, big}) {
    scan_file(p);  // warm code paths; the file itself is evicted again before the measured scan
    const auto c = scan_file(p);
    std::printf("%-34s %12llu %10.2f %16llu %9zu %9s\n", p.filename().c_str(),
                static_cast<unsigned long long>(fs::file_size(p)), c.ms, static_cast<unsigned long long>(c.bytes), c.findings,
                c.complete ? "yes" : "no");
    if (!c.first_finding.empty()) std::printf("    unexpected: %s\n", c.first_finding.c_str());
  }

  for (const auto& p : {small, big}) {
    const auto c = formats_only(p);
    std::printf("%-34s %12llu %10.2f %16llu %9s %9s\n", (p.filename().string() + " (formats, MADV_RANDOM)").c_str(),
                static_cast<unsigned long long>(fs::file_size(p)), c.ms, static_cast<unsigned long long>(c.bytes), "-",
                c.complete ? "yes" : "no");
  }
  std::printf("(the engine maps files without MADV_RANDOM, so each page fault also reads the kernel's read-around\n"
              " window, read_ahead_kb of the device; the second pair shows what the analysis itself reads)\n");

  // Pickle throughput vs pickletools.genops on the same bytes.
  const fs::path stream = dir / "stream.pkl";
  std::ofstream(stream, std::ios::binary).write(pkl.data(), static_cast<std::streamsize>(pkl.size()));
  const auto bytes = std::span<const std::uint8_t>(reinterpret_cast<const std::uint8_t*>(pkl.data()), pkl.size());
  // Best pass of each side: the machine is shared, the minimum is the least disturbed measurement.
  std::uint64_t opcodes = 0;
  double ours = 1e9;
  for (int r = 0; r < repeats; ++r) {
    const auto t0 = std::chrono::steady_clock::now();
    opcodes = mg::pickle::analyze(bytes).opcodes;
    ours = std::min(ours, std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count());
  }
  const std::string cmd = "/usr/bin/python3 -c \"import pickletools,sys,time\n"
                          "d=open(sys.argv[1],'rb').read()\nbest=1e9\n"
                          "for _ in range(int(sys.argv[2])):\n    t=time.perf_counter(); n=0\n"
                          "    for op,arg,pos in pickletools.genops(d): n+=1\n"
                          "    best=min(best,time.perf_counter()-t)\n"
                          "print(best, n)\" " +
                          stream.string() + " " + std::to_string(std::max(3, repeats / 4));
  double theirs = 0;
  std::uint64_t their_ops = 0;
  if (FILE* py = popen(cmd.c_str(), "r")) {
    unsigned long long n = 0;
    if (std::fscanf(py, "%lf %llu", &theirs, &n) != 2) theirs = 0;
    their_ops = n;
    pclose(py);
  }
  const double mb = static_cast<double>(pkl.size()) / 1e6;
  std::printf("\npickle throughput, best pass over %zu bytes (%llu opcodes)\n", pkl.size(), static_cast<unsigned long long>(opcodes));
  std::printf("  modelgate pickle VM       %9.1f MB/s  (%.2f ms)\n", mb / ours, ours * 1e3);
  if (theirs > 0) {
    std::printf("  pickletools.genops        %9.1f MB/s  (%.2f ms, %llu opcodes)\n", mb / theirs, theirs * 1e3,
                static_cast<unsigned long long>(their_ops));
    std::printf("  ratio                     %9.1fx  (target >= 20x)\n", theirs / ours);
  } else {
    std::printf("  pickletools.genops        unavailable (/usr/bin/python3 not found)\n");
  }
  fs::remove_all(dir);
  return 0;
}
