"""Writes the bundled examples' binary files (run with any Python 3; stdlib only).

The files are committed; this script documents how they were made and rebuilds them.
Every payload is benign: plain containers of numbers.
"""
import collections
import gzip
import io
import json
import pathlib
import pickle
import struct
import tarfile

HERE = pathlib.Path(__file__).resolve().parent.parent / "examples"
CANARY = b"echo canary > /tmp/modelgate-canary"


def safetensors(path, tensors):
    header, blob = {}, b""
    for name, values in tensors.items():
        data = struct.pack("<%df" % len(values), *values)
        header[name] = {"dtype": "F32", "shape": [len(values)], "data_offsets": [len(blob), len(blob) + len(data)]}
        blob += data
    raw = json.dumps(header, separators=(",", ":")).encode()
    raw += b" " * (-len(raw) % 8)
    path.write_bytes(struct.pack("<Q", len(raw)) + raw + blob)


def nemo(path, members):
    """A .nemo checkpoint as NeMo writes it: a tar of ./-prefixed members, here gzip'd (mtime 0)."""
    buf = io.BytesIO()
    with tarfile.open(fileobj=buf, mode="w", format=tarfile.USTAR_FORMAT) as tar:
        for name, data in members:
            info = tarfile.TarInfo("./" + name)
            info.size, info.mtime, info.mode = len(data), 0, 0o644
            tar.addfile(info, io.BytesIO(data))
    path.write_bytes(gzip.compress(buf.getvalue(), mtime=0))


NEMO_CONFIG = b"""target: nemo.collections.asr.models.EncDecCTCModel
sample_rate: 16000
preprocessor:
  _target_: nemo.collections.asr.modules.AudioToMelSpectrogramPreprocessor
  sample_rate: 16000
encoder:
  _target_: nemo.collections.asr.modules.ConvASREncoder
  feat_in: 64
decoder:
  _target_: nemo.collections.asr.modules.ConvASRDecoder
  num_classes: 28
"""


def main():
    safetensors(HERE / "clean-safetensors" / "model.safetensors", {"embed.weight": [0.0, 0.5, 1.0, 1.5]})
    state = collections.OrderedDict([("embed.weight", [0.0, 0.25, 0.5, 0.75]), ("head.bias", [0.0, 0.0])])
    (HERE / "pickle-checkpoint" / "pytorch_model.bin").write_bytes(pickle.dumps(state, protocol=2))
    # PROTO 2, GLOBAL os.system, the canary command, TUPLE1, REDUCE, STOP: written as bytes so no
    # object with a __reduce__ ever exists here.
    payload = b"\x80\x02cos\nsystem\nX" + struct.pack("<I", len(CANARY)) + CANARY + b"\x85R."
    (HERE / "malicious-pickle" / "pytorch_model.bin").write_bytes(payload)
    weights = collections.OrderedDict([("encoder.weight", [0.0, 0.5]), ("decoder.bias", [0.0])])
    nemo(HERE / "nemo-asr-checkpoint" / "stt_en_tiny.nemo",
         [("model_config.yaml", NEMO_CONFIG), ("model_weights.ckpt", pickle.dumps(weights, protocol=2))])


if __name__ == "__main__":
    main()
