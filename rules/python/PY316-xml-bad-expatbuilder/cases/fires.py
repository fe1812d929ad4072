import xml.dom.expatbuilder  # expect: PY407
xml.dom.expatbuilder.parseString(text)  # expect: PY316
