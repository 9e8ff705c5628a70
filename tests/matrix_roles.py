"""Role sets used by the per-app permission matrices (tests/<app>/matrix.py)."""

ALL = {"nurse", "biller", "manager", "admin"}
CLINICAL = {"nurse", "biller", "manager"}  # PATIENT_VIEW
NURSE = {"nurse"}  # VISIT_DOCUMENT
BILLING_READ = {"biller", "manager"}  # BILLING_VIEW
BILLER = {"biller"}  # BILLING_WORK
ADMIN = {"admin"}
