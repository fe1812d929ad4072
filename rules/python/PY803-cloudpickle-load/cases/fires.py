import cloudpickle
fn = cloudpickle.loads(blob)  # expect: PY803
