"""`hebblab run ... --nwb FILE.nwb`: the run as a Neurodata Without Borders file (pynwb).

What goes where (times in seconds, as NWB wants them):
  units                      spike times, one unit per recorded cell (lif: every cell and
                             spike the lab holds; labs with a raster: its cells, with the
                             `cell` index and `population`; stdp: the output cell)
  acquisition                every recorded trace (the lab's "trace" series: membrane
                             potential, currents, population rates, ...) as a TimeSeries with
                             its unit (mV -> volts, conversion 1e-3) and sampling rate
  processing/hebblab         `<weights>_history`: the weight history (the lab's weight
                             series, sampled during the run: time and every synapse's weight
                             per row), `parameters` (name, value, unit, help) and `metrics`
                             tables
  subject                    the simulated model (made at the start of the run)
  file metadata              lab, preset, seed, duration, parameters and hebblab version
                             (notes: one JSON object), the preset's description, keywords

To sample spikes and weights along the way the run is stepped in chunks: a lab gives the
same state however its steps are split (hebblab.sim.labs.base), so the metrics are those
of the plain run. The file is written whole or not at all.
"""

from __future__ import annotations

import json
import math
import re
import uuid
from datetime import datetime, timezone
from typing import Any

import numpy as np

import hebblab
from hebblab.engines.files import check_out_file, write_atomic
from hebblab.errors import UsageError

MAX_WEIGHT_SAMPLES = 200  # rows of the weight history
CHUNK_MS = 500.0  # biological time between samples: shorter than the labs' raster windows
# an axis label's unit -> (NWB unit, conversion to it)
SI_UNITS = {"mV": ("volts", 1e-3), "V": ("volts", 1.0), "nA": ("amperes", 1e-9), "pA": ("amperes", 1e-12),
            "ms": ("seconds", 1e-3), "s": ("seconds", 1.0), "Hz": ("Hz", 1.0)}


