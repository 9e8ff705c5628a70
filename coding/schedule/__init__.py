"""The schedule: visits booked ahead (infusion chairs and home visits), the nurse's day, and the
eligibility look-ahead over booked visits. Booking and starting move the order's state (intake)."""
