import xml.sax.expatreader  # expect: PY406
xml.sax.expatreader.create_parser()  # expect: PY315
