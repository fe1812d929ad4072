cursor.exec("select 1")
runner.exec_module(mod)
def execute(cmd): return cmd
