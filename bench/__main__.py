"""`python -m bench [--quick] [--out BENCHMARKS.md]`: run every benchmark, rewrite its section of the file."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from bench import digests, evidence, fanout, ingest, live_locations, org_import
from bench.report import write_section

BENCHMARKS = (org_import, digests, live_locations, ingest, evidence, fanout)


def main(argv: list[str] | None = None) -> int:
    argv = sys.argv[1:] if argv is None else argv
    parser = argparse.ArgumentParser(prog="python -m bench", description="Run the benchmarks; record them in BENCHMARKS.md.")
    parser.add_argument("--quick", action="store_true", help="small smoke sizes (seconds, not minutes)")
    parser.add_argument(
        "--out",
        type=Path,
        help="the file to rewrite (default BENCHMARKS.md; with --quick nothing is written unless --out is given, "
        "so that smoke numbers never replace the recorded ones)",
    )
    parser.add_argument("--repeat", type=int, help="runs per size, the fastest counts (default 3; 1 with --quick)")
    parser.add_argument("--only", choices=[b.NAME for b in BENCHMARKS], action="append", help="run just this one")
    args = parser.parse_args(argv)
    out = args.out or (None if args.quick else Path("BENCHMARKS.md"))
    command = " ".join(["python -m bench", *argv])
    for benchmark in BENCHMARKS:
        if args.only and benchmark.NAME not in args.only:
            continue
        body = benchmark.run(quick=args.quick, repeat=args.repeat, command=command)
        print(body, end="\n\n")
        if out is not None:
            write_section(out, benchmark.NAME, body)
            print(f"{benchmark.NAME}: section written to {out}", file=sys.stderr)
    return 0


if __name__ == "__main__":
    sys.exit(main())
