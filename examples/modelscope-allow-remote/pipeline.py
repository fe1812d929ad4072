from .model import TinyClassifier


def build_pipeline():
    return TinyClassifier()
