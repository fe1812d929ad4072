import os


def clean_cache():
    os.system("rm -rf /tmp/modelgate-canary-cache")
