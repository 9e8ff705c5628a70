"""Blocking problems with an encounter: the message names the encounter and the field."""

from __future__ import annotations

from infusion_rcm.common.errors import InvalidInputError


class EncounterError(InvalidInputError):
    """An encounter the engine cannot code (unknown drug, stop before start, ...).

    Message shape: "encounter visit-7: administrations[1].stop 08:00 is before start 09:00".
    """

    code = "coding.encounter_invalid"

    def __init__(self, encounter_id: str, path: str, problem: str):
        where = f"{path} " if path else ""
        super().__init__(
            f"encounter {encounter_id}: {where}{problem}",
            extra={"encounter": encounter_id, "path": path},
        )
        self.encounter_id = encounter_id
        self.path = path
