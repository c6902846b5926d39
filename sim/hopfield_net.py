"""A Hopfield network with Hebbian outer-product weights, and its mean-field capacity theory.

Cells s_i = +/-1; patterns xi^mu (+/-1). Storing pattern mu adds xi^mu xi^mu^T to the
integer matrix J (diagonal kept at 0); the weights are w = J / N, so every field and energy
below is exact integer arithmetic divided by N (no rounding can make the energy rise).
Asynchronous update of cell i: s_i = sign(h_i), h = J s, kept when h_i = 0. A flip of cell i
changes E = -1/2 s.w.s by -2|h_i|/N < 0, so the energy falls at every flip (Hopfield 1982).

Capacity (Amit, Gutfreund & Sompolinsky 1985, zero temperature, N -> infinity): the overlap
m of the retrieval state solves erf(y) = y (sqrt(2 alpha) + (2/sqrt(pi)) exp(-y^2)),
m = erf(y), which has a solution only below alpha_c = 0.1379 (m = 0.967 there: 1.6 % wrong
bits); above it only states with m = 0 in the limit remain.
"""

from __future__ import annotations

import functools
import math

import numpy as np

# 5x7 capitals, one string per row ('#' = on). Drawn scaled to fill a square grid.
FONT = {
    "A": (".###.", "#...#", "#...#", "#####", "#...#", "#...#", "#...#"),
    "B": ("####.", "#...#", "#...#", "####.", "#...#", "#...#", "####."),
    "C": (".###.", "#...#", "#....", "#....", "#....", "#...#", ".###."),
    "D": ("####.", "#...#", "#...#", "#...#", "#...#", "#...#", "####."),
    "E": ("#####", "#....", "#....", "####.", "#....", "#....", "#####"),
    "F": ("#####", "#....", "#....", "####.", "#....", "#....", "#...."),
    "G": (".###.", "#...#", "#....", "#.###", "#...#", "#...#", ".####"),
    "H": ("#...#", "#...#", "#...#", "#####", "#...#", "#...#", "#...#"),
    "I": ("#####", "..#..", "..#..", "..#..", "..#..", "..#..", "#####"),
    "J": ("..###", "...#.", "...#.", "...#.", "...#.", "#..#.", ".##.."),
    "K": ("#...#", "#..#.", "#.#..", "##...", "#.#..", "#..#.", "#...#"),
    "L": ("#....", "#....", "#....", "#....", "#....", "#....", "#####"),
    "M": ("#...#", "##.##", "#.#.#", "#.#.#", "#...#", "#...#", "#...#"),
    "N": ("#...#", "##..#", "#.#.#", "#..##", "#...#", "#...#", "#...#"),
    "O": (".###.", "#...#", "#...#", "#...#", "#...#", "#...#", ".###."),
    "P": ("####.", "#...#", "#...#", "####.", "#....", "#....", "#...."),
    "Q": (".###.", "#...#", "#...#", "#...#", "#.#.#", "#..#.", ".##.#"),
    "R": ("####.", "#...#", "#...#", "####.", "#.#..", "#..#.", "#...#"),
    "S": (".####", "#....", "#....", ".###.", "....#", "....#", "####."),
    "T": ("#####", "..#..", "..#..", "..#..", "..#..", "..#..", "..#.."),
    "U": ("#...#", "#...#", "#...#", "#...#", "#...#", "#...#", ".###."),
    "V": ("#...#", "#...#", "#...#", "#...#", "#...#", ".#.#.", "..#.."),
    "W": ("#...#", "#...#", "#...#", "#.#.#", "#.#.#", "##.##", "#...#"),
    "X": ("#...#", "#...#", ".#.#.", "..#..", ".#.#.", "#...#", "#...#"),
    "Y": ("#...#", "#...#", ".#.#.", "..#..", "..#..", "..#..", "..#.."),
    "Z": ("#####", "....#", "...#.", "..#..", ".#...", "#....", "#####"),
}
# Letters in the order they are stored: each next one the least correlated with those before
# (see letter_order), so a few letters are as distinct as letters get.
LETTER_ORDER = "HZQSYJKTVFLXCBRUMWAGDNEIPO"


