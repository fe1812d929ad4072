import defusedxml.sax
# A name that only looks alike is not reported:
obj.make_parser(x)
