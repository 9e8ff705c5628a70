"""The control-number counters and the register of every interchange we send."""

from __future__ import annotations

from django.db import models

from infusion_rcm.common.models import TimeStampedModel


class ControlNumber(models.Model):
    """Last number handed out per series, for the embedded SQLite (PostgreSQL uses sequences).

    One UPDATE ... RETURNING per take: one process at a time writes SQLite anyway.
    """

    name = models.CharField(max_length=20, unique=True)
    last_value = models.PositiveBigIntegerField(default=0)

    def __str__(self) -> str:
        return f"{self.name}={self.last_value}"


class OutboundInterchange(TimeStampedModel):
    """One interchange we wrote for a trading partner: what identifies it in their acknowledgments.

    A 999 names the group it acknowledges by GS01 + GS06 (AK101, AK102) and each set by ST01 + ST02
    (AK201, AK202), and it is addressed to our sender id; a 277CA's information-receiver level
    carries our BHT03 (the ISA13 we wrote). Acknowledgments are matched against these rows only.
    """

    sender_id = models.CharField(max_length=15)  # ISA06 / GS02: us
    receiver_id = models.CharField(max_length=15)  # ISA08 / GS03: the clearinghouse or payer
    interchange_control = models.PositiveIntegerField()  # ISA13
    group_control = models.PositiveIntegerField()  # GS06
    functional_id = models.CharField(max_length=2)  # GS01: HC 837, HS 270, HR 276
    transaction_set = models.CharField(max_length=3)  # ST01: 837, 270, 276
    version = models.CharField(max_length=12)  # GS08
    transaction_count = models.PositiveIntegerField(default=0)  # ST02 runs 0001..count
    usage = models.CharField(max_length=1, default="T")  # ISA15

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["sender_id", "receiver_id", "interchange_control"], name="x12_outbound_isa13_unique"
            ),
            models.UniqueConstraint(
                fields=["sender_id", "functional_id", "group_control"], name="x12_outbound_gs06_unique"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.transaction_set} ISA13 {self.interchange_control:09d} GS06 {self.group_control}"

    def holds_set(self, set_id: str, control: str) -> bool:
        """Whether ST01/ST02 `set_id`/`control` is one of this interchange's transaction sets."""
        return (
            set_id == self.transaction_set
            and control.isdigit()
            and 1 <= int(control) <= self.transaction_count
        )
