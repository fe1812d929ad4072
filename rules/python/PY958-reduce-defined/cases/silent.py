def __reduce__(state):
    return state


class Model:
    def reduce(self, x):
        return x
