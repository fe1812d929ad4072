import xml.etree.ElementTree as ET  # expect: PY405
root = ET.fromstring(text)  # expect: PY314
