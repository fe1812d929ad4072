import urllib.request
from urllib.request import urlretrieve
import six

urllib.request.urlopen("http://canary.invalid/weights")  # expect: PY310
urlretrieve("http://canary.invalid/x.bin", "x.bin")  # expect: PY310
six.moves.urllib.request.urlopen(url)  # expect: PY310
