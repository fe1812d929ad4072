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
    // One string per decoder: the decoder is the atom, so plain exec()/eval() calls cost nothing.
    $exec_decoded0 = /[^.\w](exec|eval)\s*\(\s*[^\n]{0,48}b64decode/
    $exec_decoded1 = /[^.\w](exec|eval)\s*\(\s*[^\n]{0,48}b32decode/
    $exec_decoded2 = /[^.\w](exec|eval)\s*\(\s*[^\n]{0,48}b16decode/
    $exec_decoded3 = /[^.\w](exec|eval)\s*\(\s*[^\n]{0,48}a85decode/
    $exec_decoded4 = /[^.\w](exec|eval)\s*\(\s*[^\n]{0,48}b85decode/
    $exec_decoded5 = /[^.\w](exec|eval)\s*\(\s*[^\n]{0,48}decodebytes/
    $exec_decoded6 = /[^.\w](exec|eval)\s*\(\s*[^\n]{0,48}decodestring/
    $exec_decoded7 = /[^.\w](exec|eval)\s*\(\s*[^\n]{0,48}zlib\.decompress/
    $exec_decoded8 = /[^.\w](exec|eval)\s*\(\s*[^\n]{0,48}lzma\.decompress/
    $exec_decoded9 = /[^.\w](exec|eval)\s*\(\s*[^\n]{0,48}bz2\.decompress/
    $exec_decoded10 = /[^.\w](exec|eval)\s*\(\s*[^\n]{0,48}gzip\.decompress/
    $exec_decoded11 = /[^.\w](exec|eval)\s*\(\s*[^\n]{0,48}marshal\.loads/
    $exec_decoded12 = /[^.\w](exec|eval)\s*\(\s*[^\n]{0,48}codecs\.decode/
    $exec_decoded13 = /[^.\w](exec|eval)\s*\(\s*[^\n]{0,48}bytes\.fromhex/
    $exec_decoded14 = /[^.\w](exec|eval)\s*\(\s*[^\n]{0,48}unhexlify/
    $exec_decoded15 = /[^.\w](exec|eval)\s*\(\s*[^\n]{0,48}\.fromhex\(/
    $exec_decoded16 = /[^.\w](exec|eval)\s*\(\s*[^\n]{0,48}\[\:\:-1\]/
    $exec_chr_join = /[^.\w](exec|eval)\s*\(\s*['"]{2}\.join\(\s*(map\(\s*chr|\[?\s*chr\()/
    $exec_escaped = /[^.\w](exec|eval)\s*\(\s*b?['"](\\x[0-9a-fA-F]{2}|\\[0-7]{3}){8}/
    $builtins_exec = /getattr\(\s*(__builtins__|builtins|__import__\(\s*['"]builtins['"]\s*\))\s*,\s*['"](exec|eval)['"]\s*\)\s*\(|__import__\(\s*['"]builtins['"]\s*\)\.(exec|eval)\(/
    $import_decoded = /__import__\(\s*[^\n]{0,40}(b64decode|\[::-1\]|codecs\.decode|bytes\.fromhex)/

  condition:
    filesize < 8MB and any of them
}
