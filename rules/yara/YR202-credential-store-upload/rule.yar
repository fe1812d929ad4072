// A credential store read and an upload call in the same file, whatever the host. YR201 knows the
// exfiltration services; this one catches the generic collector (requests.post to any server) and
// so only counts stores nobody reads in model code (token files, private keys, cloud credential
// files, browser databases), never token variable names or .netrc (HTTP clients read it).
rule YR202_credential_store_upload
{
  meta:
    id = "YR202"
    severity = "high"
    cwe = "522, 200"
    description = "Reads a credential store and uploads data"

  strings:
    $hf_token_file = /huggingface[\/\\]+(token|stored_tokens)\b/
    $ssh_private = /\.ssh[\/\\]+id_(rsa|dsa|ecdsa|ed25519)\b/
    $aws = /\.aws[\/\\]+credentials/
    $cloud = /\.config[\/\\]+gcloud[\/\\]+(credentials\.db|access_tokens\.db|legacy_credentials)|application_default_credentials\.json|\.azure[\/\\]+(accessTokens\.json|msal_token_cache)|\.docker[\/\\]+config\.json/
    $git_cred = ".git-credentials"
    $pypirc = /[\/\\'"]\.pypirc\b/
    $browser = /(Google[\/\\]+Chrome|Chromium|BraveSoftware|Microsoft[\/\\]+Edge|\.mozilla[\/\\]+firefox)[^\n]{0,80}(Login Data|Cookies|Local State|logins\.json|key4\.db|cookies\.sqlite)/
    $wallet = /(Exodus[\/\\]+exodus\.wallet|Electrum[\/\\]+wallets|wallet\.dat\b)/
    $shadow = "/etc/shadow"

    $up0 = "requests.post(" private
    $up1 = "requests.put(" private
    $up2 = "httpx.post(" private
    $up3 = "session.post(" private
    $up4 = ".sendall(" private
    $up5 = "smtplib.SMTP" private
    $up6 = ".storbinary(" private
    $up_urlopen = /urlopen\([^)\n]{0,200}data\s*=|Request\([^)\n]{0,200}data\s*=/ private

  condition:
    filesize < 8MB and
    any of ($hf_token_file, $ssh_private, $aws, $cloud, $git_cred, $pypirc, $browser, $wallet, $shadow) and
    any of ($up*)
}
