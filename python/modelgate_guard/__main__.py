"""python -m modelgate_guard SCRIPT [ARGS...] | -m MODULE [ARGS...]: runs a script with the guard
enabled from its first line (MODELGATE_GUARD=0 runs it unguarded, e.g. to compare)."""
import os
import runpy
import sys

import modelgate_guard


def main():
    argv = sys.argv[1:]
    if not argv or argv[0] in ("-h", "--help"):
        print(__doc__.strip(), file=sys.stderr)
        return 2
    if os.environ.get("MODELGATE_GUARD", "1") != "0":
        modelgate_guard.enable()
    if argv[0] == "-m":
        if len(argv) < 2:
            print("modelgate_guard: -m needs a module name", file=sys.stderr)
            return 2
        sys.argv = argv[1:]
        runpy.run_module(argv[1], run_name="__main__", alter_sys=True)
    else:
        sys.argv = argv
        sys.path.insert(0, os.path.dirname(os.path.abspath(argv[0])))
        runpy.run_path(argv[0], run_name="__main__")
    return 0


if __name__ == "__main__":
    sys.exit(main())
