"""Rotation economics: the owners' land expectation value with carbon and area payments.

Van Kooten, Binkley & Delcourt (1995, AJAE 77:365) land expectation value of an even-aged stand
replanted for ever, with stumpage price p per m3, establishment cost c, continuous discount rate
r, carbon price P_c per tCO2 paid on every tonne the stand adds and charged on every tonne it
releases at harvest (the share beta kept in products is not charged), and an annual payment m
(PFES) from stand age a0::

    LEV(T) = [p V(T) e^{-rT} - c + P_c alpha int_0^T V'(s) e^{-rs} ds
              - P_c alpha (1 - beta) V(T) e^{-rT} + int_{a0}^T m e^{-rs} ds] / (1 - e^{-rT})

``T* = argmax_{0 < T <= max_age} LEV(T)`` (Faustmann when P_c = m = 0); ``T* = inf`` (never
harvest) when the limit ``LEV(inf) = -c + P_c alpha int_0^inf V' e^{-rs} ds + m e^{-r a0}/r`` is
at least the maximum.

The carbon terms are exactly the payment rule of the credit scheme (``credits.py``): an owner
is paid ``P_c`` for each tonne by which the stand's stock rises relative to its baseline and is
charged ``P_c`` for each tonne by which it falls (harvest, fire), where

    P_c = price_USD x usd_vnd x owner_share x (1 - buffer_share) x (1 - leakage_share)

is the owner's share of what one tonne of additional stock earns the scheme after the registry's
buffer and leakage deductions. The baseline's own stock changes enter the owner's payments as a
stream that does not depend on the owner's rotation, so they do not move ``T*``.
:func:`carbon_payment_value` gives the carbon part of the LEV alone (the present value of the
payments a stand on rotation T receives).
"""

from __future__ import annotations

import math

import numpy as np

from .growth import cr_increment, cr_volume

_LAGUERRE_X, _LAGUERRE_W = np.polynomial.laguerre.laggauss(24)
_GRID_STEP_YR = 0.01


def rotation_and_lev(a: float, k: float, p: float, price: float, rate: float,
                      establishment_cost: float, carbon_price: float, tco2_per_m3: float,
                      product_share: float, max_age: float, annual_payment: float,
                      payment_start_age: float) -> tuple[float, float]:
    """Optimal rotation and the LEV it reaches (see :func:`optimal_rotation`).

    The carbon integral is a cumulative trapezoid on a 0.01-yr grid (its integrand vanishes at 0
    for p > 1); the optimum is refined by the parabola through the best grid point and its
    neighbours. Never harvesting is worth the T -> inf limit of the LEV, whose carbon integral
    adds the tail beyond ``max_age`` by Gauss-Laguerre quadrature (the integrand decays as
    e^{-(k+r)s}).
    """
    if not (a > 0 and k > 0 and p >= 1.0):
        raise ValueError(f"growth curve needs A > 0, k > 0, p >= 1 (got {a}, {k}, {p})")
    if not rate > 0:
        raise ValueError(f"discount_rate must be positive (got {rate})")
    if not max_age > 0:
        raise ValueError(f"max_age must be positive (got {max_age})")
    if not 0.0 <= product_share <= 1.0:
        raise ValueError(f"product_share must be in [0, 1] (got {product_share})")
    n = max(math.ceil(max_age / _GRID_STEP_YR), 200)
    dt = max_age / n
    t = np.arange(1, n + 1) * dt
    disc = np.exp(-rate * t)
    vol = cr_volume(t, a, k, p)
    pc_alpha = carbon_price * tco2_per_m3
    num = (price - pc_alpha * (1.0 - product_share)) * vol * disc - establishment_cost
    if pc_alpha != 0.0:
        f = cr_increment(t, a, k, p) * disc
        f0 = float(cr_increment(np.zeros(1), a, k, p)[0])
        uptake = np.cumsum(0.5 * dt * (np.concatenate(([f0], f[:-1])) + f))
        num = num + pc_alpha * uptake
    else:
        uptake = None
    if annual_payment != 0.0:
        start = max(payment_start_age, 0.0)
        num = num + np.where(
            t > start, annual_payment * (math.exp(-rate * start) - disc) / rate, 0.0
        )
    lev = num / -np.expm1(-rate * t)
    i = int(np.argmax(lev))
    best_t, best_lev = float(t[i]), float(lev[i])
    if 0 < i < n - 1:
        lo, mid, hi = lev[i - 1], lev[i], lev[i + 1]
        curv = lo - 2.0 * mid + hi
        if curv < 0:
            shift = 0.5 * (lo - hi) / curv
            best_t = float(t[i] + shift * dt)
            best_lev = float(mid - 0.25 * (lo - hi) * shift)
    # Never harvesting: the T -> inf limit of the LEV (one planting, carbon and payments forever).
    never = -establishment_cost
    if uptake is not None:
        lam = k + rate
        s = max_age + _LAGUERRE_X / lam
        g = cr_increment(s, a, k, p) * np.exp(-rate * s)
        tail = float(np.sum(_LAGUERRE_W * np.exp(_LAGUERRE_X) * g) / lam)
        never += pc_alpha * (float(uptake[-1]) + tail)
    if annual_payment != 0.0:
        never += annual_payment * math.exp(-rate * max(payment_start_age, 0.0)) / rate
    if never >= best_lev:
        return math.inf, never
    return best_t, best_lev


