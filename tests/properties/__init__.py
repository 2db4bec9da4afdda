"""Property tests: each names its property and the oracle it is checked against."""
