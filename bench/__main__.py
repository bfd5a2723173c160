"""Run every benchmark module (a module in this package with an async ``run()``)."""

from __future__ import annotations

import asyncio
import importlib
import pkgutil
import sys

import bench


async def main(selected: list[str]) -> None:
    for module_info in pkgutil.iter_modules(bench.__path__):
        if module_info.name.startswith("_") or (selected and module_info.name not in selected):
            continue
        module = importlib.import_module(f"bench.{module_info.name}")
        print(f"## {module_info.name}")
        await module.run()


asyncio.run(main(sys.argv[1:]))