def optimal_rotation(A: float, k: float, p: float, price: float, discount_rate: float,
                     establishment_cost: float = 0.0, carbon_price: float = 0.0,
                     tco2_per_m3: float = 1.14, product_share: float = 0.0,
                     max_age: float = 60.0, annual_payment: float = 0.0,
                     payment_start_age: float = 0.0) -> float:
    """Rotation age (years, continuous) maximising the land expectation value.

    ``LEV(T) = [p V(T) e^{-rT} - c + Pc a int_0^T V'(s) e^{-rs} ds - Pc a (1-b) V(T) e^{-rT}
    + int_{a0}^T m e^{-rs} ds] / (1 - e^{-rT})`` with ``V(t) = A (1 - e^{-kt})^p``
    (van Kooten, Binkley & Delcourt 1995; Faustmann when ``carbon_price = 0`` and
    ``annual_payment = 0``). Prices per m3 and per tCO2 in one currency.

    Args:
        A: asymptotic volume of the Chapman-Richards curve (m3/ha).
        k: its rate (1/yr).
        p: its shape (p >= 1).
        price: stumpage price per m3.
        discount_rate: continuous discount rate r > 0 (1/yr).
        establishment_cost: cost c of (re)planting per ha.
        carbon_price: Pc per tCO2 paid on uptake and charged on release.
        tco2_per_m3: a, tCO2 per m3 of stand volume.
        product_share: b, share of harvested carbon not charged (kept in products).
        max_age: longest rotation considered.
        annual_payment: m per ha and year (e.g. PFES), paid from stand age ``payment_start_age``.
        payment_start_age: a0.

    Returns:
        The rotation age, or ``math.inf`` when never harvesting is best: the LEV of never
        harvesting (its T -> inf limit) is at least the supremum over 0 < T <= max_age.
    """
    return rotation_and_lev(A, k, p, price, discount_rate, establishment_cost, carbon_price,
                             tco2_per_m3, product_share, max_age, annual_payment,
                             payment_start_age)[0]


def carbon_payment_value(T: float, A: float, k: float, p: float, discount_rate: float,
                         carbon_price: float, tco2_per_m3: float = 1.14,
                         product_share: float = 0.0) -> float:
    """Present value per ha of the carbon payments of a stand on rotation ``T`` for ever.

    ``P_c alpha [int_0^T V'(s) e^{-rs} ds - (1 - beta) V(T) e^{-rT}] / (1 - e^{-rT})``: uptake
    paid as it happens, release charged at each harvest (the carbon terms of the LEV). Computed
    by adaptive quadrature, independently of the grid of :func:`optimal_rotation`.
    """
    from scipy.integrate import quad

    r = discount_rate
    uptake, _ = quad(lambda s: float(cr_increment(s, A, k, p)) * math.exp(-r * s), 0.0, T,
                     limit=200)
    release = (1.0 - product_share) * float(cr_volume(T, A, k, p)) * math.exp(-r * T)
    return carbon_price * tco2_per_m3 * (uptake - release) / -math.expm1(-r * T)
