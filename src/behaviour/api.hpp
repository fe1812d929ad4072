// What library calls do, for the behaviour model: which read secrets or the network, which decode,
// which start processes, send data, write files, load native code, run code, or register a
// callback. Looked up by the callee's resolved dotted name, then by method name for receivers the
// file does not name (a session, a socket, an open file).
#pragma once
#include <cstdint>
#include <string_view>

namespace mg::behaviour {

enum class Api : std::uint8_t {
  none,
  env_get,        // os.getenv(key)
  env_whole,      // os.environ.items(), .copy()
  secret_call,    // returns a credential (HF token, keyring)
  user_input,     // input(), sys.stdin.read()
  system_info,    // platform.node(), getpass.getuser()
  open_file,      // open(path, mode)
  path_read,      // Path(...).read_text()
  path_write,     // Path(...).write_text(data)
  list_dir,       // os.listdir(path), glob.glob(pattern)
  decoder,        // base64/hex/zlib/... : data comes out decoded
  http,           // requests.post(url, data=...): data leaves, a response comes back
  download_file,  // urlretrieve(url, path)
  socket_new,     // socket.socket()
  socket_connect, // socket.create_connection(addr)
  dns,            // socket.gethostbyname(name): the name leaves as a query
  mail,           // smtplib.SMTP(...).sendmail
  process,        // os.system, subprocess.*
  dup2,           // os.dup2(fd, 0..2)
  exec,           // exec/eval/compile/runpy
  import_code,    // importlib.import_module(name), imp.load_source(name, path)
  deserialize,    // pickle.loads, marshal.loads, yaml.load, torch.load
  native_load,    // ctypes.CDLL, torch.ops.load_library, cpp_extension.load
  chmod,          // os.chmod(path, mode)
  copy_file,      // shutil.copy(src, dst)
  capture,        // clipboard, screenshots, keyboard hooks
  callback,       // threading.Thread(target=f), atexit.register(f)
  registry_write, // winreg.SetValueEx
  pip_main,       // pip.main([...]) / pip._internal.main
  inject,         // kernel32.WriteProcessMemory / CreateRemoteThread: code written into another process
};

// By the resolved callee ("subprocess.Popen", "os.environ.get", "eval").
Api api_of(std::string_view callee);
// By the method name alone, for receivers of unknown type (`sess.post`, `sock.sendall`, `f.write`):
// only names specific enough to mean one thing.
Api api_of_method(std::string_view method);

// Constructors of HTTP sessions and clients (their methods send).
bool is_http_client(std::string_view callee);

// Methods that move data without naming a library: socket and file I/O on an object the file built.
bool is_socket_send(std::string_view method);  // send, sendall, sendto
bool is_socket_recv(std::string_view method);  // recv, recvfrom, recv_into
bool is_file_write(std::string_view method);   // write, writelines

}  // namespace mg::behaviour
