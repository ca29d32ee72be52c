"""`python -m sampleweb`: serve the sample web on loopback for the demo and benchmarks."""

from __future__ import annotations

import argparse

from sampleweb.server import DEFAULT_SLOW_SECONDS, serve_forever


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(prog="python -m sampleweb", description=__doc__)
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--port", type=int, default=8765)
    parser.add_argument(
        "--latency-ms", type=float, default=0.0, help="delay added to every response"
    )
    parser.add_argument(
        "--dataset",
        default=None,
        help="companies.jsonl to serve (default: bundled subset or $LEADGEN_SAMPLE_DATASET)",
    )
    parser.add_argument("--slow-seconds", type=float, default=DEFAULT_SLOW_SECONDS)
    args = parser.parse_args(argv)
    serve_forever(args.host, args.port, args.latency_ms, args.dataset, args.slow_seconds)


if __name__ == "__main__":
    main()
