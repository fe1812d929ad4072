import defusedxml.ElementTree as ET
ET.parse(path)
# A name that only looks alike is not reported:
obj.XMLParser(x)