class NwbRecorder:
    """Watches one lab's run (created before it starts) and writes the NWB file after it."""

    def __init__(self, path: str, lab, duration_ms: float):
        from hebblab.engines import need

        need("pynwb", "nwb", "--nwb")
        if not str(path).lower().endswith(".nwb"):
            raise UsageError(f"--nwb: expected a file name ending in .nwb, got {path!r}")
        check_out_file(path, "--nwb")
        self.path = path
        self.lab = lab
        total = max(1, lab.steps_for(duration_ms))
        self.chunk_steps = max(1, min(total, int(CHUNK_MS / lab.dt_ms)))
        n_chunks = max(1, math.ceil(total / self.chunk_steps))
        self.weight_every = max(1, math.ceil(n_chunks / MAX_WEIGHT_SAMPLES))
        self.weight_names = [s.name for s in lab.series_specs
                             if "weight" in s.name and s.kind in ("matrix", "scatter")]
        self.weight_t: list[float] = []
        self.weight_rows: dict[str, list[np.ndarray]] = {name: [] for name in self.weight_names}
        self.raster: dict[str, list[tuple]] = {}  # series -> [(times, rows, groups)]
        self._raster_seen: dict[str, float] = {}
        self.output_steps: list[int] = []  # stdp: the output cell's spike steps
        self._chunks = 0
        self._sample(weights=True)
        step = lab.step

        def chunked_step(n: int = 1) -> None:  # same steps, split: the same run
            while n > 0 and not lab.diverged:
                k = min(n, self.chunk_steps)
                step(k)
                n -= k
                self._chunks += 1
                self._sample(weights=self._chunks % self.weight_every == 0 or n == 0)

        lab.step = chunked_step

    # -- during the run -------------------------------------------------------------------
    def _sample(self, weights: bool) -> None:
        lab = self.lab
        series = lab.series() if (weights and self.weight_names) or not hasattr(lab, "spike_data") else {}
        if weights and self.weight_names:
            self.weight_t.append(lab.t_ms)
            for name in self.weight_names:
                self.weight_rows[name].append(np.asarray(series[name].y, dtype=float).ravel().copy())
        if not hasattr(lab, "spike_data"):  # labs that keep a raster window: take what is new
            for name, s in series.items():
                if s.spec.kind != "raster" or s.x is None:
                    continue
                after = self._raster_seen.get(name, -math.inf)
                new = np.asarray(s.x) > after
                if np.any(new):
                    groups = None if s.groups is None else np.asarray(s.groups)[new]
                    self.raster.setdefault(name, []).append((np.asarray(s.x)[new], np.asarray(s.y)[new], groups))
                    self._raster_seen[name] = float(np.max(np.asarray(s.x)[new]))
        recent = getattr(lab, "recent", None)  # stdp: output spike steps of the last 10 s
        if recent is not None and lab.name == "stdp":
            last = self.output_steps[-1] if self.output_steps else 0
            self.output_steps.extend(k for k in recent if k > last)

    # -- after the run ----------------------------------------------------------------------
    def write(self, record: dict[str, Any]) -> None:
        from pynwb import NWBHDF5IO

        nwbfile = self.build(record)

        def save(tmp: str) -> None:
            with NWBHDF5IO(tmp, "w") as io:
                io.write(nwbfile)

        write_atomic(self.path, save, "--nwb")

    def build(self, record: dict[str, Any]):
        from pynwb import NWBFile
        from pynwb.file import Subject

        lab = self.lab
        preset = lab.preset(record["preset"])
        meta = {k: record[k] for k in ("lab", "preset", "seed", "duration_ms", "params")}
        meta["hebblab_version"] = hebblab.__version__
        start = datetime.now(timezone.utc)
        nwbfile = NWBFile(
            session_description=f"hebblab simulation, lab {lab.name}: {lab.title}",
            identifier=str(uuid.uuid4()),
            session_start_time=start,
            experiment_description=f"preset {preset.name}: {preset.description}",
            notes=json.dumps(meta, allow_nan=False),
            source_script=f"hebblab {hebblab.__version__} (lab {lab.name}, preset {record['preset']}, "
                          f"seed {record['seed']}, {record['duration_ms']:g} ms)",
            source_script_file_name="hebblab",
            keywords=["hebblab", "simulation", lab.name],
            # a simulated model, made when the run starts; no species, sex unknown
            subject=Subject(subject_id=f"hebblab-{lab.name}", sex="U", date_of_birth=start,
                            description=f"in silico: hebblab's {lab.name} lab ({lab.title})"),
        )
        self._add_units(nwbfile)
        self._add_traces(nwbfile)
        module = nwbfile.create_processing_module(
            "hebblab", f"hebblab's run of lab {lab.name}: parameters, metrics and weight history")
        self._add_weights(module)
        module.add(self._table("parameters", "every parameter of the run",
                               [(name, _text(value), lab.spec(name).unit, lab.spec(name).help)
                                for name, value in record["params"].items()],
                               ("parameter", "value", "unit", "help")))
        scalars = [(k, _text(v)) for k, v in record["metrics"].items() if not isinstance(v, (list, dict))]
        module.add(self._table("metrics", "the run's metrics, as `hebblab run --json` prints them",
                               scalars, ("metric", "value")))
        return nwbfile

    def _add_units(self, nwbfile) -> None:
        lab = self.lab
        trains: list[tuple[np.ndarray, int, str]] = []  # (times_s, cell, population)
        if hasattr(lab, "spike_data"):  # the lab keeps every cell's spikes (lif)
            times, cells = lab.spike_data()
            for c in range(int(getattr(lab, "n", 1))):
                trains.append((np.asarray(times)[np.asarray(cells) == c] / 1000.0, c, ""))
            description = "every cell's spike times (the most recent ones the lab keeps)"
        elif self.raster:
            name = next(iter(self.raster))
            parts = self.raster[name]
            t = np.concatenate([p[0] for p in parts])
            rows = np.concatenate([p[1] for p in parts]).astype(np.int64)
            labels = lab.series()[name].labels
            groups = None if parts[0][2] is None else np.concatenate([p[2] for p in parts]).astype(np.int64)
            cell_of = getattr(lab, "sample", None)
            for r in np.unique(rows):
                mask = rows == r
                cell = int(cell_of[r]) if cell_of is not None else int(r)
                pop = labels[int(groups[mask][0])] if groups is not None and labels else ""
                trains.append((np.sort(t[mask]) / 1000.0, cell, pop))
            description = f"spike times of the cells in the lab's `{name}` series"
        elif lab.name == "stdp":
            trains.append((np.asarray(self.output_steps, dtype=float) * lab.dt_ms / 1000.0, 0, "output"))
            description = "the output cell's spike times"
        else:
            return
        from pynwb.misc import Units

        units = Units(name="units", description=description,
                      resolution=lab.dt_ms / 1000.0)  # spike times lie on the dt grid
        units.add_column("cell", "the cell's index in the lab")
        units.add_column("population", "the cell's population (E, I, output) where the lab has one")
        for times_s, cell, pop in trains:
            units.add_unit(spike_times=times_s, cell=cell, population=pop)
        nwbfile.units = units

    def _add_traces(self, nwbfile) -> None:
        from pynwb import TimeSeries

        for name, s in self.lab.series().items():
            if s.spec.kind != "trace" or s.x is None or np.size(s.x) < 2:
                continue
            x = np.asarray(s.x, dtype=float)
            y = np.asarray(s.y, dtype=float)
            data = y.T if y.ndim == 2 else y  # NWB: time first
            unit, conversion = nwb_unit(s.spec.ylabel)
            time_unit, to_s = nwb_unit(s.spec.xlabel)
            to_s = to_s if time_unit == "seconds" else 1e-3
            labels = f" Columns: {', '.join(s.labels)}." if s.labels and data.ndim == 2 else ""
            kw: dict[str, Any] = {"name": name, "data": data, "unit": unit, "conversion": conversion,
                                  "description": f"{s.spec.title}: {s.spec.help}.{labels}".replace("..", ".")}
            step = np.diff(x)
            if np.allclose(step, step[0], rtol=1e-6, atol=0):
                kw.update(starting_time=x[0] * to_s, rate=1.0 / (step[0] * to_s))
            else:
                kw["timestamps"] = x * to_s
            nwbfile.add_acquisition(TimeSeries(**kw))

    def _add_weights(self, module) -> None:
        """One table per weight series: a row per sample, its time and every synapse's weight
        (a table rather than a TimeSeries: there are more synapses than samples)."""
        from hdmf.common import DynamicTable, VectorData

        for name in self.weight_names:
            rows = self.weight_rows[name]
            if not rows or len({r.size for r in rows}) != 1:
                continue
            spec = self.lab.series_spec(name)
            unit = (spec.ylabel if spec.kind == "scatter" else "") or "weight"
            order = " (the matrix row by row)" if spec.kind == "matrix" else ""
            module.add(DynamicTable(
                name=f"{name}_history",
                description=f"{spec.title} during the run: {spec.help}",
                columns=[VectorData(name="time", description="time of the sample, in seconds",
                                    data=np.asarray(self.weight_t) / 1000.0),
                         VectorData(name="weights", description=f"every synapse's weight, in {unit}{order}",
                                    data=np.vstack(rows))]))

    @staticmethod
    def _table(name: str, description: str, rows, columns):
        from hdmf.common import DynamicTable

        table = DynamicTable(name=name, description=description)
        for column in columns:
            table.add_column(column, f"the {column}")
        for row in rows:
            table.add_row(**dict(zip(columns, (str(v) for v in row))))
        return table


def nwb_unit(label: str) -> tuple[str, float]:
    """The NWB unit and conversion for an axis label such as 'V (mV)' or 'rate (Hz)'."""
    found = re.search(r"\(([^()]*)\)\s*$", label or "")
    unit = found.group(1).strip() if found else ""
    if unit in SI_UNITS:
        return SI_UNITS[unit]
    return (unit or "n.a.", 1.0)


def _text(value: Any) -> str:
    if isinstance(value, float):
        return repr(value)
    return json.dumps(value) if not isinstance(value, str) else value
