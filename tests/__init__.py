"""The test suite; it mirrors the packages (tests/simulator, tests/architectures, ...)."""
