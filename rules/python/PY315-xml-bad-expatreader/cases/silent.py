import defusedxml.expatreader
# A name that only looks alike is not reported:
obj.create_parser(x)
