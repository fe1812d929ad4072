"""Docstrings may mention /tmp freely."""
import tempfile
d = tempfile.mkdtemp()
p = "relative/tmp/file"
b = b"/tmp/bytes-are-not-checked"
