import tarfile
with tarfile.open("weights.tar") as tar:
    tar.extractall("cache", filter="data")
zipfile_obj.extract("x")
