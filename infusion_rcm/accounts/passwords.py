"""Password strength beyond Django's validators: mix of character classes."""

from __future__ import annotations

from django.core.exceptions import ValidationError


class CharacterClassValidator:
    """At least three of: lower case, upper case, digits, symbols (NIST 800-63B allows it)."""

    min_classes = 3

    def validate(self, password: str, user=None) -> None:
        classes = [
            any(c.islower() for c in password),
            any(c.isupper() for c in password),
            any(c.isdigit() for c in password),
            any(not c.isalnum() for c in password),
        ]
        if sum(classes) < self.min_classes:
            raise ValidationError(
                "Use at least three of: lower-case letters, upper-case letters, digits, symbols.",
                code="password_too_simple",
            )

    def get_help_text(self) -> str:
        return "Your password must mix at least three of: lower case, upper case, digits, symbols."
