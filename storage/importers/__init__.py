"""Importers for a district registry (grids from GeoJSON, places and departments from CSV).

Every bad row is reported by file and line, and nothing is written unless all three files are clean.
"""

from storage.importers.departments import parse_departments
from storage.importers.district import District, validate_district
from storage.importers.grids import Areas, parse_grids
from storage.importers.places import KINDS as PLACE_KINDS
from storage.importers.places import parse_places
from storage.importers.problems import ImportFailed, ImportProblem
from storage.importers.registry import (
    ImportReport,
    RegistryChanged,
    RegistryPlan,
    import_district,
    load_directory,
    plan_district,
)

__all__ = [
    "PLACE_KINDS",
    "Areas",
    "District",
    "ImportFailed",
    "ImportProblem",
    "ImportReport",
    "RegistryChanged",
    "RegistryPlan",
    "import_district",
    "load_directory",
    "parse_departments",
    "parse_grids",
    "parse_places",
    "plan_district",
    "validate_district",
]
