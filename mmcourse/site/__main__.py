"""`python -m mmcourse.site --out build/site [--lessons 00 A]`: what `make site` runs."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m mmcourse.site", description=__doc__)
    parser.add_argument("--out", type=Path, default=Path("build/site"))
    parser.add_argument(
        "--lessons", nargs="+", default=None, help="only these lessons (00 ... 09, A, B, C)"
    )
    args = parser.parse_args(argv)
    from mmcourse.site import SiteError, build_site

    try:
        build_site(out_dir=args.out, lessons=args.lessons, progress=print)
    except (SiteError, ValueError) as error:
        print(f"FAILED: {error}", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
