"""Recorders with bounded memory: a lab that runs for an hour must not grow.

`RingBuffer` keeps the most recent `capacity` rows; `SpikeRecorder` keeps recent
spikes in a ring plus exact running totals (count, first/last time per cell) so
rates over the whole run never depend on what the ring still holds.
"""

from __future__ import annotations

import numpy as np


class RingBuffer:
    """Fixed-capacity FIFO of rows of shape `row_shape`; `view()` is oldest-first."""

    def __init__(self, capacity: int, row_shape: tuple[int, ...] = (), dtype=np.float64):
        if capacity < 1:
            raise ValueError("capacity must be >= 1")
        self.capacity = int(capacity)
        self._data = np.zeros((self.capacity, *row_shape), dtype=dtype)
        self._next = 0  # where the next row goes
        self.total = 0  # rows ever appended

    def __len__(self) -> int:
        return min(self.total, self.capacity)

    @property
    def nbytes(self) -> int:
        return self._data.nbytes

    def append(self, rows: np.ndarray) -> None:
        """Append a block of rows (shape (k, *row_shape))."""
        rows = np.asarray(rows, dtype=self._data.dtype)
        k = rows.shape[0]
        if k == 0:
            return
        if k >= self.capacity:  # only the tail survives
            self._data[:] = rows[-self.capacity :]
            self._next = 0
        else:
            end = self._next + k
            if end <= self.capacity:
                self._data[self._next : end] = rows
            else:
                first = self.capacity - self._next
                self._data[self._next :] = rows[:first]
                self._data[: k - first] = rows[first:]
            self._next = end % self.capacity
        self.total += k

    def view(self) -> np.ndarray:
        """A copy of the stored rows, oldest first."""
        if self.total < self.capacity:
            return self._data[: self.total].copy()
        return np.concatenate([self._data[self._next :], self._data[: self._next]])

    def indices(self) -> np.ndarray:
        """Absolute row numbers of `view()`, oldest first (0 = the first row ever appended).

        For a buffer that gets one row per time step (or per bin), these are the steps (bins)
        the held rows belong to, so labs derive the time axis instead of recording it."""
        return np.arange(self.total - len(self), self.total)

    def last(self) -> np.ndarray:
        if self.total == 0:
            raise IndexError("empty ring buffer")
        return self._data[(self._next - 1) % self.capacity].copy()


class SpikeRecorder:
    """Spikes of `n_cells` cells: recent (time, cell) pairs and whole-run totals."""

    def __init__(self, n_cells: int, capacity: int = 100_000):
        self.n_cells = int(n_cells)
        self.times = RingBuffer(capacity, dtype=np.float64)
        self.cells = RingBuffer(capacity, dtype=np.int32)
        self.counts = np.zeros(self.n_cells, dtype=np.int64)
        self.first_ms = np.full(self.n_cells, np.nan)
        self.last_ms = np.full(self.n_cells, np.nan)
        # Sums of (ISI - ref) and its square per cell, for the CV of the ISI over the whole
        # run; ref is the cell's first ISI. Shifting avoids cancellation in E[x^2] - E[x]^2,
        # which made a clockwork cell's CV ~1e-8 instead of 0.
        self._isi_ref = np.full(self.n_cells, np.nan)
        self._isi_sum = np.zeros(self.n_cells)
        self._isi_sq = np.zeros(self.n_cells)

    def record(self, times_ms: np.ndarray, cells: np.ndarray) -> None:
        """Record spikes given in time order (cells may repeat within a block)."""
        times_ms = np.asarray(times_ms, dtype=np.float64)
        cells = np.asarray(cells, dtype=np.int64)
        if times_ms.size == 0:
            return
        self.times.append(times_ms)
        self.cells.append(cells)
        # Per-cell ISIs inside this block, plus the gap from each cell's previous spike.
        order = np.lexsort((times_ms, cells))
        c, t = cells[order], times_ms[order]
        new_cell = np.ones(c.size, dtype=bool)
        new_cell[1:] = c[1:] != c[:-1]
        prev = np.empty_like(t)
        prev[1:] = t[:-1]
        prev[new_cell] = self.last_ms[c[new_cell]]
        isi = t - prev
        ok = ~np.isnan(isi)
        ci, iv = c[ok], isi[ok]
        need = np.isnan(self._isi_ref[ci])
        if need.any():  # (cell, time) order: np.unique's first index is each cell's first ISI
            cells_new, first = np.unique(ci[need], return_index=True)
            self._isi_ref[cells_new] = iv[need][first]
        d = iv - self._isi_ref[ci]
        np.add.at(self._isi_sum, ci, d)
        np.add.at(self._isi_sq, ci, d ** 2)
        np.add.at(self.counts, c, 1)
        firsts = c[new_cell]
        unseen = np.isnan(self.first_ms[firsts])
        self.first_ms[firsts[unseen]] = t[new_cell][unseen]
        last_idx = np.flatnonzero(np.append(c[1:] != c[:-1], True))
        self.last_ms[c[last_idx]] = t[last_idx]

    @property
    def total(self) -> int:
        return int(self.counts.sum())

    def isi_rate_hz(self) -> np.ndarray:
        """Per-cell rate from the mean ISI (NaN for cells with fewer than 2 spikes)."""
        with np.errstate(invalid="ignore", divide="ignore"):
            mean_isi = (self.last_ms - self.first_ms) / (self.counts - 1)
            rate = 1000.0 / mean_isi
        rate[self.counts < 2] = np.nan
        return rate

    def cv_isi(self) -> np.ndarray:
        """Per-cell coefficient of variation of the ISI (NaN for fewer than 3 spikes)."""
        n = self.counts - 1
        with np.errstate(invalid="ignore", divide="ignore"):
            shift = self._isi_sum / n  # mean of ISI - ref
            var = self._isi_sq / n - shift**2
            cv = np.sqrt(np.maximum(var, 0.0)) / (self._isi_ref + shift)
            # Round-off floor: spike times t carry a relative error of eps, so an ISI is known
            # to about 2 eps |t_last| and a clockwork cell's CV comes out ~1e-16, not 0. CVs
            # below 8 eps |t_last| / mean ISI (4x that bound) are that error: they are 0.
            floor = 8 * np.finfo(float).eps * np.abs(self.last_ms) / (self._isi_ref + shift)
            cv[cv <= floor] = 0.0
        cv[self.counts < 3] = np.nan
        return cv

    def recent(self) -> tuple[np.ndarray, np.ndarray]:
        """The spikes still held: (times_ms, cells), oldest first."""
        return self.times.view(), self.cells.view()
