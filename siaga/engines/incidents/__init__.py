"""Pure computations on incident reports (no Django): near-duplicate suggestions."""
