#include "formats/hdf5_reader.hpp"

#include <hdf5.h>
#include <hdf5_hl.h>
#include <poll.h>
#include <sys/resource.h>
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cerrno>
#include <cstdio>
#include <chrono>
#include <fcntl.h>
#include <cstring>
#include <mutex>

namespace mg::hdf5 {

namespace {

// Closes an HDF5 id of any kind when it goes out of scope.
class Id {
 public:
  explicit Id(hid_t id = H5I_INVALID_HID) : id_(id) {}
  ~Id() {
    if (id_ >= 0) {
      switch (H5Iget_type(id_)) {
        case H5I_FILE: H5Fclose(id_); break;
        case H5I_GROUP: H5Gclose(id_); break;
        case H5I_DATASET: H5Dclose(id_); break;
        case H5I_DATATYPE: H5Tclose(id_); break;
        case H5I_DATASPACE: H5Sclose(id_); break;
        case H5I_ATTR: H5Aclose(id_); break;
        case H5I_GENPROP_LST: H5Pclose(id_); break;
        default: H5Oclose(id_); break;
      }
    }
  }
  Id(const Id&) = delete;
  Id& operator=(const Id&) = delete;
  hid_t get() const { return id_; }
  bool ok() const { return id_ >= 0; }

 private:
  hid_t id_;
};

struct Walk {
  const ReadLimits& lim;
  Content& out;
  std::uint64_t bytes = 0;
  std::size_t attributes = 0;
  bool stopped = false;

