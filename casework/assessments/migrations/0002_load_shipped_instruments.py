"""Install the shipped instrument definitions (PHQ-9, PHQ-2, GAD-7, GAD-2, AUDIT-C, C-SSRS screener,
Katz ADL, Lawton IADL, AHC HRSN core, biopsychosocial).

Idempotent: existing published versions are never changed. Later definition changes ship as new
versions and a new migration (or `manage.py load_instruments`) installs them.
"""

from django.db import migrations


def load(apps, schema_editor):
    from casework.assessments.definitions.loader import install_definitions

    install_definitions(apps.get_model("assessments", "Instrument"), apps.get_model("assessments", "InstrumentVersion"))


class Migration(migrations.Migration):
    dependencies = [("assessments", "0001_initial")]

    operations = [migrations.RunPython(load, migrations.RunPython.noop)]
