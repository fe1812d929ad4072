import xml.etree.cElementTree as ET  # expect: PY405
ET.parse(path)  # expect: PY313
