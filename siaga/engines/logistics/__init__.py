"""Logistics engine: requirements per TPS, reconciliation, delay risk. Pure Python, no Django.

``siaga.logistics`` services read the database, build these plain dataclasses, call the
functions here and write or render the result; nothing here knows about models or requests.
"""

from siaga.engines.logistics.delay import (
    BASIS_MODE,
    BASIS_PLAN,
    BASIS_ROUTE,
    FACTOR_BOUNDS,
    OVERDUE_REMAINDER,
    VULNERABILITY_RANK,
    Factors,
    LegHistory,
    OpenLeg,
    Prediction,
    duration_factors,
    predict,
    rank_at_risk,
)
from siaga.engines.logistics.reconciliation import (
    Line,
    Movement,
    Reconciliation,
    Rollup,
    TpsInfo,
    reconcile,
)
from siaga.engines.logistics.requirements import (
    DPT_BAND,
    DPT_RESERVE,
    FIXED,
    RULE_KINDS,
    Rule,
    compile_rule,
    required_quantity,
    requirements,
    validate_rule,
)

__all__ = [
    "BASIS_MODE",
    "BASIS_PLAN",
    "BASIS_ROUTE",
    "DPT_BAND",
    "DPT_RESERVE",
    "FACTOR_BOUNDS",
    "FIXED",
    "OVERDUE_REMAINDER",
    "RULE_KINDS",
    "VULNERABILITY_RANK",
    "Factors",
    "LegHistory",
    "Line",
    "Movement",
    "OpenLeg",
    "Prediction",
    "Reconciliation",
    "Rollup",
    "Rule",
    "TpsInfo",
    "compile_rule",
    "duration_factors",
    "predict",
    "rank_at_risk",
    "reconcile",
    "required_quantity",
    "requirements",
    "validate_rule",
]