  void stop(std::string why) {
    if (!stopped) out.error = std::move(why);
    stopped = true;
  }
  bool keep(std::uint64_t n) {
    if (n > lim.max_attribute_bytes || bytes + n > lim.max_total_bytes) {
      stop("attribute strings larger than the limit");
      return false;
    }
    bytes += n;
    return true;
  }
};

std::string trim_nul(std::string s) {
  const auto z = s.find('\0');
  if (z != std::string::npos) s.resize(z);
  return s;
}

// One scalar string attribute; other attributes (numbers, arrays) are not what loaders run.
herr_t on_attribute(hid_t loc, const char* name, const H5A_info_t* /*info*/, void* data) {
  auto& w = *static_cast<Walk*>(data);
  if (++w.attributes > w.lim.max_attributes) {
    w.stop("more attributes than the limit");
    return 1;
  }
  Id attr(H5Aopen(loc, name, H5P_DEFAULT));
  if (!attr.ok()) {
    w.stop(std::string("attribute '") + name + "' cannot be opened");
    return 0;
  }
  Id type(H5Aget_type(attr.get()));
  Id space(H5Aget_space(attr.get()));
  if (!type.ok() || !space.ok() || H5Tget_class(type.get()) != H5T_STRING) return 0;
  if (H5Sget_simple_extent_npoints(space.get()) != 1) return 0;
  std::string value;
  const htri_t variable = H5Tis_variable_str(type.get());
  if (variable > 0) {
    Id mem(H5Tcopy(H5T_C_S1));
    if (!mem.ok() || H5Tset_size(mem.get(), H5T_VARIABLE) < 0) return 0;
    H5Tset_cset(mem.get(), H5Tget_cset(type.get()));
    char* buf = nullptr;
    if (H5Aread(attr.get(), mem.get(), &buf) < 0 || buf == nullptr) {
      w.stop(std::string("attribute '") + name + "' cannot be read");
      return 0;
    }
    const std::size_t n = strnlen(buf, static_cast<std::size_t>(w.lim.max_attribute_bytes) + 1);
    if (w.keep(n)) value.assign(buf, n);
    H5free_memory(buf);
    if (w.stopped) return 1;
  } else if (variable == 0) {
    const std::size_t size = H5Tget_size(type.get());
    if (size == 0) return 0;
    if (!w.keep(size)) return 1;
    value.assign(size, '\0');
    Id mem(H5Tcopy(type.get()));
    if (!mem.ok() || H5Aread(attr.get(), mem.get(), value.data()) < 0) {
      w.stop(std::string("attribute '") + name + "' cannot be read");
      return 0;
    }
    value = trim_nul(std::move(value));
  } else {
    return 0;
  }
  char path[4096] = {0};
  H5Iget_name(loc, path, sizeof path);
  w.out.attributes.push_back({path[0] ? path : "/", name, std::move(value)});
  return 0;
}

void attributes_of(hid_t obj, Walk& w) {
  hsize_t idx = 0;
  if (H5Aiterate2(obj, H5_INDEX_NAME, H5_ITER_NATIVE, &idx, on_attribute, &w) < 0 && !w.stopped) {
    w.stop("attributes cannot be listed");
  }
}

void dataset_storage(hid_t dset, const std::string& path, Walk& w) {
  Id dcpl(H5Dget_create_plist(dset));
  if (!dcpl.ok()) return;
  const int n = H5Pget_external_count(dcpl.get());
  for (int k = 0; k < n && k < 1024; ++k) {
    char name[4096] = {0};
    off_t offset = 0;
    hsize_t size = 0;
    if (H5Pget_external(dcpl.get(), static_cast<unsigned>(k), sizeof name, name, &offset, &size) >= 0) {
      w.out.external_storage.push_back({path, std::string(name, strnlen(name, sizeof name)), ""});
    }
  }
  if (H5Pget_layout(dcpl.get()) == H5D_VIRTUAL) {
    size_t count = 0;
    if (H5Pget_virtual_count(dcpl.get(), &count) < 0) return;
    for (size_t k = 0; k < count && k < 1024; ++k) {
      char name[4096] = {0};
      const ssize_t len = H5Pget_virtual_filename(dcpl.get(), k, name, sizeof name);
      if (len > 0 && std::strcmp(name, ".") != 0) {
        w.out.virtual_sources.push_back({path, std::string(name, strnlen(name, sizeof name)), ""});
      }
    }
  }
}

herr_t on_link(hid_t group, const char* name, const H5L_info_t* info, void* data) {
  auto& w = *static_cast<Walk*>(data);
  if (++w.out.objects > w.lim.max_objects) {
    w.stop("more objects than the limit");
    return 1;
  }
  if (info->type == H5L_TYPE_EXTERNAL) {
    const std::size_t size = info->u.val_size;
    if (size == 0 || size > 65536) return 0;
    std::string buf(size, '\0');
    const char* file = nullptr;
    const char* target = nullptr;
    unsigned flags = 0;
    if (H5Lget_val(group, name, buf.data(), size, H5P_DEFAULT) >= 0 &&
        H5Lunpack_elink_val(buf.data(), size, &flags, &file, &target) >= 0 && file && target) {
      w.out.external_links.push_back({name, file, target});
    }
    return 0;
  }
  if (info->type != H5L_TYPE_HARD) return 0;
  Id obj(H5Oopen(group, name, H5P_DEFAULT));
  if (!obj.ok()) {
    w.stop(std::string("object '") + name + "' cannot be opened");
    return 0;
  }
  attributes_of(obj.get(), w);
  if (H5Iget_type(obj.get()) == H5I_DATASET) dataset_storage(obj.get(), name, w);
  return w.stopped ? 1 : 0;
}

std::mutex& library_mutex() {
  static std::mutex m;
  return m;
}

// ---- the child's answer, over a pipe: u64 length-prefixed strings ----
void put(std::string& s, std::uint64_t v) { s.append(reinterpret_cast<const char*>(&v), sizeof v); }
void put(std::string& s, const std::string& v) {
  put(s, static_cast<std::uint64_t>(v.size()));
  s += v;
}

std::string encode(const Content& c) {
  std::string s;
  put(s, c.opened);
  put(s, c.complete);
  put(s, c.error);
  put(s, c.userblock_size);
  put(s, c.objects);
  put(s, c.attributes.size());
  for (const auto& a : c.attributes) {
    put(s, a.object);
    put(s, a.name);
    put(s, a.value);
  }
  for (const auto* list : {&c.external_links, &c.external_storage, &c.virtual_sources}) {
    put(s, list->size());
    for (const auto& r : *list) {
      put(s, r.object);
      put(s, r.file);
      put(s, r.target);
    }
  }
  return s;
}

class Reader {
 public:
  explicit Reader(std::string_view s) : s_(s) {}
  bool u64(std::uint64_t& v) {
    if (s_.size() - pos_ < sizeof v) return ok_ = false;
    std::memcpy(&v, s_.data() + pos_, sizeof v);
    pos_ += sizeof v;
    return true;
  }
  bool str(std::string& v) {
    std::uint64_t n = 0;
    if (!u64(n) || n > s_.size() - pos_) return ok_ = false;
    v.assign(s_.data() + pos_, n);
    pos_ += n;
    return true;
  }
  bool ok() const { return ok_; }

