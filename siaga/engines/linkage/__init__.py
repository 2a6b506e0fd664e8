"""Record linkage for the voter roll (DPT): pure Python, no Django.

``names`` normalises Indonesian personal names (titles and degrees, Muhammad and Siti variants,
old spellings, compound names, bin/binti) and gives keys for comparison and blocking; ``nik``
parses the 16-digit NIK into region, birth date, sex and serial and measures NIK and birth-date
typos. The probabilistic model built on these features lives next to them.
"""

# The default match probability for a double registration, chosen on
# benchmarks/voters_dedup.py (100 k and 300 k voters): F1 within 0.004 of the best threshold at
# each size, with precision 0.99; see docs/voters.md. The command, the search over the stored
# roll and the demo all use it.
DEFAULT_THRESHOLD = 0.8
