// Cryptocurrency mining: two distinct indicators among miner binaries, stratum URLs, pool hosts,
// miner-only flags, mining algorithms and Monero wallet addresses.
rule YR401_cryptominer
{
  meta:
    id = "YR401"
    severity = "high"
    cwe = "506"
    description = "Cryptocurrency miner configuration or launcher"

  strings:
    $stratum = /stratum\+(tcp|ssl|tls):\/\// nocase
    $xmrig = /\bxmrig(-proxy|-cuda|-nvidia)?\b/ nocase
    $miners = /\b(ethminer|cgminer|bfgminer|cpuminer|ccminer|nbminer|lolminer|phoenixminer|teamredminer|nanominer|srbminer(-multi)?|gminer|xmr-stak)\b/ nocase
    $pools = /(supportxmr\.com|minexmr\.com|nanopool\.org|c3pool\.(com|org)|hashvault\.pro|moneroocean\.stream|2miners\.com|f2pool\.com|nicehash\.com|herominers\.com|unmineable\.com|xmrpool\.eu|minergate\.com|ethermine\.org|antpool\.com|viabtc\.com|flypool\.org|hiveon\.net)/ nocase
    $flags = /--donate-level|--cpu-priority|--randomx-1gb-pages|--max-cpu-usage|--cpu-max-threads-hint|"donate-level"\s*:/
    $algo = /\b(rx\/0|randomx|cryptonight|kawpow|ethash|autolykos2?)\b/ nocase
    $wallet = /(-u 4|--user[= ]4|"user":\s*"4|wallet\s*=\s*['"]4)[0-9AB][1-9A-HJ-NP-Za-km-z]{93}\b/

  condition:
    filesize < 16MB and 2 of them
}
