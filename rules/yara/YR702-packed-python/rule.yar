// Python shipped in a form nobody can review: PyArmor runtime plus its armored call, a pyminifier-
// style zlib+base64 exec stub, or a marshalled code object literal loaded at run time.
rule YR702_packed_python
{
  meta:
    id = "YR702"
    severity = "high"
    cwe = "506"
    description = "Packed or encrypted Python (PyArmor, pyminifier, marshalled code objects)"

  strings:
    $armor_call = /__pyarmor__\(\s*__name__\s*,\s*__file__\s*,\s*b['"]/
    $armor_runtime = /pyarmor_runtime(_[0-9]{6})?\b|from\s+pytransform\s+import\s+pyarmor_runtime/ private
    $armor_wrap = /__armor_(enter|exit|wrap)__\(/
    $minified = /exec\s*\(\s*(zlib|lzma|bz2)\.decompress\(\s*base64\.b64decode\(\s*b?['"](eJ|\/Td6WFo|QlpoO)/
    $marshal_code = /marshal\.loads\(\s*b['"](\\xe3|c\\x00\\x00\\x00)/

  condition:
    filesize < 32MB and (
      ($armor_call and $armor_runtime) or
      ($armor_wrap and $armor_runtime) or
      $minified or
      $marshal_code
    )
}
