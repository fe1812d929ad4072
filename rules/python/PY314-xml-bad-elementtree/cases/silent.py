import defusedxml.ElementTree as ET
ET.fromstring(text)
# A name that only looks alike is not reported:
obj.XMLParser(x)
