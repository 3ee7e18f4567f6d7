#!/usr/bin/env python
import os
import sys

# Commands that only read or write source files (never serve, sign or send anything) may run on a
# developer's or CI's machine without a secret key; everything else needs the real environment.
SOURCE_ONLY_COMMANDS = {"makemigrations", "makemessages", "compilemessages"}


def main() -> None:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
    if len(sys.argv) > 1 and sys.argv[1] in SOURCE_ONLY_COMMANDS:
        os.environ.setdefault("DJANGO_SECRET_KEY", "source-only-command-key-not-used-for-signing-anything")
    from django.core.management import execute_from_command_line

    execute_from_command_line(sys.argv)


if __name__ == "__main__":
    main()
