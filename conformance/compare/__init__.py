"""What people act on after a run: the switching gate, the regression diff and the shard merge.

- :func:`compare_gateways` (``kling-conformance compare``): what breaks for a client of gateway A on B.
- :func:`diff_reports` (``kling-conformance diff``): what changed between two runs.
- :func:`merge_reports` (``kling-conformance merge``): one report from the shards of a run.
"""

from __future__ import annotations

from conformance.compare.merge import merge_reports
from conformance.compare.model import Comparison, Difference, Kind
from conformance.compare.regression import RegressionDiff, diff_reports
from conformance.compare.switching import compare_gateways
from conformance.compare.uses import Uses, load_uses

__all__ = [
    "Comparison",
    "Difference",
    "Kind",
    "RegressionDiff",
    "Uses",
    "compare_gateways",
    "diff_reports",
    "load_uses",
    "merge_reports",
]
