"""Ship our open need categories, the 2025 HHS poverty guidelines and common benefit programs.

Data, not code: administrators edit programs and rules in the Django admin, and next year's
guidelines are a new row. Re-running is harmless (update_or_create by natural key).
"""

from datetime import date
from decimal import Decimal

from django.db import migrations

# code, name, need domain, description
NEED_CATEGORIES = [
    ("emergency-shelter", "Emergency shelter", "housing", "A bed tonight: shelters and warming centers."),
    ("housing-search", "Housing search and placement", "housing", "Help finding and moving into housing."),
    ("rent-assistance", "Rent and deposit help", "housing", "Money for rent, arrears or a deposit; eviction prevention."),
    ("food-pantry", "Food pantry", "food", "Groceries to take home."),
    ("meals", "Free meals", "food", "Hot meals and meal delivery."),
    ("nutrition-benefits", "Help applying for SNAP and WIC", "food", "Application help for food benefits."),
    ("utility-assistance", "Utility bill help", "utilities", "Help with heating, power and water bills; shut-off prevention."),
    ("phone-internet", "Phone and internet", "utilities", "Low-cost phones and internet (Lifeline, ACP successors)."),
    ("primary-care", "Primary and community health care", "physical_health", "Clinics, sliding-fee health centers."),
    ("dental-care", "Dental care", "physical_health", "Low-cost dental clinics."),
    ("prescriptions", "Prescription help", "physical_health", "Help paying for medicines."),
    ("health-coverage", "Health coverage enrollment", "physical_health", "Help enrolling in Medicaid, CHIP or Marketplace plans."),
    ("counseling", "Counseling and therapy", "mental_health", "Outpatient mental health care."),
    ("crisis-support", "Crisis support", "mental_health", "Crisis lines, mobile crisis and walk-in crisis care."),
    ("substance-use-treatment", "Substance use treatment", "substance_use", "Detox, outpatient and residential treatment, MAT."),
    ("recovery-support", "Recovery support", "substance_use", "Peer recovery, support groups, sober living."),
    ("benefits-enrollment", "Benefits enrollment help", "income", "Help applying for cash and other benefits."),
    ("financial-coaching", "Tax and money help", "income", "Free tax preparation, budgeting, debt advice."),
    ("job-training", "Job training", "employment", "Skills training and apprenticeships."),
    ("job-search", "Job search help", "employment", "Job placement, resumes, interview practice."),
    ("adult-education", "Adult education", "education", "GED, literacy and English classes."),
    ("legal-aid", "Legal aid", "legal", "Free civil legal help: housing, benefits, family law."),
    ("immigration-legal", "Immigration legal help", "legal", "Immigration advice and representation."),
    ("rides", "Rides to appointments", "transportation", "Medical and other rides."),
    ("transit-passes", "Transit passes", "transportation", "Reduced-fare and free transit passes."),
    ("childcare", "Child care", "family", "Child care and subsidies."),
    ("caregiver-support", "Caregiver support", "family", "Respite and support for family caregivers."),
    ("parenting", "Parenting support", "family", "Parenting classes and home visiting."),
    ("domestic-violence", "Domestic violence help", "safety", "Hotlines, safe shelter and advocacy."),
    ("in-home-help", "In-home help", "daily_living", "Personal care, chores and home-delivered support."),
    ("clothing-household", "Clothing and household goods", "daily_living", "Clothing, furniture and hygiene items."),
]

# HHS 2025 poverty guidelines (REFERENCE.md): first person, each additional person.
GUIDELINES = [
    (2025, "contiguous", date(2025, 1, 15), Decimal("15650"), Decimal("5500")),
    (2025, "alaska", date(2025, 1, 15), Decimal("19550"), Decimal("6880")),
    (2025, "hawaii", date(2025, 1, 15), Decimal("17990"), Decimal("6330")),
]

# code, name, domain, description, how to apply, [(effective_from, % FPL, min age, max age, condition, source)]
PROGRAMS = [
    (
        "snap",
        "SNAP (food stamps)",
        "food",
        "Monthly money for groceries on an EBT card.",
        "Apply at the state SNAP office or online; an interview follows.",
        [(date(2025, 10, 1), 130, None, None, "", "USDA FNS FY2026 gross income limit, 130% of poverty")],
    ),
    (
        "medicaid-expansion",
        "Medicaid (expansion adults)",
        "physical_health",
        "Health coverage for adults 19 to 64 in expansion states.",
        "Apply through the state Medicaid agency or HealthCare.gov.",
        [(date(2025, 1, 15), 138, 19, 64, "", "ACA Medicaid expansion, 138% of poverty")],
    ),
    (
        "liheap",
        "LIHEAP (energy assistance)",
        "utilities",
        "Help with heating and cooling bills.",
        "Apply at the local community action agency.",
        [
            (
                date(2025, 10, 1),
                150,
                None,
                None,
                "",
                "HHS LIHEAP FY2026: the greater of 150% of poverty or 60% of state median income",
            )
        ],
    ),
    (
        "wic",
        "WIC",
        "food",
        "Food, formula and nutrition advice for pregnant people, new parents and children under 5.",
        "Call the local WIC clinic for an appointment.",
        [
            (
                date(2025, 7, 1),
                185,
                None,
                None,
                "pregnant, postpartum or breastfeeding, or a child under 5 in the household",
                "USDA WIC income eligibility guidelines 2025-26, 185% of poverty",
            )
        ],
    ),
    (
        "lifeline",
        "Lifeline (phone and internet)",
        "utilities",
        "A monthly discount on phone or internet service.",
        "Apply through the National Verifier (lifelinesupport.org) or a Lifeline provider.",
        [(date(2025, 1, 15), 135, None, None, "", "FCC Lifeline, 135% of poverty (or SNAP/Medicaid participation)")],
    ),
]


def load(apps, schema_editor):
    NeedCategory = apps.get_model("directory", "NeedCategory")
    PovertyGuideline = apps.get_model("directory", "PovertyGuideline")
    BenefitProgram = apps.get_model("directory", "BenefitProgram")
    BenefitRule = apps.get_model("directory", "BenefitRule")
    for order, (code, name, domain, description) in enumerate(NEED_CATEGORIES):
        NeedCategory.objects.update_or_create(
            code=code, defaults={"name": name, "domain": domain, "description": description, "sort_order": order}
        )
    for year, region, effective_from, first, additional in GUIDELINES:
        PovertyGuideline.objects.update_or_create(
            year=year,
            region=region,
            defaults={"effective_from": effective_from, "first_person": first, "each_additional_person": additional},
        )
    for code, name, domain, description, how, rules in PROGRAMS:
        program, _ = BenefitProgram.objects.update_or_create(
            code=code,
            defaults={"name": name, "need_domain": domain, "description": description, "how_to_apply": how},
        )
        for effective_from, percent, min_age, max_age, condition, source in rules:
            BenefitRule.objects.update_or_create(
                program=program,
                effective_from=effective_from,
                defaults={
                    "income_limit_percent_fpl": percent,
                    "minimum_age": min_age,
                    "maximum_age": max_age,
                    "other_condition": condition,
                    "source": source,
                },
            )


class Migration(migrations.Migration):
    dependencies = [("directory", "0001_initial")]

    operations = [migrations.RunPython(load, migrations.RunPython.noop)]
