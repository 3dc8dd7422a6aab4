"""shenpi's benchmark: ``python -m bench``; not part of the test suite. See docs/performance.md."""
