"""Linmas allocation, solved exactly without the solver.

Linmas are the civil guards of a desa and serve only that desa's TPS, so every desa is a
separate pool of interchangeable people. Giving each TPS its pattern in order of risk (highest
first) leaves any shortfall on the lowest-risk TPS of the desa, which is exactly what the
weighted model would do; keeping it out of the solver keeps the model small. Among several
Linmas units of one desa the nearest with people left is used first.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Sequence

from siaga.engines.planning.model import Station
from siaga.engines.planning.reach import Reach


def allocate_linmas(
    stations: Sequence[Station], need: Sequence[int], reaches: Sequence[Reach]
) -> tuple[list[tuple[str, int, int]], list[int]]:
    """``(unit_id, station_index, linmas)`` triples and the Linmas missing per station.

    ``need[i]`` is the pattern's Linmas for station ``i``; ``reaches`` are the Linmas units'
    reaches (their desa's TPS, with travel in km).
    """
    left = {r.unit.id: r.unit.count for r in reaches}
    # per station: the Linmas units that reach it, nearest first
    options: dict[int, list[tuple[float, str]]] = defaultdict(list)
    for r in reaches:
        if r.unit.count <= 0:
            continue
        for i, km in zip(r.stations.tolist(), r.km.tolist(), strict=True):
            options[i].append((km, r.unit.id))
    order = sorted(range(len(stations)), key=lambda i: (-stations[i].risk, stations[i].id))
    allocations: list[tuple[str, int, int]] = []
    missing = list(need)
    for i in order:
        if missing[i] <= 0:
            continue
        for _, unit_id in sorted(options.get(i, ())):
            take = min(left[unit_id], missing[i])
            if take:
                allocations.append((unit_id, i, take))
                left[unit_id] -= take
                missing[i] -= take
            if not missing[i]:
                break
    return allocations, missing
