"""Run every benchmark module (a module in this package with an async ``run()``), or the ones
named on the command line, and end with one summary table: each module's wall time and
whether it finished (a failing module does not stop the others; the exit code says so)."""

from __future__ import annotations

import asyncio
import importlib
import pkgutil
import sys
import time
import traceback

import bench


async def main(selected: list[str]) -> int:
    summary: list[tuple[str, float, str]] = []
    for module_info in pkgutil.iter_modules(bench.__path__):
        if module_info.name.startswith("_") or (selected and module_info.name not in selected):
            continue
        module = importlib.import_module(f"bench.{module_info.name}")
        print(f"## {module_info.name}", flush=True)
        started = time.monotonic()
        try:
            await module.run()
            outcome = "ok"
        except Exception as error:  # one module's failure is a line, not the end of the run
            traceback.print_exc()
            outcome = f"FAILED: {type(error).__name__}"
        summary.append((module_info.name, time.monotonic() - started, outcome))
    print("\n## summary")
    width = max((len(name) for name, _seconds, _outcome in summary), default=6)
    print(f"{'module'.ljust(width)}  {'seconds':>8}  outcome")
    for name, seconds, outcome in summary:
        print(f"{name.ljust(width)}  {seconds:8.1f}  {outcome}")
    print(f"{'total'.ljust(width)}  {sum(s for _n, s, _o in summary):8.1f}")
    return 0 if all(outcome == "ok" for _n, _s, outcome in summary) else 1


sys.exit(asyncio.run(main(sys.argv[1:])))
