import tempfile
path = tempfile.mktemp()  # expect: PY306
from tempfile import mktemp
mktemp(suffix='.pt')  # expect: PY306
