"""Places: a point on the map, and "within so many kilometres of it" as a condition on two columns.

Distances are measured on a flat map around the point (an equirectangular projection), which at the radii
allowed here (`MAX_RADIUS_KM`) errs by less than a metre in the region; a latitude band in front of the distance
lets an index on the latitude narrow the rows first.
"""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import ColumnElement, Float, and_, bindparam, func
from sqlalchemy.orm import InstrumentedAttribute

from service.kit.errors import InvalidArgument

MAX_RADIUS_KM = 50.0
KM_PER_DEGREE_LATITUDE = 110.57
KM_PER_DEGREE_LONGITUDE_AT_EQUATOR = 111.32


@dataclass(frozen=True)
class GeoPoint:
    latitude: float
    longitude: float


@dataclass(frozen=True)
class Near:
    point: GeoPoint
    radius_km: float

    def parameters(self) -> dict[str, float]:
        """The values of the bind parameters of `within`; a radius out of range is refused."""
        if not 0 < self.radius_km <= MAX_RADIUS_KM:
            raise InvalidArgument(f"Der Umkreis muss zwischen 0 und {MAX_RADIUS_KM:g} km liegen.")
        latitude_span = self.radius_km / KM_PER_DEGREE_LATITUDE
        return {
            "latitude": self.point.latitude,
            "longitude": self.point.longitude,
            "latitude_from": self.point.latitude - latitude_span,
            "latitude_to": self.point.latitude + latitude_span,
            "radius_squared": self.radius_km * self.radius_km,
        }


def within(
    latitude: InstrumentedAttribute[float | None], longitude: InstrumentedAttribute[float | None]
) -> ColumnElement[bool]:
    """Rows whose point lies within the radius of a `Near`: a condition of bind parameters, so that a statement
    can be built once; execute it with `Near.parameters()`."""
    centre = bindparam("latitude", type_=Float)
    km_per_longitude = KM_PER_DEGREE_LONGITUDE_AT_EQUATOR * func.cos(func.radians(centre))
    dx = (longitude - bindparam("longitude", type_=Float)) * km_per_longitude
    dy = (latitude - centre) * KM_PER_DEGREE_LATITUDE
    return and_(
        latitude.between(bindparam("latitude_from", type_=Float), bindparam("latitude_to", type_=Float)),
        dx * dx + dy * dy <= bindparam("radius_squared", type_=Float),
    )
