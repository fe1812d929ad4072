model = dict(
    type='ImageClassifier',
    backbone=dict(type='ResNet', depth=50),
    head=dict(type='LinearClsHead', num_classes=1000),
)
