"""Risk engine: the TPS vulnerability index, its roll-up to areas, and early-warning rules.

Pure Python (numpy, scipy), no Django. ``siaga.risk`` services read indicator values from the
database and the live providers, call these functions and store or render the result:

* :func:`compute_index` / :func:`score_one`: points per indicator, score 0-100, category, and
  the explanation of a score (``index``);
* :func:`rollup`: TPS to desa, kecamatan, kabupaten, provinsi (``rollup``);
* :func:`rising_trend`: counts above an area's recent baseline, Poisson or negative binomial
  test (``trend``);
* :func:`incident_clusters`: related incidents close in place and time (``clusters``);
* :func:`category_rises`: what crossed into a higher category since the last run (``changes``).
"""

from siaga.engines.risk.changes import Rise, category_rises
from siaga.engines.risk.clusters import EARTH_RADIUS_KM, Cluster, Event, incident_clusters
from siaga.engines.risk.index import (
    CATEGORIES,
    Contribution,
    IndexResult,
    Indicator,
    Thresholds,
    compute_index,
    score_one,
)
from siaga.engines.risk.rollup import LEVELS, AreaScores, rollup
from siaga.engines.risk.trend import TrendResult, daily_counts, rising_trend

__all__ = [
    "CATEGORIES",
    "EARTH_RADIUS_KM",
    "LEVELS",
    "AreaScores",
    "Cluster",
    "Contribution",
    "Event",
    "IndexResult",
    "Indicator",
    "Rise",
    "Thresholds",
    "TrendResult",
    "category_rises",
    "compute_index",
    "daily_counts",
    "incident_clusters",
    "rising_trend",
    "rollup",
    "score_one",
]
