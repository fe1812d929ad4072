import torch.distributed as dist
dist.broadcast_object_list(objs, src=0)  # expect: PY812
