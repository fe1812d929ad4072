import json
import marshal
import os.path
