#include "source/hub/remote_files.hpp"

#include <openssl/evp.h>
#include <sys/stat.h>

#include <algorithm>

#include "core/hash.hpp"
#include "core/text.hpp"

namespace mg::hub {

namespace {

constexpr std::uint64_t kWholeAlways = 1u << 20;   // any file up to this is fetched whole
constexpr std::uint64_t kRefetchChunk = 64u << 10;  // pages a parser read unfetched grow to this

// Files the engines read whole when small enough: code, configs, templates, documents.
bool text_name(std::string_view path) {
  const auto base = basename(path);
  const auto dot = base.rfind('.');
  if (dot == std::string_view::npos || dot == 0) return false;
  const std::string ext = to_lower(base.substr(dot + 1));
  for (const char* e : {"py", "pyi", "pyw", "pyx", "pxd", "pxi", "ipynb", "sh", "bash", "zsh", "bat", "cmd", "ps1", "js", "mjs", "cjs",
                        "rb", "pl", "lua", "json", "yaml", "yml", "toml", "cfg", "ini", "conf", "jinja", "jinja2", "j2", "env", "md",
                        "rst", "txt", "template", "csv", "tsv"}) {
    if (ext == e) return true;
  }
  return false;
}

class Fetcher final : public RangeFetcher {
 public:
  Fetcher(HubFiles& files, RemoteFile& f) : files_(files), f_(f) {}
  Result<bool> fetch(const Ranges& ranges) override { return files_.fetch_ranges(f_, ranges); }

