"""Benchmark: time and peak memory of `manage.py import_wxr` on synthetic exports (bench/make_wxr.py).

Imports a small file (2,000 posts, 20,000 comments) and the full one (20,000 posts, 200,000 comments), then the
full one again (the idempotent re-run), each in its own process so that each peak resident memory is its own:
flat memory means the two first peaks are close although the files differ tenfold. Works in a scratch
database (`longwar_bench_import`) that it creates and drops; the development database is never touched.

    python bench/import_wxr.py [--posts 20000] [--comments 200000]
"""

import argparse
import json
import os
import resource
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "longwar.settings")
BENCH_DATABASE = "longwar_bench_import"


def child(path: str) -> None:
    """One import in this process; prints its wall time and peak resident memory as JSON."""
    import django

    django.setup()
    from django.core.management import call_command
    from django.db import connection

    connection.settings_dict["NAME"] = BENCH_DATABASE
    started = time.perf_counter()
    call_command("import_wxr", path, verbosity=0)
    peak_kib = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    print(json.dumps({"seconds": time.perf_counter() - started, "peak_mib": peak_kib / 1024}))  # noqa: T201


def run_child(path: Path) -> dict:
    result = subprocess.run(
        [sys.executable, __file__, "--child", str(path)], capture_output=True, text=True, check=False
    )
    if result.returncode:
        raise SystemExit(f"bench: import of {path.name} failed:\n{result.stderr[-3000:]}")
    return json.loads(result.stdout.strip().splitlines()[-1])


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--child")
    parser.add_argument("--posts", type=int, default=20_000)
    parser.add_argument("--comments", type=int, default=200_000)
    args = parser.parse_args()
    if args.child:
        child(args.child)
        return

    import django

    django.setup()
    from django.db import connection
    from django.test.utils import setup_test_environment

    from bench.make_wxr import write

    setup_test_environment()
    connection.settings_dict["TEST"]["NAME"] = BENCH_DATABASE
    original_name = connection.settings_dict["NAME"]
    connection.creation.create_test_db(verbosity=0, autoclobber=True, serialize=False)
    connection.close()
    rows = []
    try:
        with tempfile.TemporaryDirectory() as folder:
            small, full = Path(folder) / "small.xml", Path(folder) / "full.xml"
            write(small, posts=args.posts // 10, comments=args.comments // 10)
            write(full, posts=args.posts, comments=args.comments)
            for label, path in [
                (f"{args.posts // 10:,} posts / {args.comments // 10:,} comments", small),
                (f"{args.posts:,} posts / {args.comments:,} comments", full),
                ("  same file again (nothing to write)", full),
            ]:
                measured = run_child(path)
                rows.append((label, path.stat().st_size / 2**20, measured["seconds"], measured["peak_mib"]))
    finally:
        connection.creation.destroy_test_db(original_name, verbosity=0)

    sys.stdout.write(f"\n{'import_wxr':<44} {'file MiB':>9} {'seconds':>8} {'peak RSS MiB':>13}\n")
    for label, size, seconds, peak in rows:
        sys.stdout.write(f"{label:<44} {size:>9.1f} {seconds:>8.1f} {peak:>13.1f}\n")


if __name__ == "__main__":
    main()
