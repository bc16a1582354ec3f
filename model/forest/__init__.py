"""Forest: stands, growth, harvest rotations, fire, conversion, afforestation, credits and PFES.

Inputs: ``forest.csv`` (zone x type x age rows with area and, for natural forest, AGB), the zones'
``afforestable_ha``, ``ecological_zone`` and ``pfes_vnd_ha_yr``, :class:`ForestParams` and
:class:`ForestPolicy`. One module per concern, each with its equations in its docstring:

- :mod:`.growth`: Chapman-Richards plantation volume, IPCC Tier-1 natural growth, carbon density;
- :mod:`.rotation`: the owners' land expectation value with carbon and PFES (van Kooten et al.
  1995) and :func:`optimal_rotation`;
- :mod:`.stands`: the stand arrays, owner classes and how forest.csv rows become stands;
- :mod:`.credits`: the registry ledger (additionality, buffer, reversals, leakage; VCS) and the
  owners' payment rule;
- :mod:`.state`: :class:`Forest`, the schedule of a year and the indicators.

The ODD (``docs/ODD.md`` section 7.7) writes the whole sub-model out with its parameter table.
"""

from __future__ import annotations

from ..config import ForestParams, ForestPolicy
from .credits import CreditLedger, owner_price_vnd
from .growth import (
    CO2_PER_C,
    LARGE_TIMBER,
    N_TYPES,
    PRODUCTION_NATURAL,
    PROTECTION,
    SMALL_TIMBER,
    SPECIAL_USE,
    cr_increment,
    cr_volume,
    rotation_mean_carbon,
)
from .rotation import carbon_payment_value, optimal_rotation, rotation_and_lev
from .stands import COMPANY, HOUSEHOLD, STATE, OwnerClasses, Stands
from .state import FLOW_NAMES, PARAMS_KEY, POLICY_KEY, STOCK_NAMES, Forest

__all__ = [
    "CO2_PER_C", "COMPANY", "FLOW_NAMES", "HOUSEHOLD", "LARGE_TIMBER", "N_TYPES", "PARAMS_KEY",
    "POLICY_KEY", "PRODUCTION_NATURAL", "PROTECTION", "SMALL_TIMBER", "SPECIAL_USE", "STATE",
    "STOCK_NAMES", "CreditLedger", "Forest", "ForestParams", "ForestPolicy", "OwnerClasses",
    "Stands", "carbon_payment_value", "cr_increment", "cr_volume", "optimal_rotation",
    "owner_price_vnd", "rotation_and_lev", "rotation_mean_carbon",
]
