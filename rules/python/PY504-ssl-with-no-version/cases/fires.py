import ssl
ssl.wrap_socket(sock)  # expect: PY504
