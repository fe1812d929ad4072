dependencies = ["torch"]

from helpers import build_tiny


def tiny_resnet(pretrained=False, **kwargs):
    """A tiny ResNet-like model."""
    return build_tiny(**kwargs)


def _private_helper():
    return None