 private:
  HubFiles& files_;
  RemoteFile& f_;
};

}  // namespace

std::string git_blob_sha1(std::string_view bytes) {
  const std::string header = "blob " + std::to_string(bytes.size()) + std::string(1, '\0');
  EVP_MD_CTX* ctx = EVP_MD_CTX_new();
  unsigned char digest[EVP_MAX_MD_SIZE];
  unsigned int len = 0;
  EVP_DigestInit_ex(ctx, EVP_sha1(), nullptr);
  EVP_DigestUpdate(ctx, header.data(), header.size());
  EVP_DigestUpdate(ctx, bytes.data(), bytes.size());
  EVP_DigestFinal_ex(ctx, digest, &len);
  EVP_MD_CTX_free(ctx);
  static constexpr char kHex[] = "0123456789abcdef";
  std::string out;
  for (unsigned i = 0; i < len; ++i) {
    out += kHex[digest[i] >> 4];
    out += kHex[digest[i] & 15];
  }
  return out;
}

Transfer HubFiles::transfer() const {
  Transfer t = transfer_;
  if (http_) {
    t.fetched_bytes = http_->stats().body_bytes;
    t.requests = http_->stats().requests;
  }
  return t;
}

Result<bool> HubFiles::fetch_ranges(RemoteFile& f, const Ranges& ranges) {
  for (const auto& [a, e] : ranges) {
    for (auto& [off, bytes] : cache_.ranges(f.key, a, e)) {
      if (off % SparseBlob::kPage != 0) continue;
      if (!f.blob->missing(off, off + bytes.size()).empty()) {
        f.blob->fill(off, reinterpret_cast<const std::uint8_t*>(bytes.data()), bytes.size());
        transfer_.cached_bytes += bytes.size();
      }
    }
    for (const auto& [ma, me] : f.blob->missing(a, e)) {
      if (offline_) return make_error(offline_why_ + " and bytes " + std::to_string(ma) + "-" + std::to_string(me) + " are not in the cache");
      // Ranges of an LFS file go straight to where the hub redirected the first one (a signed
      // CDN address), and back through the hub if that address has expired.
      auto r = http_->get({f.resolved.empty() ? f.url : f.resolved, ma, me, me - ma});
      if (!f.resolved.empty() && (!r || r->status == 401 || r->status == 403 || r->status == 404 || r->status == 410)) {
        f.resolved.clear();
        r = http_->get({f.url, ma, me, me - ma});
      }
      if (r && !r->redirects.empty()) f.resolved = r->url;
      if (!r) return make_error("range " + std::to_string(ma) + "-" + std::to_string(me) + ": " + r.error().message);
      if (r->status == 200 && r->body.size() == f.blob->size() && ma == 0) {
        // A server that ignores Range on a small file: the whole body is as good.
        f.blob->fill(0, reinterpret_cast<const std::uint8_t*>(r->body.data()), r->body.size());
        continue;
      }
      if (r->status != 206) return make_error(status_error_(*r, "range request"));
      const std::string expect = "bytes " + std::to_string(ma) + "-" + std::to_string(me - 1) + "/" + std::to_string(f.blob->size());
      if (to_lower(r->header("content-range")) != expect || r->body.size() != me - ma) {
        return make_error("the server answered range " + std::to_string(ma) + "-" + std::to_string(me - 1) + " with '" +
                          sanitize_utf8(r->header("content-range").substr(0, 80)) + "' and " + std::to_string(r->body.size()) +
                          " bytes: the file's size or content is not what the listing says");
      }
      f.blob->fill(ma, reinterpret_cast<const std::uint8_t*>(r->body.data()), r->body.size());
      cache_.put_range(f.key, ma, r->body);
    }
  }
  return true;
}

bool HubFiles::fetch_missing(std::vector<Incomplete>& incomplete) {
  bool added = false;
  for (auto& f : files) {
    const auto touched = f.blob->touched_unfetched();
    if (touched.empty()) continue;
    Ranges grow;
    std::uint64_t bytes = 0;
    for (const auto& [a, e] : touched) {
      grow.emplace_back(a, std::min<std::uint64_t>(f.blob->size(), std::max(e, a + kRefetchChunk + f.refetched / 2)));
    }
    grow = coalesce(std::move(grow), f.blob->size(), 0);
    for (const auto& [a, e] : grow) bytes += e - a;
    if (f.refetched + bytes > limits_.max_archive_member_bytes) {
      incomplete.push_back({f.path, "the parsers read more of this remote file than the " +
                                        std::to_string(limits_.max_archive_member_bytes >> 20) + " MiB fetched for it"});
      continue;
    }
    f.refetched += bytes;
    if (auto r = fetch_ranges(f, grow); !r) {
      incomplete.push_back({f.path, "cannot fetch: " + r.error().message});
      continue;
    }
    added = true;
  }
  if (added) ++transfer_.rounds;
  return added;
}

void add_listed_files(Snapshot& snap, const std::shared_ptr<HubFiles>& files, const std::vector<ListedFile>& listed,
                      const ListedSource& source, const Limits& limits) {
  Cache& cache = files->cache_;
  const bool offline = files->offline_;
  for (const auto& lf : listed) {
    files->transfer_.repository_bytes += lf.size;
    const std::string key = !lf.lfs_sha256.empty() ? "sha256-" + lf.lfs_sha256 : !lf.oid.empty() ? "git-" + lf.oid : "";
    if (source.local) {
      if (const std::string local = source.local(lf); !local.empty()) {
        snap.files.push_back(FileEntry{lf.path, lf.size, local, -1, {}, false});
        files->transfer_.local_bytes += lf.size;
        continue;
      }
    }
    const std::string url = source.url(lf);
    if (lf.size == 0) {
      snap.members.push_back(std::make_shared<OwnedBlob>(std::vector<std::uint8_t>{}));
      snap.files.push_back(FileEntry{lf.path, 0, {}, static_cast<int>(snap.members.size() - 1), {}, false});
      continue;
    }
    const bool whole = lf.size <= kWholeAlways || (text_name(lf.path) && lf.size <= limits.max_yara_file_bytes);
    if (whole) {
      if (auto path = cache.object(key); path && !key.empty()) {
        snap.files.push_back(FileEntry{lf.path, lf.size, *path, -1, {}, false});
        files->transfer_.cached_bytes += lf.size;
        continue;
      }
      if (offline) {
        snap.incomplete.push_back({lf.path, files->offline_why_ + " and not in the cache: not scanned"});
        continue;
      }
      auto r = files->http_->get({url, 0, 0, lf.size});
      if (!r) {
        snap.incomplete.push_back({lf.path, "cannot fetch: " + r.error().message});
        continue;
      }
      if (r->status != 200) {
        snap.incomplete.push_back({lf.path, files->status_error_(*r, "cannot fetch")});
        continue;
      }
      if (r->body.size() != lf.size) {
        snap.incomplete.push_back({lf.path, "the server sent " + std::to_string(r->body.size()) + " bytes, the listing says " +
                                                std::to_string(lf.size) + ": not scanned"});
        continue;
      }
      const bool sha256_ok = lf.lfs_sha256.empty() || sha256_hex(r->body) == lf.lfs_sha256;
      const bool git_ok = !lf.lfs_sha256.empty() || lf.oid.empty() || git_blob_sha1(r->body) == lf.oid;
      if (!sha256_ok || !git_ok) {
        snap.incomplete.push_back({lf.path, std::string("content does not match the listing's ") + (sha256_ok ? "git blob id" : "sha256") +
                                                ": not scanned"});
        continue;
      }
      if (auto path = key.empty() ? std::nullopt : cache.put_object(key, r->body)) {
        snap.files.push_back(FileEntry{lf.path, lf.size, *path, -1, {}, false});
      } else {
        snap.members.push_back(std::make_shared<OwnedBlob>(std::vector<std::uint8_t>(r->body.begin(), r->body.end())));
        snap.files.push_back(FileEntry{lf.path, lf.size, {}, static_cast<int>(snap.members.size() - 1), {}, false});
      }
      continue;
    }
    auto blob = SparseBlob::create(lf.size);
    if (!blob) {
      snap.incomplete.push_back({lf.path, blob.error().message});
      continue;
    }
    RemoteFile rf{lf.path, url, key, *blob, {}, 0};
    Fetcher fetcher(*files, rf);
    auto planned = plan_and_fetch(**blob, fetcher, lf.path, limits);
    if (!planned) {
      snap.incomplete.push_back({lf.path, "cannot fetch: " + planned.error().message});
      continue;
    }
    if (!planned->note.empty()) snap.incomplete.push_back({lf.path, planned->note});
    snap.members.push_back(*blob);
    snap.files.push_back(FileEntry{lf.path, lf.size, {}, static_cast<int>(snap.members.size() - 1), {}, false});
    files->files.push_back(std::move(rf));
  }
  snap.sort_files();
  snap.remote = files;
}

}  // namespace mg::hub
