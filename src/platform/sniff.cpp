#include "platform/sniff.hpp"

#include <zlib.h>

#include <algorithm>
#include <cstring>

#include "core/text.hpp"
#include "formats/lz4_frame.hpp"

namespace mg {

namespace {

std::uint16_t le16(const std::uint8_t* p) { return static_cast<std::uint16_t>(p[0] | (p[1] << 8)); }
std::uint32_t le32(const std::uint8_t* p) { return static_cast<std::uint32_t>(le16(p)) | (static_cast<std::uint32_t>(le16(p + 2)) << 16); }
std::uint64_t le64(const std::uint8_t* p) { return static_cast<std::uint64_t>(le32(p)) | (static_cast<std::uint64_t>(le32(p + 4)) << 32); }

bool has_prefix(std::span<const std::uint8_t> b, std::string_view magic) {
  return b.size() >= magic.size() && std::memcmp(b.data(), magic.data(), magic.size()) == 0;
}

// The pickled magic number that opens a legacy (pre-1.6) torch.save file.
constexpr std::uint8_t kTorchLegacyMagic[] = {0x80, 0x02, 0x8a, 0x0a, 0x6c, 0xfc, 0x9c, 0x46, 0xf9, 0x20, 0x6a, 0xa8, 0x50, 0x19};

bool is_ident_line(std::string_view s) {
  return !s.empty() && std::all_of(s.begin(), s.end(), [](char c) { return std::isalnum(static_cast<unsigned char>(c)) || c == '_' || c == '.'; });
}

// Protocol 0/1 pickles have no magic: recognise the opcode shapes they start with, and the STOP.
bool looks_like_old_pickle(std::span<const std::uint8_t> b) {
  if (b.size() < 4) return false;
  std::size_t end = b.size();
  while (end > 0 && (b[end - 1] == '\n' || b[end - 1] == '\r')) --end;
  if (end == 0 || b[end - 1] != '.') return false;
  const std::string_view s(reinterpret_cast<const char*>(b.data()), std::min<std::size_t>(b.size(), 256));
  switch (s[0]) {
    case 'c': {  // GLOBAL "module\nname\n"
      const auto nl1 = s.find('\n');
      const auto nl2 = nl1 == std::string_view::npos ? nl1 : s.find('\n', nl1 + 1);
      return nl2 != std::string_view::npos && is_ident_line(s.substr(1, nl1 - 1)) && is_ident_line(s.substr(nl1 + 1, nl2 - nl1 - 1));
    }
    case '(':  // MARK then a container/global/constant opcode
      return std::string_view("dlctSIVNFL(]}").find(s[1]) != std::string_view::npos && (s[1] != 'd' || s[2] == 'p' || s[2] == '(' || s[2] == 'S' || s[2] == 'V' || s[2] == 'I');
    case ']':
    case '}':  // EMPTY_LIST / EMPTY_DICT then a memo PUT (protocol 1: 'q', protocol 0: 'p')
      return s[1] == 'q' || (s[1] == 'p' && std::isdigit(static_cast<unsigned char>(s[2])));
    default:
      return false;
  }
}

// First bytes of a zlib or gzip stream, inflated (bounded), to see whether a pickle is inside.
std::vector<std::uint8_t> inflate_head(std::span<const std::uint8_t> b, int window_bits) {
  std::vector<std::uint8_t> out(64);
  z_stream zs{};
  if (inflateInit2(&zs, window_bits) != Z_OK) return {};
  zs.next_in = const_cast<Bytef*>(b.data());
  zs.avail_in = static_cast<uInt>(std::min<std::size_t>(b.size(), 1 << 16));
  zs.next_out = out.data();
  zs.avail_out = static_cast<uInt>(out.size());
  inflate(&zs, Z_SYNC_FLUSH);
  out.resize(out.size() - zs.avail_out);
  inflateEnd(&zs);
  return out;
}

bool is_pickle_magic(std::span<const std::uint8_t> b) { return b.size() >= 2 && b[0] == 0x80 && b[1] >= 2 && b[1] <= 5; }

std::string classify_zip(std::span<const std::uint8_t> bytes, std::string_view name) {
  const auto names = zip_member_names(bytes);
  bool pkl = false, data_pkl = false, code = false, constants = false, keras_cfg = false, keras_meta = false, schema = false;
  bool all_npy = !names.empty();
  for (const auto& n : names) {
    const auto base = basename(n);
    if (ends_with(n, ".pkl") || ends_with(n, ".pickle")) pkl = true;
    if (base == "data.pkl") data_pkl = true;
    if (base == "constants.pkl") constants = true;
    if (n.find("/code/") != std::string::npos || starts_with(n, "code/")) code = true;
    if (n == "config.json") keras_cfg = true;
    if (n == "metadata.json") keras_meta = true;
    if (n == "schema.json") schema = true;
    if (!ends_with(n, ".npy") && !ends_with(n, "/")) all_npy = false;
  }
  if (code && constants) return "torchscript";
  if (data_pkl) return "pytorch-zip";
  if (keras_cfg && (keras_meta || ends_with(to_lower(name), ".keras"))) return "keras";
  if (schema && ends_with(to_lower(name), ".skops")) return "skops";
  if (all_npy) return "numpy";
  if (pkl) return "zip";
  return "";
}

}  // namespace

std::vector<std::string> zip_member_names(std::span<const std::uint8_t> b, std::size_t max_names) {
  std::vector<std::string> names;
  if (b.size() < 22) return names;
  // End of central directory: within the last 64 KiB + 22 bytes (comment length is 16 bits).
  const std::size_t lo = b.size() > 65557 ? b.size() - 65557 : 0;
  std::size_t eocd = std::string::npos;
  for (std::size_t i = b.size() - 22 + 1; i-- > lo;) {
    if (le32(&b[i]) == 0x06054b50) {
      eocd = i;
      break;
    }
  }
  if (eocd == std::string::npos) return names;
  std::uint64_t count = le16(&b[eocd + 10]);
  std::uint64_t offset = le32(&b[eocd + 16]);
  if ((offset == 0xFFFFFFFF || count == 0xFFFF) && eocd >= 20 && le32(&b[eocd - 20]) == 0x07064b50) {
    const std::uint64_t z64 = le64(&b[eocd - 20 + 8]);  // zip64 end-of-central-directory record
    if (z64 <= b.size() - 56 && le32(&b[z64]) == 0x06064b50) {
      count = le64(&b[z64 + 32]);
      offset = le64(&b[z64 + 48]);
    }
  }
  std::uint64_t p = offset;
  for (std::uint64_t i = 0; i < count && names.size() < max_names; ++i) {
    if (p > b.size() || b.size() - p < 46 || le32(&b[p]) != 0x02014b50) break;
    const std::uint64_t n = le16(&b[p + 28]), extra = le16(&b[p + 30]), comment = le16(&b[p + 32]);
    if (b.size() - p - 46 < n) break;
    names.emplace_back(reinterpret_cast<const char*>(&b[p + 46]), n);
    p += 46 + n + extra + comment;
  }
  return names;
}

bool needs_whole_file(std::span<const std::uint8_t> head) {
  return has_prefix(head, "PK\x03\x04") || has_prefix(head, "PK\x05\x06") ||
         (!head.empty() && std::string_view("c(]}").find(static_cast<char>(head[0])) != std::string_view::npos);
}

std::string sniff_format(std::span<const std::uint8_t> b, std::string_view name) { return sniff_format(b, name, b.size()); }

std::string sniff_format(std::span<const std::uint8_t> b, std::string_view name, std::uint64_t file_size) {
  if (b.size() < 8 || file_size < b.size()) return "";
  if (has_prefix(b, std::string_view(reinterpret_cast<const char*>(kTorchLegacyMagic), sizeof kTorchLegacyMagic))) return "pytorch-legacy";
  {  // safetensors: u64 header length, then a JSON object. Before the pickle test: a header of
     // 640 bytes starts 80 02, like a protocol-2 pickle.
    const std::uint64_t n = le64(b.data());
    if (n >= 2 && n <= file_size - 8 && b[8] == '{') return "safetensors";
  }
  if (is_pickle_magic(b)) return "pickle";
  if (has_prefix(b, "PK\x03\x04") || has_prefix(b, "PK\x05\x06")) return classify_zip(b, name);
  if (has_prefix(b, "\x93NUMPY")) {
    const std::string_view head(reinterpret_cast<const char*>(b.data()), std::min<std::size_t>(b.size(), 4096));
    // Object dtypes, plain ('|O') or as a field of a structured dtype.
    return head.find("|O'") != std::string_view::npos || head.find("'O'") != std::string_view::npos ? "numpy-object" : "numpy";
  }
  if (has_prefix(b, "GGUF")) return "gguf";
  if (has_prefix(b, "\x89HDF\r\n\x1a\n")) return "hdf5";
  if (has_prefix(b, "7z\xBC\xAF\x27\x1C")) return "7z";
  if (b.size() > 262 && std::memcmp(&b[257], "ustar", 5) == 0) return "tar";
  const std::string lname = to_lower(name);
  if (b[0] == 0x78 && (b[0] * 256 + b[1]) % 31 == 0 && is_pickle_magic(inflate_head(b, 15))) return "joblib";
  if (b[0] == 0x1f && b[1] == 0x8b && is_pickle_magic(inflate_head(b, 31))) return "joblib";
  // joblib's lz4 compressor: an LZ4 frame holding a pickle, whatever the file is called.
  if (lz4::is_frame(b) && is_pickle_magic(lz4::decompress(b.subspan(0, std::min<std::size_t>(b.size(), 1 << 16)), 64).bytes)) {
    return "joblib";
  }
  if (ends_with(lname, ".joblib") &&
      (has_prefix(b, "BZh") || has_prefix(b, "\xFD" "7zXZ") || has_prefix(b, std::string_view("\x5d\x00\x00", 3)) || has_prefix(b, "\x04\x22\x4d\x18"))) {
    return "joblib";
  }
  if (ends_with(lname, ".onnx") && b[0] == 0x08) return "onnx";
  if (basename(lname) == "saved_model.pb" || basename(lname) == "keras_metadata.pb") return "tf-savedmodel";
  if (looks_like_old_pickle(b)) return "pickle";
  return "";
}

std::string_view loader_for_format(std::string_view format, std::string_view name) {
  const auto base = basename(name);
  if (base == ".msc" || base == ".mdl") return "modelscope cache (pickle.load)";
  if (format == "pickle") return "torch.load / pickle.load";
  if (format == "pytorch-zip" || format == "pytorch-legacy") return "torch.load";
  if (format == "torchscript") return "torch.jit.load";
  if (format == "numpy" || format == "numpy-object") return "numpy.load";
  if (format == "joblib") return "joblib.load";
  if (format == "keras" || format == "hdf5") return "keras.models.load_model";
  if (format == "safetensors") return "safetensors";
  if (format == "gguf") return "llama.cpp / transformers (gguf_file)";
  if (format == "onnx") return "onnxruntime";
  if (format == "tf-savedmodel") return "tf.saved_model.load";
  if (format == "skops") return "skops.io.load";
  if (format == "tar" || format == "7z" || format == "zip") return "archive extraction";
  return "unknown";
}

}  // namespace mg
