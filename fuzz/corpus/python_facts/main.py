if __name__ == "__main__":
    import os
    getattr(x, y)()
