"""Credits and payments: a registry ledger per province and the owners' payment rule.

Standard followed: Verra VCS, the way it credits Improved Forest Management by extended rotation
(VM0003) — the activity the scheme pays for is owners lengthening (or not shortening) their
rotations — with the VCS AFOLU non-permanence rules (AFOLU Non-Permanence Risk Tool v4.2: a
buffer share of every issuance goes to a pooled buffer account; a loss is covered from the buffer
first and the project issues nothing more until it has regrown past the level of the loss) and
the VCS market-leakage discount for projects that reduce harvests (VM0010 / VCS AFOLU
Requirements: 40 % when the project's merchantable share of biomass is like that of the forests
the timber market turns to, 20 % below, 70 % above). VCS rather than ART-TREES because the
scheme pays for a counterfactual of the same stands (a project baseline), not for a
jurisdiction's historical reference level; the reference-level option keeps the jurisdictional
variant (cumulative net absorption above a fixed level) under the same ledger.

Additional stock of province p at the end of year t (cumulative, from the scheme's start)::

    counterfactual:   A_t = S_t(project) - S_t(baseline shadow)
    reference level:  A_t = sum_{tau <= t} (N_tau - RL_p)

Ledger (b the buffer share, L the leakage share; Q the stock already backed by issued credits
and the buffer, P the highest A ever credited; both start at 0)::

    new_t        = max(0, A_t - P_{t-1})                 P_t = max(P_{t-1}, A_t)
    leakage_t    = L new_t
    buffer_in_t  = b (1 - L) new_t
    credits_t    = (1 - b)(1 - L) new_t
    Q'           = Q_{t-1} + new_t
    reversal_t   = (1 - L) max(0, Q' - max(A_t, 0))       Q_t = min(Q', max(A_t, 0))
    debit_t      = min(B_{t-1} + buffer_in_t, reversal_t)     (buffer first)
    cancelled_t  = reversal_t - debit_t                   (cancelled from issued credits)
    B_t          = B_{t-1} + buffer_in_t - debit_t

Regrowth between Q and P after a loss earns nothing (VCS: no issuance until the loss is made
good). Invariants (tested to 1e-9 every year): ``sum(credits - cancelled) + B = (1 - L) Q`` with
``Q <= max(A, 0)``, hence credits issued net of reversals
``sum(credits) - sum(reversal) <= (1 - b)(1 - L) max(A_t, 0)``.

Owners' payments (the benefit-sharing rule the rotation economics price, ``rotation.py``): each
year stand i is paid ``P_c (Delta s_i - Delta s_i^base + beta (h_i - h_i^base))`` with ``s`` its
carbon stock (tCO2e), ``h`` its harvest emission, the superscript the same stand in the baseline
shadow and ``P_c = price x usd_vnd x owner_share x (1 - b)(1 - L)`` VND/tCO2e; negative =
charged (harvest, fire). Summed over a province and the years this is ``P_c A_T`` (with beta = 0):
owners receive exactly ``P_c`` per tonne actually added. With a reference level the baseline
term is the province's reference level spread over its forest area.
"""

from __future__ import annotations

import numpy as np


class CreditLedger:
    """Registry accounts of every province (arrays of length n_provinces).

    Args:
        n: number of provinces.
        buffer_share: b, share of each issuance (net of leakage) put into the buffer pool.
        leakage_share: L, share of each increase in additional stock deducted as leakage.
    """

    def __init__(self, n: int, buffer_share: float, leakage_share: float):
        if not (0.0 <= buffer_share <= 1.0 and 0.0 <= leakage_share <= 1.0):
            raise ValueError("buffer_share and leakage_share must be in [0, 1]")
        self.b = buffer_share
        self.leak = leakage_share
        self.peak = np.zeros(n)
        """P: highest additional stock ever credited (tCO2e)."""
        self.backed = np.zeros(n)
        """Q: additional stock backed by outstanding credits and the buffer (tCO2e)."""
        self.buffer = np.zeros(n)
        """B: buffer pool balance (tCO2e)."""
        self.issued_total = np.zeros(n)
        self.reversed_total = np.zeros(n)
        self.cancelled_total = np.zeros(n)
        zero = np.zeros(n)
        self.credits, self.leakage, self.reversals, self.cancelled = zero, zero, zero, zero

    def update(self, additional: np.ndarray) -> None:
        """Book one year with the provinces' cumulative additional stock ``A_t`` (tCO2e)."""
        a = np.asarray(additional, dtype=float)
        b, leak = self.b, self.leak
        new = np.maximum(a - self.peak, 0.0)
        self.peak = np.maximum(self.peak, a)
        self.leakage = leak * new
        buffer_in = b * (1.0 - leak) * new
        self.credits = (1.0 - b) * (1.0 - leak) * new
        backed = self.backed + new
        held = np.maximum(a, 0.0)
        self.reversals = (1.0 - leak) * np.maximum(backed - held, 0.0)
        self.backed = np.minimum(backed, held)
        pool = self.buffer + buffer_in
        debit = np.minimum(pool, self.reversals)
        self.cancelled = self.reversals - debit
        self.buffer = pool - debit
        self.issued_total = self.issued_total + self.credits
        self.reversed_total = self.reversed_total + self.reversals
        self.cancelled_total = self.cancelled_total + self.cancelled

    def balance_gap(self) -> np.ndarray:
        """``sum(credits - cancelled) + B - (1 - L) Q``: zero up to rounding."""
        return (self.issued_total - self.cancelled_total + self.buffer
                - (1.0 - self.leak) * self.backed)


def owner_price_vnd(price_usd: float, usd_vnd: float, owner_share: float, buffer_share: float,
                    leakage_share: float) -> float:
    """P_c: what an owner receives per tonne of additional stock (VND/tCO2e)."""
    return price_usd * usd_vnd * owner_share * (1.0 - buffer_share) * (1.0 - leakage_share)
