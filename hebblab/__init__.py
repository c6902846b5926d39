"""hebblab: a terminal laboratory for spiking neurons and synaptic learning.

One installed namespace, four layers (docs/architecture.md):
    hebblab.sim   engine and labs, pure numpy      (repository folder sim/)
    hebblab.*     shared by both front ends: run files, chart data, errors (hebblab/)
    hebblab.cli   headless commands, never textual (cli/)
    hebblab.tui   the Textual app                  (tui/)
"""

__version__ = "0.1.0"