def glyph(letter: str, side: int) -> np.ndarray:
    """A letter as a (side, side) array of +/-1 (+1 = ink), the 5x7 font stretched to fill it."""
    rows = FONT[letter]
    r = np.minimum((np.arange(side) * 7) // side, 6)
    c = np.minimum((np.arange(side) * 5) // side, 4)
    on = np.array([[ch == "#" for ch in row] for row in rows])
    return np.where(on[np.ix_(r, c)], 1, -1).astype(np.int8)


def letter_patterns(n_patterns: int, side: int) -> tuple[np.ndarray, list[str]]:
    """The first n_patterns letters of LETTER_ORDER as rows of +/-1 (length side*side)."""
    letters = list(LETTER_ORDER[:n_patterns])
    return np.stack([glyph(ch, side).ravel() for ch in letters]), letters


def letter_order(side: int = 20) -> str:
    """How LETTER_ORDER was chosen: greedily, the letter whose largest |overlap| with the
    letters already taken is smallest (ties: alphabetical), starting from H."""
    pats = {ch: glyph(ch, side).ravel().astype(float) for ch in FONT}
    order = ["H"]
    while len(order) < len(pats):
        rest = sorted(set(pats) - set(order))
        order.append(min(rest, key=lambda ch: max(abs(pats[ch] @ pats[o]) for o in order)))
    return "".join(order)


def random_patterns(rng: np.random.Generator, n_patterns: int, n_cells: int) -> np.ndarray:
    """(P, N) int8 array, each bit +1 or -1 with probability 1/2."""
    return np.where(rng.random((n_patterns, n_cells)) < 0.5, 1, -1).astype(np.int8)


def outer_product_sum(patterns: np.ndarray) -> np.ndarray:
    """J = sum_mu xi^mu xi^mu^T with zero diagonal, as int64 (w = J / N)."""
    x = np.asarray(patterns, dtype=float)
    J = np.rint(x.T @ x).astype(np.int64)  # float matmul is exact for these integers, and fast
    np.fill_diagonal(J, 0)
    return J


class HopfieldNet:
    """State of one network: integer couplings J (w = J/N), cells s, fields h = J s and
    overlaps with every pattern. Patterns are added one at a time by `store`."""

    def __init__(self, patterns: np.ndarray):
        self.patterns = np.asarray(patterns, dtype=np.int8)
        self.P, self.N = self.patterns.shape
        self._xi = self.patterns.astype(np.int64)
        self.J = np.zeros((self.N, self.N), dtype=np.int64)
        self.stored = 0
        self.s = np.ones(self.N, dtype=np.int64)
        self.h = np.zeros(self.N, dtype=np.int64)
        self.M = self._xi @ self.s  # N * overlap with each pattern

    def store(self, mu: int) -> None:
        """Hebbian growth: J += xi xi^T (no self-connection)."""
        x = self._xi[mu]
        self.J += np.outer(x, x)
        np.fill_diagonal(self.J, 0)
        self.stored += 1
        self.h = self.J @ self.s

    def set_state(self, s: np.ndarray) -> None:
        self.s = np.asarray(s, dtype=np.int64).copy()
        self.h = self.J @ self.s
        self.M = self._xi @ self.s

    def flip(self, i: int) -> int:
        """Flip cell i (it disagreed with its field); returns |h_i| (the energy falls by 2|h_i|/N)."""
        dh = abs(int(self.h[i]))
        self.s[i] = -self.s[i]
        two_s = 2 * self.s[i]
        self.h += two_s * self.J[i]  # J is symmetric (row i = column i), J_ii = 0: h_i is unchanged
        self.M += two_s * self._xi[:, i]
        return dh

    def relax_async(self, cells: np.ndarray) -> np.ndarray:
        """Update `cells` one after another (asynchronous); returns the positions (in `cells`)
        of the updates that flipped a cell."""
        flipped = []
        pos, n = 0, len(cells)
        while pos < n:
            seg = cells[pos:]
            bad = self.s[seg] * self.h[seg] < 0  # sign(h) disagrees (h = 0 keeps the state)
            j = int(np.argmax(bad))
            if not bad[j]:
                break
            self.flip(int(seg[j]))
            flipped.append(pos + j)
            pos += j + 1
        return np.asarray(flipped, dtype=np.int64)

    def update_sync(self) -> int:
        """Every cell at once (Little dynamics): s = sign(h), kept where h = 0; returns flips."""
        new = np.where(self.h > 0, 1, np.where(self.h < 0, -1, self.s))
        flips = int(np.count_nonzero(new != self.s))
        if flips:
            self.set_state(new)
        return flips

    def is_fixed_point(self) -> bool:
        return not np.any(self.s * self.h < 0)

    def energy(self) -> float:
        """E = -1/2 sum_ij w_ij s_i s_j."""
        return -0.5 * float(self.s @ self.h) / self.N

    def overlaps(self) -> np.ndarray:
        """m_mu = (1/N) sum_i xi_i^mu s_i for every pattern."""
        return self.M / self.N

    def weights(self) -> np.ndarray:
        return self.J / self.N


# -- mean-field theory --------------------------------------------------------------------
def _gap(y: float, alpha: float) -> float:
    return math.erf(y) - y * (math.sqrt(2.0 * alpha) + 2.0 / math.sqrt(math.pi) * math.exp(-y * y))


@functools.lru_cache(maxsize=4096)  # charts ask for the same grid of loads again and again
def retrieval_overlap(alpha: float) -> float:
    """Overlap m of the retrieval state at load alpha = P/N in the N -> infinity limit
    (Amit, Gutfreund & Sompolinsky 1985, T = 0); 0 where no retrieval state exists."""
    if alpha <= 0.0:
        return 1.0
    # _gap(y) falls, rises to a local maximum at y2 > 1 (where y^2 exp(-y^2) = c), then falls
    # for good; the retrieval state is the root beyond y2, if _gap(y2) >= 0.
    c = math.sqrt(2.0 * alpha) * math.sqrt(math.pi) / 4.0
    if c >= math.exp(-1.0):
        return 0.0
    lo, hi = 1.0, 1.0 / math.sqrt(2.0 * alpha) + 2.0  # y^2 exp(-y^2) - c: >= 0 at lo, < 0 at hi
    for _ in range(60):
        mid = 0.5 * (lo + hi)
        lo, hi = (mid, hi) if mid * mid * math.exp(-mid * mid) >= c else (lo, mid)
    y2 = lo
    if _gap(y2, alpha) < 0.0:
        return 0.0
    lo, hi = y2, 1.0 / math.sqrt(2.0 * alpha) + 1.0  # _gap >= 0 at lo, < 0 at hi (erf < 1)
    for _ in range(60):
        mid = 0.5 * (lo + hi)
        lo, hi = (mid, hi) if _gap(mid, alpha) >= 0.0 else (lo, mid)
    return math.erf(lo)


def critical_load() -> float:
    """alpha_c: the largest load with a retrieval state (bisection on retrieval_overlap)."""
    lo, hi = 0.1, 0.2  # a retrieval state exists at lo, not at hi
    for _ in range(60):
        mid = 0.5 * (lo + hi)
        lo, hi = (mid, hi) if retrieval_overlap(mid) > 0.0 else (lo, mid)
    return lo


ALPHA_C = critical_load()  # 0.1379
