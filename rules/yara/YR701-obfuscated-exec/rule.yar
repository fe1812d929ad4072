// exec/eval/compile fed by a decoder in the same expression: base64/base32/base85, zlib/lzma/bz2/
// gzip, marshal, codecs (rot13), hex, reversed strings, chr() joins, or a hex-escaped literal.
// The name must not follow a dot or a word character, so model.eval() and torch.compile() stay out.
rule YR701_obfuscated_exec
{
  meta:
    id = "YR701"
    severity = "high"
    cwe = "506, 95"
    description = "Executes decoded or deobfuscated code (exec/eval of base64, zlib, marshal, hex, chr-join)"

  strings:
    $exec_decoded = /[^.\w](exec|eval|compile)\s*\(\s*[^\n]{0,80}(b64decode|b32decode|b16decode|a85decode|b85decode|decodebytes|decodestring|zlib\.decompress|lzma\.decompress|bz2\.decompress|gzip\.decompress|marshal\.loads|codecs\.decode|bytes\.fromhex|unhexlify|\.fromhex\(|\[::-1\])/
    $exec_chr_join = /[^.\w](exec|eval)\s*\(\s*['"]{2}\.join\(\s*(map\(\s*chr|\[?\s*chr\()/
    $exec_escaped = /[^.\w](exec|eval)\s*\(\s*b?['"](\\x[0-9a-fA-F]{2}|\\[0-7]{3}){8}/
    $builtins_exec = /getattr\(\s*(__builtins__|builtins|__import__\(\s*['"]builtins['"]\s*\))\s*,\s*['"](exec|eval)['"]\s*\)\s*\(|__import__\(\s*['"]builtins['"]\s*\)\.(exec|eval)\(/
    $import_decoded = /__import__\(\s*[^\n]{0,40}(b64decode|\[::-1\]|codecs\.decode|bytes\.fromhex)/

  condition:
    filesize < 8MB and any of them
}
