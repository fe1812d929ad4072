# Image preprocessing: base64 of image data decoded into PIL, model.eval(), torch.compile.
import base64
import hashlib
import io

import torch
from PIL import Image


def load_image(b64: str) -> Image.Image:
    return Image.open(io.BytesIO(base64.b64decode(b64))).convert("RGB")


def prepare(model):
    model.eval()
    model = torch.compile(model)
    return model


def checksum(path: str) -> str:
    return hashlib.md5(open(path, "rb").read(), usedforsecurity=False).hexdigest()


def expr(df):
    return df.eval("a + b")
