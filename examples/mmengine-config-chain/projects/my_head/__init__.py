from .head import MyHead

__all__ = ['MyHead']
