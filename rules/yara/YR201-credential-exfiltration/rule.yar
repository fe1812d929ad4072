// Secrets and an exfiltration channel in the same file. Either alone is common enough (HF_TOKEN for
// huggingface_hub.login, a Discord webhook for training notifications); together they are a thief.
rule YR201_credential_exfiltration
{
  meta:
    id = "YR201"
    severity = "critical"
    cwe = "522, 506"
    description = "Reads credentials or tokens and holds an exfiltration endpoint"

  strings:
    // Secrets.
    $hf_token_file = /huggingface[\/\\]+(token|stored_tokens)\b/
    $hf_token_env = /(HF_TOKEN|HUGGING_FACE_HUB_TOKEN|HUGGINGFACE_TOKEN|HF_API_TOKEN)\b/
    $ssh_keys = /\.ssh[\/\\]+(id_(rsa|dsa|ecdsa|ed25519)|known_hosts|authorized_keys|config)\b/
    $aws = /\.aws[\/\\]+credentials|AWS_SECRET_ACCESS_KEY|AWS_SESSION_TOKEN/
    $cloud = /\.config[\/\\]+gcloud[\/\\]|application_default_credentials\.json|\.azure[\/\\]+(accessTokens|msal_token_cache)|\.kube[\/\\]+config\b|\.docker[\/\\]+config\.json/
    $netrc = /[\/\\'"]\.netrc\b|['"]_netrc['"]/
    $git_cred = ".git-credentials"
    $pypi = /[\/\\'"]\.(pypirc|npmrc)\b/
    $browser = /(Google[\/\\]+Chrome|Chromium|BraveSoftware|Microsoft[\/\\]+Edge|\.mozilla[\/\\]+firefox)[^\n]{0,80}(Login Data|Cookies|Local State|logins\.json|key4\.db|cookies\.sqlite)/
    $wallet = /(Exodus[\/\\]+exodus\.wallet|Electrum[\/\\]+wallets|wallet\.dat\b)/
    $env_dump = /json\.dumps\(\s*(dict\(\s*)?os\.environ\b|(str|repr)\(\s*os\.environ\s*\)|\{\s*\*\*os\.environ\s*\}/
    $imds = /169\.254\.169\.254|metadata\.google\.internal/
    $shadow = "/etc/shadow"

    // Exfiltration channels.
    $chan0 = "discord.com/api/webhooks/"
    $chan1 = "discordapp.com/api/webhooks/"
    $chan2 = "api.telegram.org/bot"
    $chan3 = "hooks.slack.com/services/"
    $chan4 = "webhook.site"
    $chan5 = "webhook.cool"
    $chan6 = "pipedream.net"
    $chan7 = "requestbin."
    $chan8 = "oastify.com"
    $chan9 = ".oast.fun"
    $chan10 = ".oast.pro"
    $chan11 = ".oast.live"
    $chan12 = ".oast.site"
    $chan13 = ".oast.online"
    $chan14 = ".oast.me"
    $chan15 = "burpcollaborator."
    $chan16 = "dnslog.cn"
    $chan17 = "beeceptor.com"
    $chan18 = "requestcatcher.com"
    $chan19 = "pastebin.com/api"
    $chan20 = "paste.ee/"
    $chan21 = "hastebin.com"
    $chan22 = "://transfer.sh"
    $chan23 = "termbin.com"
    $chan24 = "://file.io"
    $chan25 = "://0x0.st"
    $chan26 = "rentry.co/"
    $chan27 = "ghostbin."
    $chan28 = "files.catbox.moe"
    $chan29 = "gofile.io/"
    $chan30 = "anonfiles.com"
    $chan31 = "ngrok.io"
    $chan32 = "ngrok.app"
    $chan33 = "ngrok-free.app"
    $chan34 = "ngrok-free.dev"
    $chan35 = "trycloudflare.com"
    $chan36 = "serveo.net"
    $chan37 = "localhost.run"
    $chan38 = ".loca.lt"
    $chan39 = "localtunnel.me"
    // Public IPv4 literal as a URL host or a connect() target (loopback, 10/8, 192.x excluded).
    $raw_ip_url = /(https?|ftp|wss?):\/\/([1-9]|1[1-9]|[2-9][0-9]|1[01][0-9]|12[0-6]|12[89]|1[3-8][0-9]|19[013-9]|2[0-2][0-9])\.[0-9]{1,3}\.[0-9]{1,3}\.[0-9]{1,3}[:\/'"]/
    $raw_ip_connect = /connect\(\s*\(\s*['"]([1-9]|1[1-9]|[2-9][0-9]|1[01][0-9]|12[0-6]|12[89]|1[3-8][0-9]|19[013-9]|2[0-2][0-9])\.[0-9]{1,3}\.[0-9]{1,3}\.[0-9]{1,3}['"]/

  condition:
    filesize < 8MB and
    any of ($hf_token_file, $hf_token_env, $ssh_keys, $aws, $cloud, $netrc, $git_cred, $pypi, $browser, $wallet, $env_dump, $imds, $shadow) and
    any of ($chan*, $raw_ip_url, $raw_ip_connect)
}
