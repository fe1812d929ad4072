import xmlrpc.client  # expect: PY411
import xmlrpclib  # expect: PY411
import importlib
importlib.import_module("xmlrpc")  # expect: PY411
