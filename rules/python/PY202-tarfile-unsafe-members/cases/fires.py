import tarfile
with tarfile.open("weights.tar") as tar:
    tar.extractall("cache")  # expect: PY202
    tar.extractall("cache", members=tar.getmembers())  # expect: PY202
    tar.extractall("cache", members=names)  # expect: PY202
    tar.extractall("cache", filter="tar")  # expect: PY202
