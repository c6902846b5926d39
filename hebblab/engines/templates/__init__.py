"""The scripts `hebblab export` writes, one per engine and lab (`<engine>_<lab>.py`).

Each is a standalone program once its experiment block is filled in (export.py); the NEST
ones are also imported by nest_run.py, which calls their simulate() in this process.
They import their simulator at the top: import one only where that simulator is installed.
"""
