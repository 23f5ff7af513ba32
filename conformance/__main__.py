"""``python -m conformance`` does the same as ``kling-conformance``."""

from conformance.cli import main

if __name__ == "__main__":
    main()
