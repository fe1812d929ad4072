#include "behaviour/api.hpp"

#include <string>
#include <unordered_map>

namespace mg::behaviour {

namespace {

using Table = std::unordered_map<std::string_view, Api>;

const Table& table() {
  static const Table t = [] {
    Table m;
    auto add = [&](Api a, std::initializer_list<std::string_view> names) {
      for (auto n : names) m.emplace(n, a);
    };
    add(Api::env_get, {"os.getenv", "os.environ.get", "os.environ.setdefault", "os.environ.pop", "environ.get", "getenv",
                       "os.environb.get", "posix.environ.get"});
    add(Api::env_whole, {"os.environ.copy", "os.environ.items", "os.environ.values", "os.environ.keys", "os.environ.__repr__",
                         "os.environ.__str__", "os.environ._data.items", "environ.items", "environ.copy"});
    add(Api::secret_call, {"huggingface_hub.get_token", "huggingface_hub.HfFolder.get_token", "HfFolder.get_token",
                           "huggingface_hub.utils.get_token", "huggingface_hub.constants.HF_TOKEN_PATH", "keyring.get_password",
                           "keyring.get_credential", "browser_cookie3.load", "browser_cookie3.chrome", "browser_cookie3.firefox",
                           "win32crypt.CryptUnprotectData", "boto3.Session.get_credentials", "botocore.session.get_session"});
    add(Api::user_input, {"input", "raw_input", "sys.stdin.read", "sys.stdin.readline", "sys.stdin.readlines", "getpass.getpass"});
    add(Api::system_info, {"platform.node", "platform.uname", "platform.platform", "platform.system", "platform.release",
                           "platform.version", "os.getcwd", "platform.machine", "platform.processor", "platform.architecture",
                           "socket.gethostname", "socket.getfqdn", "os.uname", "getpass.getuser", "os.getlogin", "uuid.getnode",
                           "os.getuid", "os.geteuid", "psutil.users", "psutil.net_if_addrs", "netifaces.interfaces",
                           "netifaces.ifaddresses", "locale.getdefaultlocale", "sys.platform", "os.cpu_count",
                           "psutil.virtual_memory", "platform.python_version", "getmac.get_mac_address", "os.getlogin"});
    add(Api::open_file, {"open", "io.open", "codecs.open", "io.FileIO", "os.fdopen", "gzip.open", "bz2.open", "lzma.open"});
    add(Api::path_read, {"pathlib.Path.read_text", "pathlib.Path.read_bytes", "Path.read_text", "Path.read_bytes"});
    add(Api::list_dir, {"os.listdir", "os.scandir", "os.walk", "glob.glob", "glob.iglob", "pathlib.Path.glob", "pathlib.Path.rglob",
                        "pathlib.Path.iterdir"});
    add(Api::decoder, {"base64.b64decode", "base64.b32decode", "base64.b16decode", "base64.a85decode", "base64.b85decode",
                       "base64.decodebytes", "base64.decodestring", "base64.urlsafe_b64decode", "base64.standard_b64decode",
                       "b64decode", "urlsafe_b64decode", "zlib.decompress", "gzip.decompress", "bz2.decompress",
                       "lzma.decompress", "codecs.decode", "binascii.unhexlify", "binascii.a2b_base64", "binascii.a2b_hex",
                       "binascii.a2b_uu", "bytes.fromhex", "bytearray.fromhex", "unhexlify", "chr", "codecs.getdecoder",
                       "cryptography.fernet.Fernet.decrypt", "Fernet.decrypt", "stegano.lsb.reveal", "lsb.reveal",
                       "stegano.exifHeader.reveal", "stegano.red.reveal", "steganography.steganography.Steganography.decode",
                       "Crypto.Cipher.AES.new.decrypt", "rsa.decrypt", "zlib.decompressobj"});
    add(Api::http, {"requests.get", "requests.post", "requests.put", "requests.patch", "requests.delete", "requests.head",
                    "requests.options", "requests.request", "requests.api.request", "requests.Session.get", "requests.Session.post",
                    "httpx.get", "httpx.post", "httpx.put", "httpx.patch", "httpx.request", "httpx.stream",
                    "urllib.request.urlopen", "urllib.urlopen", "urllib2.urlopen", "urlopen", "urllib.request.Request",
                    "urllib2.Request", "urllib3.request", "urllib3.PoolManager.request", "aiohttp.request", "pycurl.Curl",
                    "http.client.HTTPConnection", "http.client.HTTPSConnection", "httplib.HTTPConnection", "httplib.HTTPSConnection",
                    "websocket.create_connection", "urllib3.Request", "urllib3.PoolManager.urlopen", "websockets.connect", "xmlrpc.client.ServerProxy", "telnetlib.Telnet",
                    "ftplib.FTP", "ftplib.FTP_TLS", "paramiko.SSHClient.connect", "discord_webhook.DiscordWebhook",
                    "webbrowser.open"});
    add(Api::download_file, {"urllib.request.urlretrieve", "urllib.urlretrieve", "urlretrieve", "wget.download", "gdown.download"});
    add(Api::socket_new, {"socket.socket", "socket.socketpair", "socket.fromfd", "ssl.wrap_socket"});
    add(Api::socket_connect, {"socket.create_connection", "asyncio.open_connection", "ssl.create_connection"});
    add(Api::dns, {"socket.gethostbyname", "socket.gethostbyname_ex", "socket.getaddrinfo", "socket.gethostbyaddr",
                   "dns.resolver.resolve", "dns.resolver.query", "dns.resolver.Resolver.resolve", "dns.resolver.Resolver.query"});
    add(Api::mail, {"smtplib.SMTP", "smtplib.SMTP_SSL"});
    add(Api::process, {"os.system", "os.popen", "os.popen2", "os.popen3", "os.popen4", "subprocess.Popen", "subprocess.call",
                       "subprocess.run", "subprocess.check_call", "subprocess.check_output", "subprocess.getoutput",
                       "subprocess.getstatusoutput", "os.execl", "os.execle", "os.execlp", "os.execlpe", "os.execv",
                       "os.execve", "os.execvp", "os.execvpe", "os.spawnl", "os.spawnle", "os.spawnlp", "os.spawnlpe",
                       "os.spawnv", "os.spawnve", "os.spawnvp", "os.spawnvpe", "os.posix_spawn", "os.posix_spawnp",
                       "pty.spawn", "commands.getoutput", "commands.getstatusoutput", "asyncio.create_subprocess_shell",
                       "asyncio.create_subprocess_exec", "os.startfile", "popen2.popen2", "sh.Command", "pexpect.spawn",
                       "pexpect.run", "win32api.ShellExecute", "ctypes.windll.shell32.ShellExecuteW",
                       "Popen"});  // an unimported Popen is still subprocess's
    add(Api::dup2, {"os.dup2", "os.dup"});
    add(Api::exec, {"exec", "eval", "compile", "execfile", "runpy.run_path", "runpy.run_module", "code.interact",
                    "code.InteractiveInterpreter.runsource", "code.InteractiveInterpreter.runcode", "types.FunctionType",
                    "types.CodeType", "timeit.timeit"});
    add(Api::import_code, {"__import__", "importlib.import_module", "importlib.__import__", "imp.load_source", "imp.load_module",
                           "imp.load_compiled", "importlib.util.spec_from_file_location", "importlib.machinery.SourceFileLoader",
                           "importlib.machinery.SourcelessFileLoader", "zipimport.zipimporter"});
    add(Api::deserialize, {"pickle.loads", "pickle.load", "cPickle.loads", "cPickle.load", "_pickle.loads", "_pickle.load",
                           "pickle.Unpickler", "dill.loads", "dill.load", "cloudpickle.loads", "cloudpickle.load",
                           "marshal.loads", "marshal.load", "joblib.load", "torch.load", "yaml.load", "yaml.unsafe_load",
                           "yaml.full_load", "jsonpickle.decode", "shelve.open", "pandas.read_pickle", "numpy.load",
                           "np.load", "keras.models.load_model", "tf.keras.models.load_model"});
    add(Api::native_load, {"ctypes.CDLL", "ctypes.cdll.LoadLibrary", "ctypes.WinDLL", "ctypes.windll.LoadLibrary", "ctypes.PyDLL",
                           "ctypes.OleDLL", "ctypes.LibraryLoader", "cdll.LoadLibrary", "CDLL", "cffi.FFI.dlopen",
                           "torch.ops.load_library", "torch.classes.load_library", "torch.utils.cpp_extension.load",
                           "torch.utils.cpp_extension.load_inline", "cpp_extension.load", "cpp_extension.load_inline",
                           "_ctypes.dlopen", "ctypes.util.find_library.__call__"});
    add(Api::chmod, {"os.chmod", "os.fchmod", "os.lchmod", "pathlib.Path.chmod"});
    add(Api::copy_file, {"shutil.copy", "shutil.copy2", "shutil.copyfile", "shutil.move", "os.rename", "os.replace", "os.symlink",
                         "os.link", "shutil.copyfileobj"});
    add(Api::capture, {"pyperclip.paste", "pyperclip.waitForNewPaste", "win32clipboard.GetClipboardData", "clipboard.paste",
                       "PIL.ImageGrab.grab", "PIL.ImageGrab.grabclipboard", "ImageGrab.grab", "ImageGrab.grabclipboard",
                       "pyautogui.screenshot", "pyscreenshot.grab", "mss.mss", "mss.mss.grab", "mss.mss.shot",
                       "pynput.keyboard.Listener", "keyboard.on_press", "keyboard.on_release", "keyboard.hook",
                       "keyboard.record", "keyboard.read_key", "keyboard.read_event", "keyboard.start_recording",
                       "pynput.mouse.Listener",
                       "win32api.GetAsyncKeyState", "ctypes.windll.user32.GetAsyncKeyState", "tkinter.Tk.clipboard_get",
                       "pyperclip.copy", "clipboard.copy", "win32clipboard.SetClipboardText", "win32clipboard.OpenClipboard",
                       "pandas.read_clipboard", "pd.read_clipboard", "pyautogui.screenshot", "pyscreenshot.grab_to_file",
                       "d3dshot.create.screenshot"});
    add(Api::callback, {"threading.Thread", "threading.Timer", "atexit.register", "signal.signal", "weakref.finalize",
                        "multiprocessing.Process", "_thread.start_new_thread", "thread.start_new_thread", "sched.scheduler.enter",
                        "asyncio.get_event_loop.call_later", "sys.settrace", "sys.setprofile", "threading.settrace"});
    add(Api::registry_write, {"winreg.SetValueEx", "winreg.SetValue", "_winreg.SetValueEx", "_winreg.SetValue",
                              "win32api.RegSetValueEx"});
    add(Api::pip_main, {"pip.main", "pip._internal.main", "pip._internal.cli.main.main", "pip._internal.main.main"});
    return m;
  }();
  return t;
}

const Table& methods() {
  static const Table t = [] {
    Table m;
    m.emplace("post", Api::http);  // session and client objects; put/patch only on known clients (queues put)
    for (auto n : {"urlopen", "urlretrieve"}) m.emplace(n, std::string_view(n) == "urlopen" ? Api::http : Api::download_file);
    for (auto n : {"sendmail", "send_message", "storbinary", "storlines"}) m.emplace(n, Api::mail);
    for (auto n : {"read_text", "read_bytes"}) m.emplace(n, Api::path_read);
    for (auto n : {"write_text", "write_bytes"}) m.emplace(n, Api::path_write);
    for (auto n : {"clipboard_get", "clipboard_append", "grabclipboard", "screenshot", "to_clipboard", "read_clipboard"}) m.emplace(n, Api::capture);
    for (auto n : {"dlopen", "LoadLibrary", "load_library"}) m.emplace(n, Api::native_load);
    for (auto n : {"exec_module", "load_module"}) m.emplace(n, Api::import_code);
    m.emplace("submit", Api::callback);
    m.emplace("run_in_executor", Api::callback);
    m.emplace("call_later", Api::callback);
    m.emplace("add_done_callback", Api::callback);
    m.emplace("get_password", Api::secret_call);
    m.emplace("decrypt", Api::decoder);
    for (auto n : {"WriteProcessMemory", "CreateRemoteThread", "VirtualAllocEx", "NtCreateThreadEx", "QueueUserAPC", "RtlCreateUserThread"}) {
      m.emplace(n, Api::inject);  // Windows process injection through ctypes
    }
    m.emplace("reveal", Api::decoder);  // steganography readers
    m.emplace("get_credentials", Api::secret_call);
    return m;
  }();
  return t;
}

}  // namespace

Api api_of(std::string_view callee) {
  const auto& t = table();
  if (auto it = t.find(callee); it != t.end()) return it->second;
  return Api::none;
}

Api api_of_method(std::string_view method) {
  const auto& t = methods();
  if (auto it = t.find(method); it != t.end()) return it->second;
  return Api::none;
}

bool is_http_client(std::string_view c) {
  return c == "requests.Session" || c == "requests.session" || c == "httpx.Client" || c == "httpx.AsyncClient" ||
         c == "aiohttp.ClientSession" || c == "urllib3.PoolManager" || c == "urllib.request.build_opener" ||
         c == "http.client.HTTPConnection" || c == "http.client.HTTPSConnection";
}

bool is_socket_send(std::string_view m) { return m == "send" || m == "sendall" || m == "sendto" || m == "sendfile"; }
bool is_socket_recv(std::string_view m) { return m == "recv" || m == "recvfrom" || m == "recv_into" || m == "recvmsg"; }
bool is_file_write(std::string_view m) { return m == "write" || m == "writelines"; }

}  // namespace mg::behaviour
