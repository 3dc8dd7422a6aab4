"""``python -m bench``: the whole benchmark (see bench/suite.py, bench/run.py and docs/performance.md)."""

from bench.suite import main

main()
