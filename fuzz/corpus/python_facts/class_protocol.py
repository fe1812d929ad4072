from .base import BaseModel
from .registry import register


@register
class Block:
    def __init__(self):
        self.w = 1  # reach: yes

    def unused(self):
        return 0  # reach: no


class ModelF(BaseModel):
    def __init__(self, config):
        super().__init__(config)  # reach: yes
        self.block = Block()
        self.apply(self._init_weights)

    def _init_weights(self, module):
        return module  # reach: yes

    def forward(self, x):
        return self.block.w * x  # reach: yes

    def export(self):
        return None  # reach: no
