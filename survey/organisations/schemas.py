from __future__ import annotations

from typing import Annotated

import msgspec

Name = Annotated[str, msgspec.Meta(min_length=1, max_length=200)]
Short = Annotated[str, msgspec.Meta(min_length=1, max_length=40)]


class OrganisationUpdate(msgspec.Struct, forbid_unknown_fields=True):
    name: Name
    enterprise_number: Short
    sector: Short
    size_band: Short
    municipality: Short
    funded_by_vgc: bool = False


class OrganisationRead(msgspec.Struct):
    id: int
    name: str
    enterprise_number: str
    sector: str
    size_band: str
    municipality: str
    funded_by_vgc: bool
