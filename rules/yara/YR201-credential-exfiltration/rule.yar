// Secrets and an exfiltration channel in the same file. Either alone is common enough (HF_TOKEN for
// huggingface_hub.login, a Discord webhook for training notifications); together they are a thief.
// Two tiers keep training scripts quiet: token *variable names* (HF_TOKEN, AWS_SECRET_ACCESS_KEY),
// which scripts read to log in, pair only with covert drops (request-capture and paste sites);
// credential *stores* (token files, keys, browser databases, environment dumps) pair with any
// channel, messengers, tunnels and public-IP URLs included.
rule YR201_credential_exfiltration
{
  meta:
    id = "YR201"
    severity = "critical"
    cwe = "522, 506"
    description = "Reads credentials or tokens and holds an exfiltration endpoint"

  strings:
    // Token variable names (weak).
    $token_env = /(HF_TOKEN|HUGGING_FACE_HUB_TOKEN|HUGGINGFACE_TOKEN|HF_API_TOKEN|AWS_SECRET_ACCESS_KEY|AWS_SESSION_TOKEN)\b/

    // Credential stores (strong).
    $hf_token_file = /huggingface[\/\\]+(token|stored_tokens)\b/
    $ssh_keys = /\.ssh[\/\\]+(id_(rsa|dsa|ecdsa|ed25519)|known_hosts|authorized_keys|config)\b/
    $aws = /\.aws[\/\\]+credentials/
    $cloud = /\.config[\/\\]+gcloud[\/\\]|application_default_credentials\.json|\.azure[\/\\]+(accessTokens|msal_token_cache)|\.kube[\/\\]+config\b|\.docker[\/\\]+config\.json/
    $netrc = /[\/\\'"]\.netrc\b|['"]_netrc['"]/
    $git_cred = ".git-credentials"
    $pypi = /[\/\\'"]\.(pypirc|npmrc)\b/
    $browser = /(Google[\/\\]+Chrome|Chromium|BraveSoftware|Microsoft[\/\\]+Edge|\.mozilla[\/\\]+firefox)[^\n]{0,80}(Login Data|Cookies|Local State|logins\.json|key4\.db|cookies\.sqlite)/
    $wallet = /(Exodus[\/\\]+exodus\.wallet|Electrum[\/\\]+wallets|wallet\.dat\b)/
    $env_dump = /json\.dumps\(\s*(dict\(\s*)?os\.environ\b|(str|repr)\(\s*os\.environ\s*\)/
    $imds = /169\.254\.169\.254|metadata\.google\.internal/
    $shadow = "/etc/shadow"

    // Channels: messengers ($msg*), request-capture and paste/file-drop sites ($drop*), tunnels ($tun*).
    $msg0 = "discord.com/api/webhooks/"
    $msg1 = "discordapp.com/api/webhooks/"
    $msg2 = "api.telegram.org/bot"
    $msg3 = "hooks.slack.com/services/"
    $drop0 = "webhook.site"
    $drop1 = "webhook.cool"
    $drop2 = "pipedream.net"
    $drop3 = "requestbin."
    $drop4 = "oastify.com"
    $drop5 = ".oast.fun"
    $drop6 = ".oast.pro"
    $drop7 = ".oast.live"
    $drop8 = ".oast.site"
    $drop9 = ".oast.online"
    $drop10 = ".oast.me"
    $drop11 = "burpcollaborator."
    $drop12 = "dnslog.cn"
    $drop13 = "beeceptor.com"
    $drop14 = "requestcatcher.com"
    $drop15 = "pastebin.com/api"
    $drop16 = "paste.ee/"
    $drop17 = "hastebin.com"
    $drop18 = "://transfer.sh"
    $drop19 = "termbin.com"
    $drop20 = "://file.io"
    $drop21 = "://0x0.st"
    $drop22 = "rentry.co/"
    $drop23 = "ghostbin."
    $drop24 = "files.catbox.moe"
    $drop25 = "gofile.io/"
    $drop26 = "anonfiles.com"
    $tun0 = "ngrok.io"
    $tun1 = "ngrok.app"
    $tun2 = "ngrok-free.app"
    $tun3 = "ngrok-free.dev"
    $tun4 = "trycloudflare.com"
    $tun5 = "serveo.net"
    $tun6 = "localhost.run"
    $tun7 = ".loca.lt"
    $tun8 = "localtunnel.me"
    // Public IPv4 literal as a URL host or a connect() target (loopback, 10/8, 192.x and the
    // link-local 169.254/16, where cloud metadata lives and which $imds covers, excluded).
    $raw_ip_url = /(https?|ftp|wss?):\/\/(([1-9]|1[1-9]|[2-9][0-9]|1[01][0-9]|12[0-6]|12[89]|1[3-5][0-9]|16[0-8]|1[78][0-9]|19[013-9]|2[0-2][0-9])\.[0-9]{1,3}|169\.([0-9]{1,2}|1[0-9][0-9]|2[0-4][0-9]|25[0-35-9]))\.[0-9]{1,3}\.[0-9]{1,3}[:\/'"]/
    $raw_ip_connect = /connect\(\s*\(\s*['"](([1-9]|1[1-9]|[2-9][0-9]|1[01][0-9]|12[0-6]|12[89]|1[3-5][0-9]|16[0-8]|1[78][0-9]|19[013-9]|2[0-2][0-9])\.[0-9]{1,3}|169\.([0-9]{1,2}|1[0-9][0-9]|2[0-4][0-9]|25[0-35-9]))\.[0-9]{1,3}\.[0-9]{1,3}['"]/

  condition:
    filesize < 8MB and
    (
      (any of ($hf_token_file, $ssh_keys, $aws, $cloud, $netrc, $git_cred, $pypi, $browser, $wallet, $env_dump, $imds, $shadow) and
       any of ($msg*, $drop*, $tun*, $raw_ip_url, $raw_ip_connect)) or
      ($token_env and any of ($drop*))
    )
}
