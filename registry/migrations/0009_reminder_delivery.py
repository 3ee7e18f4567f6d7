"""The log of submission reminders, one a day per address (issue 14).

A new table only: registry_reviewevent and its triggers (0007) are untouched.
"""

import django.db.models.deletion
import django.db.models.functions.text
import django.utils.timezone
from django.conf import settings
from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        ("agencies", "0004_agency_contact"),
        ("registry", "0008_entries_per_agency"),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.CreateModel(
            name="ReminderDelivery",
            fields=[
                ("id", models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name="ID")),
                ("address", models.EmailField(help_text="Lower case.", max_length=254, verbose_name="address")),
                ("sent_on", models.DateField(verbose_name="day")),
                ("created_at", models.DateTimeField(default=django.utils.timezone.now, verbose_name="reminded")),
                ("message", models.TextField(verbose_name="message")),
                ("emailed_at", models.DateTimeField(blank=True, null=True, verbose_name="e-mailed")),
                (
                    "agencies",
                    models.ManyToManyField(
                        blank=True, related_name="reminder_deliveries", to="agencies.agency", verbose_name="agencies"
                    ),
                ),
                (
                    "cycle",
                    models.ForeignKey(
                        on_delete=django.db.models.deletion.CASCADE,
                        related_name="reminder_deliveries",
                        to="registry.cycle",
                        verbose_name="cycle",
                    ),
                ),
                (
                    "recipient",
                    models.ForeignKey(
                        blank=True,
                        null=True,
                        on_delete=django.db.models.deletion.SET_NULL,
                        related_name="+",
                        to=settings.AUTH_USER_MODEL,
                        verbose_name="recipient",
                    ),
                ),
            ],
            options={
                "verbose_name": "reminder delivery",
                "verbose_name_plural": "reminder deliveries",
                "ordering": ["-created_at", "-pk"],
                "constraints": [
                    models.UniqueConstraint(fields=("address", "sent_on"), name="reminder_once_a_day_per_address"),
                    models.CheckConstraint(
                        condition=models.Q(("address", django.db.models.functions.text.Lower("address"))),
                        name="reminder_address_lower_case",
                    ),
                ],
            },
        ),
    ]
