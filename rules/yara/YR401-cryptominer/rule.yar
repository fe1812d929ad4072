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
    $miner0 = "xmrig" fullword
    $miner1 = "XMRig" fullword
    $miner2 = "XMRIG" fullword
    $miner3 = "ethminer" fullword
    $miner4 = "cgminer" fullword
    $miner5 = "bfgminer" fullword
    $miner6 = "cpuminer" fullword
    $miner7 = "ccminer" fullword
    $miner8 = "nbminer" fullword
    $miner9 = "lolminer" fullword
    $miner10 = "phoenixminer" fullword
    $miner11 = "PhoenixMiner" fullword
    $miner12 = "teamredminer" fullword
    $miner13 = "nanominer" fullword
    $miner14 = "srbminer" fullword
    $miner15 = "SRBMiner" fullword
    $miner16 = "gminer" fullword
    $miner17 = "xmr-stak" fullword
    $pool0 = "supportxmr.com"
    $pool1 = "minexmr.com"
    $pool2 = "nanopool.org"
    $pool3 = "c3pool.com"
    $pool4 = "c3pool.org"
    $pool5 = "hashvault.pro"
    $pool6 = "moneroocean.stream"
    $pool7 = "2miners.com"
    $pool8 = "f2pool.com"
    $pool9 = "nicehash.com"
    $pool10 = "herominers.com"
    $pool11 = "unmineable.com"
    $pool12 = "xmrpool.eu"
    $pool13 = "minergate.com"
    $pool14 = "ethermine.org"
    $pool15 = "antpool.com"
    $pool16 = "viabtc.com"
    $pool17 = "flypool.org"
    $pool18 = "hiveon.net"
    $flag0 = "--donate-level"
    $flag1 = "--cpu-priority"
    $flag2 = "--randomx-1gb-pages"
    $flag3 = "--max-cpu-usage"
    $flag4 = "--cpu-max-threads-hint"
    $flag5 = "\"donate-level\""
    $algo0 = "rx/0" fullword
    $algo1 = "randomx" fullword
    $algo2 = "RandomX" fullword
    $algo3 = "RANDOMX" fullword
    $algo4 = "cryptonight" fullword
    $algo5 = "CryptoNight" fullword
    $algo6 = "kawpow" fullword
    $algo7 = "KawPow" fullword
    $algo8 = "ethash" fullword
    $algo9 = "Ethash" fullword
    $algo10 = "autolykos" fullword
    $wallet = /(-u 4|--user[= ]4|"user":\s*"4|wallet\s*=\s*['"]4)[0-9AB][1-9A-HJ-NP-Za-km-z]{93}\b/

  condition:
    // Two different kinds of indicator: one word (an article naming xmrig) is not enough.
    filesize < 16MB and (
      ($stratum and (any of ($miner*) or any of ($pool*) or any of ($flag*) or any of ($algo*) or $wallet)) or
      (any of ($miner*) and (any of ($pool*) or any of ($flag*) or any of ($algo*) or $wallet)) or
      (any of ($pool*) and (any of ($flag*) or any of ($algo*) or $wallet)) or
      (any of ($flag*) and (any of ($algo*) or $wallet)) or
      (any of ($algo*) and $wallet)
    )
}
