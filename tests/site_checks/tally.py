"""The fault drills' tally (tests/test_faults.py): how many faults were planted and caught.

Each xdist worker counts its own; tests/conftest.py sends them to the controller, which
prints one line for the whole run.
"""

TALLY = {"planted": 0, "caught": 0}
