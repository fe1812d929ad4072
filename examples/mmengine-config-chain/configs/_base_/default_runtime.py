default_scope = 'mmpretrain'
log_level = 'INFO'
load_from = None
