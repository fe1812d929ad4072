import ssl
# A name that only looks alike is not reported:
obj.Telnet(x)
