class ModelB:
    def __init__(self, config):
        self._setup(config)  # reach: yes

    def _setup(self, config):
        from .helper import prepare  # reach: yes
        prepare(config)  # reach: yes

    def never_called(self):
        return 1  # reach: no
