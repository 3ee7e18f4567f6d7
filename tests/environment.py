"""Loaded by pytest (`-p tests.environment`) before Django settings are read.

A plain conftest.py is imported too late: pytest-django reads the settings first, and
the settings refuse to start without a secret key when DEBUG is off.
"""

import os

os.environ.setdefault("DJANGO_SECRET_KEY", "tests-only-secret-key-not-for-production-0123456789abcdef")
os.environ.setdefault("DJANGO_DEBUG", "false")
# Playwright's sync API runs an event loop in the test thread; the ORM calls the tests make
# in that thread are still synchronous.
os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")
# Tests speak plain HTTP to the test client and to the live server, without collectstatic.
os.environ.setdefault("DJANGO_SECURE_SSL_REDIRECT", "false")
os.environ.setdefault("DJANGO_SECURE_COOKIES", "false")
os.environ.setdefault("DJANGO_STATIC_STORAGE", "django.contrib.staticfiles.storage.StaticFilesStorage")
os.environ.setdefault("DJANGO_EMAIL_BACKEND", "django.core.mail.backends.locmem.EmailBackend")
# Tasks run at once in tests; one test drives the database backend and its worker explicitly.
os.environ.setdefault("DJANGO_TASKS_BACKEND", "django_tasks.backends.immediate.ImmediateBackend")
