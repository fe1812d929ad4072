from xml.dom import pulldom  # expect: PY409
pulldom.parseString(text)  # expect: PY319
