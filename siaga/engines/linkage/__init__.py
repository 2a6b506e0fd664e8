"""Record linkage for the voter roll (DPT): pure Python, no Django.

``names`` normalises Indonesian personal names (titles and degrees, Muhammad and Siti variants,
old spellings, compound names, bin/binti) and gives keys for comparison and blocking; ``nik``
parses the 16-digit NIK into region, birth date, sex and serial and measures NIK and birth-date
typos. The probabilistic model built on these features lives next to them.
"""
