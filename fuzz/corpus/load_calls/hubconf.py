dependencies = ["torch"]

import torch

import delegate_helpers

_BY_NAME = {"small": "canary-owner/shared-models"}
_PINNED = "canary-owner/shared-models:0123456789abcdef0123456789abcdef01234567"


def small(**kwargs):
    return torch.hub.load("canary-owner/shared-models", "small", **kwargs)  # ref!: canary-owner/shared-models


def small_pinned(**kwargs):
    return torch.hub.load(_PINNED, "small", **kwargs)  # ref!: computed


def small_on_branch(**kwargs):
    return torch.hub.load("canary-owner/shared-models:release", "small", **kwargs)  # ref!: canary-owner/shared-models:release


def exact(**kwargs):
    return torch.hub.load("canary-owner/shared-models:0123456789abcdef0123456789abcdef01234567", "small")  # ref: canary-owner/shared-models:0123456789abcdef0123456789abcdef01234567


def by_name(name, **kwargs):
    return torch.hub.load(_BY_NAME[name], name, **kwargs)  # ref!: computed


def local_copy(**kwargs):
    return torch.hub.load("./vendored", "small", source="local")  # ref: none


def tiny(**kwargs):
    return delegate_helpers.tiny(**kwargs)


if __name__ == "__main__":
    torch.hub.load("canary-owner/never-at-load", "small")  # ref: none
