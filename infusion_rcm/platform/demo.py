"""Demo users, billing provider and service locations (seed_demo)."""

from __future__ import annotations

from infusion_rcm.accounts.models import User
from infusion_rcm.accounts.roles import Role
from infusion_rcm.accounts.services import roles_sync, user_create
from intake.domain.types import DEFAULT_PLACE_OF_SERVICE, SiteOfCare
from intake.models import BillingProvider, ServiceLocation

DEMO_USERS = [
    ("nina", "Nina", "Nurse", Role.NURSE),
    ("bill", "Bill", "Biller", Role.BILLER),
    ("mara", "Mara", "Manager", Role.MANAGER),
    ("ada", "Ada", "Admin", Role.ADMIN),
]

# A syntactically valid demo NPI (passes the Luhn check digit); not a real provider.
DEMO_BILLING_NPI = "1234567893"


def demo_password(username: str) -> str:
    return f"Demo-{username.capitalize()}-2026!"


def seed_users() -> list[tuple[str, str, str]]:
    roles_sync()
    created = []
    for username, first, last, role in DEMO_USERS:
        password = demo_password(username)
        if not User.objects.filter(username=username).exists():
            user_create(username=username, password=password, role=role, first_name=first, last_name=last)
        created.append((username, password, role.value))
    return created


def seed_provider() -> BillingProvider:
    provider, _ = BillingProvider.objects.get_or_create(
        npi=DEMO_BILLING_NPI,
        defaults={
            "name": "Riverside Infusion Partners",
            "tax_id": "123456789",
            "taxonomy": "261QI0500X",
            "address_line1": "100 Harbor Way",
            "city": "Springfield",
            "state": "IL",
            "zip_code": "627011234",
        },
    )
    sites = [
        ("Riverside Infusion Center", SiteOfCare.AIC, "200 Harbor Way"),
        ("Riverside Pharmacy Infusion Suite", SiteOfCare.AIS, "210 Harbor Way"),
        ("Riverside Home Infusion Pharmacy", SiteOfCare.HOME, "220 Harbor Way"),
    ]
    for name, site, street in sites:
        ServiceLocation.objects.get_or_create(
            billing_provider=provider,
            name=name,
            defaults={
                "site_of_care": site,
                "place_of_service": DEFAULT_PLACE_OF_SERVICE[site],
                "address_line1": street,
                "city": "Springfield",
                "state": "IL",
                "zip_code": "627011234",
            },
        )
    return provider
