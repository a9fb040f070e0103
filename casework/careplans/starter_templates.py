"""Starter plan templates a program can offer (the demo loads them): discharge / transition, Individual
Plan for Employment, relapse prevention; each with Spanish for the client copy."""

from __future__ import annotations

from typing import Any

from casework.careplans.client_copy import SPANISH

STARTER_TEMPLATES: list[dict[str, Any]] = [
    {
        "name": "Discharge / transition plan",
        "kind": "discharge",
        "sections": {
            "summary": "What will be in place when services end, and who to call.",
            "needs": [{"domain": "daily_living", "description": "Support in place after discharge"}],
            "strengths": [],
            "barriers": [],
            "goals": [
                {
                    "domain": "daily_living",
                    "description": "Move on from the program with support in place",
                    "term": "short",
                    "measurable_target": "Follow-up appointments booked with every ongoing provider",
                    "interventions": [
                        {
                            "description": "Book follow-up with the primary care provider",
                            "responsible_party": "case_manager",
                        },
                        {"description": "Agree who to call in a crisis after discharge", "responsible_party": "client"},
                    ],
                }
            ],
        },
        "translations": {
            "es": {
                **SPANISH,
                "name": "Plan de alta y transición",
                "summary": "Lo que tendrá en marcha cuando terminen los servicios, y a quién llamar.",
            }
        },
    },
    {
        "name": "Individual Plan for Employment",
        "kind": "employment",
        "sections": {
            "summary": "The job the client wants, the services that lead there and who provides them.",
            "needs": [{"domain": "employment", "description": "Wants paid work"}],
            "strengths": [],
            "barriers": [],
            "goals": [
                {
                    "domain": "employment",
                    "description": "Get and keep a job I chose",
                    "term": "long",
                    "measurable_target": "Hired, working the hours the client chose, for 90 days",
                    "interventions": [
                        {
                            "description": "Vocational assessment",
                            "responsible_party": "external_provider",
                            "responsible_name": "Vocational rehabilitation counselor",
                        },
                        {"description": "Job search: applications each week", "responsible_party": "client"},
                    ],
                }
            ],
        },
        "translations": {
            "es": {
                **SPANISH,
                "name": "Plan individual de empleo",
                "summary": "El trabajo que quiere, los servicios que le llevan a él y quién los presta.",
            }
        },
    },
    {
        "name": "Relapse-prevention plan",
        "kind": "relapse_prevention",
        "sections": {
            "summary": "Warning signs, what helps, and who to reach when things get hard.",
            "needs": [{"domain": "substance_use", "description": "Staying in recovery"}],
            "strengths": [],
            "barriers": [],
            "goals": [
                {
                    "domain": "substance_use",
                    "description": "Notice warning signs early and use my coping plan",
                    "term": "long",
                    "measurable_target": "Coping plan used when a warning sign shows",
                    "interventions": [
                        {"description": "Write down my warning signs and triggers", "responsible_party": "client"},
                        {"description": "Weekly check-in about cravings", "responsible_party": "case_manager"},
                    ],
                }
            ],
        },
        "translations": {
            "es": {
                **SPANISH,
                "name": "Plan de prevención de recaídas",
                "summary": "Señales de alerta, lo que ayuda y a quién acudir cuando las cosas se ponen difíciles.",
            }
        },
    },
]
