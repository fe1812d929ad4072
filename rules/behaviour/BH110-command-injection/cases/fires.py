import os


def run_tool():
    name = input("tool: ")
    os.system("convert " + name)  # expect: BH110
