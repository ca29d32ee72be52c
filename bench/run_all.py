"""Runs every bench/bench_*.py present (``main(argv)``) and collects their results into
bench/results/summary.json. Never fails on time; exits 1 only when a benchmark crashed.

    .venv/bin/python -m bench.run_all [--quick] [--only research --only agents]

A module may declare ``BENCH_OPTIONS = {"quick": [...], "results_dir": "--results-dir"}`` to say
how it takes --quick and an output directory; without it, it runs with its defaults.
"""

from __future__ import annotations

import argparse
import importlib
import inspect
import json
import sys
import time
import traceback
from pathlib import Path
from types import ModuleType
from typing import Any

from bench.report import RESULTS_DIR, machine_info

BENCH_DIR = Path(__file__).resolve().parent


def discover() -> list[str]:
    """Benchmark names (file stem without ``bench_``), sorted."""
    return sorted(p.stem.removeprefix("bench_") for p in BENCH_DIR.glob("bench_*.py"))


def module_argv(module: ModuleType, quick: bool, results_dir: Path | None) -> list[str]:
    options: dict[str, Any] = getattr(module, "BENCH_OPTIONS", {})
    argv: list[str] = list(options.get("quick", [])) if quick else []
    if results_dir is not None and options.get("results_dir"):
        argv += [options["results_dir"], str(results_dir)]
    return argv


def call_main(module: ModuleType, argv: list[str]) -> Any:
    main = module.main
    if inspect.signature(main).parameters:
        return main(argv)
    saved = sys.argv
    sys.argv = [module.__name__, *argv]  # a main() that parses sys.argv itself
    try:
        return main()
    finally:
        sys.argv = saved


def run_one(name: str, quick: bool, results_dir: Path | None) -> dict[str, Any]:
    started = time.perf_counter()
    wall_start = time.time()
    try:
        module = importlib.import_module(f"bench.bench_{name}")
        returned = call_main(module, module_argv(module, quick, results_dir))
    except (Exception, SystemExit) as exc:
        return {"ok": False, "seconds": round(time.perf_counter() - started, 1),
                "error": f"{type(exc).__name__}: {exc}", "traceback": traceback.format_exc()[-4000:]}
    result = returned if isinstance(returned, dict) else _result_file(name, results_dir, wall_start)
    return {"ok": True, "seconds": round(time.perf_counter() - started, 1), "result": result}


def _result_file(name: str, results_dir: Path | None, since: float) -> dict[str, Any] | None:
    """The JSON a benchmark wrote this run (for a main() that returns nothing)."""
    for folder in dict.fromkeys([results_dir or RESULTS_DIR, RESULTS_DIR]):
        path = folder / f"{name}.json"
        if path.is_file() and path.stat().st_mtime >= since - 1:
            return json.loads(path.read_text(encoding="utf-8"))
    return None


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench.run_all", description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--quick", action="store_true", help="small sizes (each module's --quick)")
    parser.add_argument("--only", action="append", default=None, metavar="NAME",
                        help=f"run only these (of: {', '.join(discover())})")
    parser.add_argument("--results-dir", type=Path, default=None,
                        help="where summary.json (and modules that accept it, their JSON) go")
    args = parser.parse_args(argv)
    names = discover()
    unknown = sorted(set(args.only or []) - set(names))
    if unknown:
        parser.error(f"unknown benchmark(s): {', '.join(unknown)}")
    selected = [n for n in names if not args.only or n in args.only]
    summary: dict[str, Any] = {"quick": args.quick, "machine": machine_info(), "benchmarks": {}}
    for name in selected:
        print(f"\n### bench_{name}", flush=True)
        summary["benchmarks"][name] = outcome = run_one(name, args.quick, args.results_dir)
        if not outcome["ok"]:
            print(f"bench_{name} crashed: {outcome['error']}", file=sys.stderr, flush=True)
    out_dir = args.results_dir or RESULTS_DIR
    out_dir.mkdir(parents=True, exist_ok=True)
    path = out_dir / "summary.json"
    path.write_text(json.dumps(summary, indent=2, default=str) + "\n", encoding="utf-8")
    print(f"\nwrote {path}: " + ", ".join(
        f"{n}={'ok' if o['ok'] else 'CRASHED'}" for n, o in summary["benchmarks"].items()), flush=True)
    return 0 if all(o["ok"] for o in summary["benchmarks"].values()) else 1


if __name__ == "__main__":
    raise SystemExit(main())
