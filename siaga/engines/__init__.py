"""Pure-Python engines (linkage, nlp, risk, planning): no Django, no HTTP.

They take and return plain data; an app's service adapts them to the database. The test
``tests/test_engine_boundary.py`` imports every module here with Django not configured.
"""
