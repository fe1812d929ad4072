import ssl
def open_conn(host, version=ssl.PROTOCOL_TLS_CLIENT):
    pass
