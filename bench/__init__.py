"""shenpi's benchmark (issue 5): ``python -m bench``; not part of the test suite. See docs/performance.md."""
