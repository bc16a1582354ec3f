"""Freight: truck hours per shipment from a site, with gateway handling and customs clearance.

Inputs: off-peak car (truck) minutes of the year's network (``model/transport.py``), the gateways,
logistics points and dry ports of ``logistics.csv``, the sectors' export (trade) shares and the
:class:`model.config.LogisticsLever`.

A firm at a site in zone *z* of sector *s* ships a share ``1 - x_s`` of its trips to Hà Nội's
market and a share ``x_s`` (the sector's trade share: the shipments that cross a border) to the
gateways, Nội Bài and Hải Phòng. Hours per trip::

    F_sz = (1 - x_s) · T_m(z) + x_s · T_g(z)                     (the physical trip, P_sz)
           + x_s · (H - S(z))                                      (gateway handling)
           + x_s · min_k [ ρ · C_k + D_k(z) ]                       (customs clearance)

with ``T_m`` the truck hours to central Hà Nội, ``T_g`` the mean of the truck hours to the
airport and the port, ``H`` the handling time of a gateway shipment (``gateway_handling_hours``)
and ``S(z) = min(point_saving_min / 60, H)`` where an open logistics point is within
``point_reach_min`` (else 0). Clearance is done where it costs least among: the gateway itself
(``C = gateway_clearance_hours``, no detour), every open dry port (``dry_port_clearance_hours``,
open to every site) and, from ``one_stop_customs_year``, every open logistics point of
``customs_provinces`` (``one_stop_clearance_hours``; a provincial service, for the sites in those
provinces only); clearing inland costs the detour
``D_k(z) = T(z, k) + T_g(k) - T_g(z) >= 0`` (triangle inequality of shortest paths), in truck
hours. ``F`` is in truck-hour equivalents, costed at the truck-hour cost in ``model/firms.py``:
trip, handling and detour are truck time; a clearance hour is the goods' waiting time, worth
``ρ = clearance_cost_vnd_per_hour / freight_cost_vnd_per_truck_hour`` truck hours (Hummels &
Schaur 2013: a day in transit costs 0.6-2.3 % of the cargo's value). Since ``H - S >= 0`` and every
``ρ C_k + D_k >= 0``, the freight never falls below the physical trip (``F >= P >= 0``), and the
saving of one-stop customs or a dry port is at most the gateway clearance it replaces
(``x_s · ρ · C_gateway``; the clearance hours saved at most ``C_gateway - C_k``).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from .config import LogisticsLever
from .region import Region


@dataclass(frozen=True)
class FreightHours:
    """Hours per trip by (sector, zone) of a site in that zone.

    Attributes:
        total: freight hours, physical trip plus handling and clearance.
        physical: the road trip alone.
        clearance: hours a gateway shipment waits for clearance where it clears (zone).
        detour: truck hours of the detour to that clearance point (zone).
    """

    total: np.ndarray
    physical: np.ndarray
    clearance: np.ndarray
    detour: np.ndarray


class Freight:
    """Freight hours by site for any year, from the network and the logistics lever."""

    def __init__(self, region: Region, params: LogisticsLever, centre: int,
                 truck_hour_vnd: float):
        self.region = region
        self.params = params
        self.dwell = params.clearance_cost_vnd_per_hour / truck_hour_vnd if truck_hour_vnd else 0.0
        self.centre = centre
        self.airport = region.gateway_zone("airport")
        self.port = region.gateway_zone("seaport")
        self.export_share = region.sectors["export_share"].to_numpy(dtype=float)
        points = region.logistics
        self.point_zone = points["zone"].to_numpy()
        self.point_open = points["open_year"].to_numpy()
        kind = points["kind"].to_numpy()
        self.is_point = kind == "logistics_point"
        self.is_dry_port = kind == "dry_port"
        customs = region.province_mask(params.customs_provinces,
                                       "policies.logistics.customs_provinces")
        zone_province = region.zones["province_idx"].to_numpy()
        self.one_stop_point = self.is_point & customs[zone_province[self.point_zone]]
        self.one_stop_zone = customs[zone_province]

    def clearance_points(self, year: int) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        """Inland clearance points open in ``year``: (zones, clearance hours, served zones).

        ``served`` is (point, zone): whether a site in that zone may clear there.
        """
        lg = self.params
        open_ = self.point_open <= year
        dry = self.is_dry_port & open_
        n = len(self.one_stop_zone)
        zones = [self.point_zone[dry]]
        hours = [np.full(dry.sum(), lg.dry_port_clearance_hours)]
        served = [np.ones((dry.sum(), n), dtype=bool)]
        if lg.one_stop_customs_year is not None and year >= lg.one_stop_customs_year:
            one_stop = self.one_stop_point & open_
            zones.append(self.point_zone[one_stop])
            hours.append(np.full(one_stop.sum(), lg.one_stop_clearance_hours))
            served.append(np.broadcast_to(self.one_stop_zone, (one_stop.sum(), n)))
        return np.concatenate(zones), np.concatenate(hours), np.concatenate(served)

    def hours(self, year: int, car_offpeak_min: np.ndarray) -> FreightHours:
        """Freight hours per trip by (sector, zone) in ``year`` (equations of the module)."""
        lg = self.params
        car = car_offpeak_min / 60.0
        to_market = car[:, self.centre]
        to_gateways = (car[:, self.airport] + car[:, self.port]) / 2.0
        x = self.export_share[:, None]
        physical = (1 - x) * to_market[None, :] + x * to_gateways[None, :]
        handling = np.full(len(car), lg.gateway_handling_hours)
        points = self.is_point & (self.point_open <= year)
        if points.any():
            served = (car_offpeak_min[:, self.point_zone[points]] <= lg.point_reach_min).any(axis=1)
            handling[served] -= min(lg.point_saving_min / 60.0, lg.gateway_handling_hours)
        clearance = np.full(len(car), lg.gateway_clearance_hours)
        detour = np.zeros(len(car))
        zones, hours, served = self.clearance_points(year)
        if zones.size:
            extra = np.maximum(car[:, zones] + to_gateways[zones][None, :]
                               - to_gateways[:, None], 0.0)
            cost = np.where(served.T, self.dwell * hours[None, :] + extra, np.inf)
            best = cost.argmin(axis=1)
            inland = cost[np.arange(len(car)), best] < self.dwell * clearance
            clearance = np.where(inland, hours[best], clearance)
            detour = np.where(inland, extra[np.arange(len(car)), best], 0.0)
        total = physical + x * (handling + self.dwell * clearance + detour)[None, :]
        return FreightHours(total=total, physical=physical, clearance=clearance, detour=detour)
