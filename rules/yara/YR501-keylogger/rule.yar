// Keystroke capture together with somewhere the keys go: a log of keys, an exfiltration endpoint,
// or a network/mail sink next to a key buffer. Capture alone is robot teleoperation or a game UI.
rule YR501_keylogger
{
  meta:
    id = "YR501"
    severity = "high"
    cwe = "506"
    description = "Captures keystrokes and records or sends them (keylogger)"

  strings:
    // Capture.
    $pynput = /keyboard\.Listener\(\s*[^\n]{0,40}on_press\s*=/
    $kb_hook = /[^.\w]keyboard\.(hook|on_press|on_release|record)\(/
    $evdev = /ecodes\.EV_KEY|InputDevice\(\s*['"]\/dev\/input\/event/
    $win_hook = /SetWindowsHookEx[AW]?\(\s*(13|WH_KEYBOARD_LL)\b/
    $async_key = /GetAsyncKeyState\(/
    $pyhook = /HookManager\(\)|\.KeyDown\s*=/
    $xrecord = /record\.create_context\(/

    // Where the keys go.
    $log_key = /(\.write|logging\.(info|debug|warning)|logger\.(info|debug))\(\s*(str\(\s*)?key(\.char)?\s*\)/ private
    $exfil = /discord(app)?\.com\/api\/webhooks\/|api\.telegram\.org\/bot|webhook\.(site|cool)|pastebin\.com\/api|ngrok(-free)?\.(io|app|dev)|hooks\.slack\.com\/services\// private
    $net = /requests\.(post|put)\(|urlopen\(|smtplib\.SMTP|\.sendmail\(|\.sendall\(|ftplib\.FTP/ private
    $key_buffer = /key_?log|keystrokes?|keys_?pressed|key_?buffer|logged_?keys/ nocase private

  condition:
    filesize < 4MB and
    any of ($pynput, $kb_hook, $evdev, $win_hook, $async_key, $pyhook, $xrecord) and
    ($log_key or $exfil or ($net and $key_buffer))
}
