"""``python -m conformance`` does the same as ``kling-conformance``."""

import sys

try:
    from conformance.cli import main
except KeyboardInterrupt:  # Ctrl-C while the package itself is still importing
    sys.exit(130)

if __name__ == "__main__":
    main()
