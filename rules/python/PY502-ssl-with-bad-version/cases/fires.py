import ssl
from OpenSSL import SSL
ssl.wrap_socket(sock, ssl_version=ssl.PROTOCOL_TLSv1)  # expect: PY502
SSL.Context(method=SSL.SSLv3_METHOD)  # expect: PY502
connect(sock, ssl_version=ssl.PROTOCOL_SSLv2)  # expect: PY502
