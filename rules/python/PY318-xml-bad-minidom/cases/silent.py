import defusedxml.minidom
# A name that only looks alike is not reported:
obj.parse(x)
