_base_ = [
    '../_base_/models/resnet50.py',
    '../_base_/default_runtime.py',
]
custom_imports = dict(imports=['projects.my_head'], allow_failed_imports=False)
model = dict(head=dict(type='MyHead'))
