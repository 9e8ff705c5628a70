#!/usr/bin/env python
"""Django's command-line entry point; DJANGO_ENV picks the settings module."""

import os
import sys


def main() -> None:
    from infusion_rcm.settings import default_module

    os.environ.setdefault("DJANGO_SETTINGS_MODULE", default_module())
    from django.core.management import execute_from_command_line

    execute_from_command_line(sys.argv)


if __name__ == "__main__":
    main()