 private:
  std::string_view s_;
  std::size_t pos_ = 0;
  bool ok_ = true;
};

bool decode(std::string_view s, Content& c) {
  Reader r(s);
  std::uint64_t opened = 0, complete = 0, n = 0;
  r.u64(opened);
  r.u64(complete);
  r.str(c.error);
  r.u64(c.userblock_size);
  r.u64(c.objects);
  c.opened = opened != 0;
  c.complete = complete != 0;
  if (!r.u64(n)) return false;
  for (std::uint64_t k = 0; k < n && r.ok(); ++k) {
    Attribute a;
    r.str(a.object);
    r.str(a.name);
    if (r.str(a.value)) c.attributes.push_back(std::move(a));
  }
  for (auto* list : {&c.external_links, &c.external_storage, &c.virtual_sources}) {
    if (!r.u64(n)) return false;
    for (std::uint64_t k = 0; k < n && r.ok(); ++k) {
      ExternalRef e;
      r.str(e.object);
      r.str(e.file);
      if (r.str(e.target)) list->push_back(std::move(e));
    }
  }
  return r.ok();
}

Content read_locked(std::span<const std::uint8_t> data, const ReadLimits& limits) {
  Content out;
  H5Eset_auto2(H5E_DEFAULT, nullptr, nullptr);
  H5PLset_loading_state(0);  // never load filter plugins on behalf of a file
  // DONT_COPY | DONT_RELEASE: the library reads the caller's (mapped, read-only) bytes in place.
  Id file(H5LTopen_file_image(const_cast<std::uint8_t*>(data.data()), data.size(),
                              H5LT_FILE_IMAGE_DONT_COPY | H5LT_FILE_IMAGE_DONT_RELEASE));
  if (!file.ok()) {
    out.error = "libhdf5 cannot open it (not HDF5, or a damaged superblock)";
    return out;
  }
  out.opened = true;
  {
    Id fcpl(H5Fget_create_plist(file.get()));
    hsize_t ub = 0;
    if (fcpl.ok() && H5Pget_userblock(fcpl.get(), &ub) >= 0) out.userblock_size = ub;
  }
  Walk w{limits, out};
  Id root(H5Gopen2(file.get(), "/", H5P_DEFAULT));
  if (!root.ok()) {
    out.error = "the root group cannot be opened";
    return out;
  }
  attributes_of(root.get(), w);
  if (!w.stopped && H5Lvisit(root.get(), H5_INDEX_NAME, H5_ITER_NATIVE, on_link, &w) < 0 && !w.stopped) {
    w.stop("the group tree cannot be walked to the end");
  }
  out.complete = !w.stopped;
  return out;
}

}  // namespace

Content read_in_process(std::span<const std::uint8_t> data, const ReadLimits& limits) {
  if (data.empty()) {
    Content c;
    c.error = "empty file";
    return c;
  }
  std::lock_guard lock(library_mutex());
  return read_locked(data, limits);
}

Content read(std::span<const std::uint8_t> data, const ReadLimits& limits) {
  Content failed;
  if (data.empty()) {
    failed.error = "empty file";
    return failed;
  }
  int fds[2];
  if (pipe2(fds, O_CLOEXEC) != 0) {
    failed.error = "cannot start the HDF5 reader (pipe)";
    return failed;
  }
  const pid_t pid = fork();
  if (pid < 0) {
    close(fds[0]);
    close(fds[1]);
    failed.error = "cannot start the HDF5 reader (fork)";
    return failed;
  }
  if (pid == 0) {
    // The child: a fresh libhdf5 (the parent never calls it), no locks held by other threads.
    close(fds[0]);
    // A lying header makes libhdf5 ask for tens of GiB: cap the child at what it inherited + 2 GiB.
    if (FILE* statm = std::fopen("/proc/self/statm", "r")) {
      unsigned long pages = 0;
      if (std::fscanf(statm, "%lu", &pages) == 1) {
        const rlim_t cap = static_cast<rlim_t>(pages) * static_cast<rlim_t>(sysconf(_SC_PAGESIZE)) + (rlim_t{2} << 30);
        const rlimit lim{cap, cap};
        setrlimit(RLIMIT_AS, &lim);
      }
      std::fclose(statm);
    }
    const std::string msg = encode(read_locked(data, limits));
    for (std::size_t off = 0; off < msg.size();) {
      const ssize_t n = write(fds[1], msg.data() + off, msg.size() - off);
      if (n <= 0) _exit(3);
      off += static_cast<std::size_t>(n);
    }
    _exit(0);
  }
  close(fds[1]);
  std::string msg;
  const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(limits.timeout_seconds);
  bool timed_out = false;
  char buf[65536];
  while (true) {
    const auto left = std::chrono::duration_cast<std::chrono::milliseconds>(deadline - std::chrono::steady_clock::now()).count();
    if (left <= 0) {
      timed_out = true;
      break;
    }
    pollfd p{fds[0], POLLIN, 0};
    const int r = poll(&p, 1, static_cast<int>(std::min<long long>(left, 1000)));
    if (r < 0 && errno == EINTR) continue;
    if (r <= 0) continue;
    const ssize_t n = ::read(fds[0], buf, sizeof buf);
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) break;
    msg.append(buf, static_cast<std::size_t>(n));
    if (msg.size() > limits.max_total_bytes + (64u << 20)) {
      timed_out = true;  // more than any honest answer: stop listening
      break;
    }
  }
  close(fds[0]);
  if (timed_out) kill(pid, SIGKILL);
  int status = 0;
  while (waitpid(pid, &status, 0) < 0 && errno == EINTR) {
  }
  if (timed_out) {
    failed.error = "libhdf5 did not finish within " + std::to_string(limits.timeout_seconds) + " s";
    return failed;
  }
  if (WIFSIGNALED(status)) {
    failed.error = "libhdf5 crashed on this file (signal " + std::to_string(WTERMSIG(status)) + ")";
    return failed;
  }
  Content c;
  if (!WIFEXITED(status) || WEXITSTATUS(status) != 0 || !decode(msg, c)) {
    failed.error = "the HDF5 reader did not answer";
    return failed;
  }
  return c;
}

}  // namespace mg::hdf5
