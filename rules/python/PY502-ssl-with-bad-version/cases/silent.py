import ssl
ssl.wrap_socket(sock, ssl_version=ssl.PROTOCOL_TLS_CLIENT)
connect(sock, method=ssl.PROTOCOL_TLS)
