import torch
from transformers import PreTrainedModel

from .configuration_tiny import TinyConfig
from .layers import TinyBlock


class TinyModel(PreTrainedModel):
    config_class = TinyConfig

    def __init__(self, config):
        super().__init__(config)
        self.embed = torch.nn.Embedding(config.vocab_size, config.hidden_size)
        self.block = TinyBlock(config.hidden_size)

    def forward(self, input_ids):
        return self.block(self.embed(input_ids))


class TinyForCausalLM(TinyModel):
    def __init__(self, config):
        super().__init__(config)
        self.head = torch.nn.Linear(config.hidden_size, config.vocab_size)

    def forward(self, input_ids):
        return self.head(super().forward(input_ids))
