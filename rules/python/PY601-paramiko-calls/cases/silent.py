import os
runner.exec_command("x")
