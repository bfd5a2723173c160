"""What a forked child sees, for tests/project/test_forkserver.py: ``python -m tests.fork_probe
CODE`` prints its PID, working directory, arguments, one setting and its input, then exits
with CODE, or waits to be killed when CODE is ``wait``."""

import json
import os
import sys
import time

if __name__ == "__main__":
    if sys.argv[1:] == ["wait"]:
        sys.stdout.write("waiting\n")
        sys.stdout.flush()
        time.sleep(600)
    sys.stdout.write(
        json.dumps(
            {
                "pid": os.getpid(),
                "cwd": os.getcwd(),
                "argv": sys.argv[1:],
                "setting": os.environ.get("JOURNAL_PROBE"),
                "input": sys.stdin.read(),
            }
        )
    )
    sys.stderr.write("to stderr\n")
    raise SystemExit(int(sys.argv[1]))
