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
    $exfil0 = "discord.com/api/webhooks/" private
    $exfil1 = "discordapp.com/api/webhooks/" private
    $exfil2 = "api.telegram.org/bot" private
    $exfil3 = "hooks.slack.com/services/" private
    $exfil4 = "webhook.site" private
    $exfil5 = "pastebin.com/api" private
    $exfil6 = "ngrok.io" private
    $exfil7 = "ngrok-free.app" private
    $exfil8 = "trycloudflare.com" private
    $net0 = "requests.post(" private
    $net1 = "requests.put(" private
    $net2 = "urlopen(" private
    $net3 = "smtplib.SMTP" private
    $net4 = ".sendmail(" private
    $net5 = ".sendall(" private
    $net6 = "ftplib.FTP" private
    $key_buffer = /key_?log|keystrokes?|keys_?pressed|key_?buffer|logged_?keys/ nocase private

  condition:
    filesize < 4MB and
    any of ($pynput, $kb_hook, $evdev, $win_hook, $async_key, $pyhook, $xrecord) and
    ($log_key or any of ($exfil*) or (any of ($net*) and $key_buffer))
}
