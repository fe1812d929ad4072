from xml.dom import minidom  # expect: PY408
minidom.parse(path)  # expect: PY318
