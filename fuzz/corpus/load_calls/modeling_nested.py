from transformers import AutoModel, AutoTokenizer, PreTrainedModel


class NestedModel(PreTrainedModel):
    def __init__(self, config):
        super().__init__(config)
        self.encoder = AutoModel.from_pretrained("canary-org/nested-encoder", trust_remote_code=True)  # ref!: canary-org/nested-encoder
        self.tokenizer = AutoTokenizer.from_pretrained("canary-org/plain-tokenizer")  # ref: canary-org/plain-tokenizer
        self.head = AutoModel.from_pretrained(  # ref: canary-org/pinned-head@89abcdef0123456789abcdef0123456789abcdef
            "canary-org/pinned-head",
            revision="89abcdef0123456789abcdef0123456789abcdef",
            trust_remote_code=True,
        )


def export_for_serving(path):
    return AutoModel.from_pretrained("canary-org/export-only", trust_remote_code=True)  # ref: none
