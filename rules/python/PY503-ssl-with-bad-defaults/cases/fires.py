import ssl
def open_conn(host, version=ssl.PROTOCOL_SSLv3):  # expect: PY503
    pass
