import xml.sax  # expect: PY406
xml.sax.parseString(text, handler)  # expect: PY317
