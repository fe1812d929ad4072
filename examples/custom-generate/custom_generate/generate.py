import torch


def generate(model, input_ids, generation_config=None, **kwargs):
    """Greedy decoding, one token at a time."""
    max_new_tokens = getattr(generation_config, "max_new_tokens", 8) or 8
    for _ in range(max_new_tokens):
        logits = model(input_ids).logits[:, -1, :]
        input_ids = torch.cat([input_ids, logits.argmax(-1, keepdim=True)], dim=-1)
    return input_ids
