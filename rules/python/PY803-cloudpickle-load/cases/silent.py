import cloudpickle
blob = cloudpickle.dumps(fn)
