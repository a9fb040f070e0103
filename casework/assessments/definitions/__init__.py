"""Shipped instrument definitions, as data.

Each entry of `INSTRUMENTS` becomes an `Instrument` and one `InstrumentVersion` (see `loader.py`).
A published version is never changed: to change an instrument, add a new entry with a higher
`version` (keep the old one) so old assessments keep the definition they were given with.

Shape of a version (stored as JSON in `InstrumentVersion.definition` and `.scoring`):

definition = {
    "title": str, "instructions": str, "kind": "scored" | "narrative",
    "items": [{
        "key": str,                      # stable answer key, prefixed by the instrument ("phq9_9")
        "number": str, "text": str,
        "type": "choice" | "multi" | "text",
        "loinc": str,                    # LOINC question code, "" when none is shipped
        "required": bool,                # must be answered (when asked) for the assessment to be complete
        "options": [{"value": int, "label": str, "loinc": str, "score": int (default: value),
                     "exclusive": bool (multi only: "none of the above")}],
        "ask_if": condition | absent,    # skip logic: the item is asked only when the condition holds
        "max_length": int,               # text items
    }],
}
scoring = {
    "method": "sum" | "none",
    "items": [keys],                     # the items added up (method "sum")
    "missing": {"rule": "incomplete"} | {"rule": "prorate", "max_missing": int, "never_missing": [keys],
                                          "source": str},
    "subscores": [{"key": str, "label": str, "items": [keys]}],
    "bands": [{"key": str, "label": str, "explanation": str,
               "min": int, "max": int | "when": condition, "sex": "male" | "female" (optional)}],
    "sex_fallback": "male" | "female",   # which sex-specific rule applies when sex is not recorded
    "flags": [{"key": str, "label": str, "when": condition,
               "risk_alert": bool (optional: flags the client at risk, with an urgent task and alerts)}],
    "positive_screens": [{"key": str, "label": str, "when": condition,
                          "need_domain": str (optional: suggests a need in this care-plan domain)}],
    "source": str,
}

Conditions: {"item": key, op: value} with op one of eq, ne, gt, gte, lt, lte, in (values), any_of
(for multi answers: any of these chosen); {"total": {op: value}}; {"subscore": key, op: value};
{"sex": "male" | "female"}; {"any": [conditions]}, {"all": [conditions]}, {"not": condition};
{"always": true}. An unanswered item, an unknown total or subscore makes a comparison false.

Item wording: PHQ and GAD instruments are free to reproduce (Pfizer); the other texts are short
faithful paraphrases. PRAPARE is NACHC's and is not shipped.
"""

from __future__ import annotations

from typing import Any

# --- Answer option sets -------------------------------------------------------------------

FREQUENCY_2_WEEKS = [
    {"value": 0, "label": "Not at all", "loinc": "LA6568-5"},
    {"value": 1, "label": "Several days", "loinc": "LA6569-3"},
    {"value": 2, "label": "More than half the days", "loinc": "LA6570-1"},
    {"value": 3, "label": "Nearly every day", "loinc": "LA6571-9"},
]
YES_NO = [
    {"value": 0, "label": "No", "loinc": "LA32-8"},
    {"value": 1, "label": "Yes", "loinc": "LA33-6"},
]
DIFFICULTY = [
    {"value": 0, "label": "Not difficult at all", "loinc": ""},
    {"value": 1, "label": "Somewhat difficult", "loinc": ""},
    {"value": 2, "label": "Very difficult", "loinc": ""},
    {"value": 3, "label": "Extremely difficult", "loinc": ""},
]


def _options(labels: list[str], *, scores: list[int] | None = None, start: int = 0) -> list[dict[str, Any]]:
    """Options numbered from `start`, scored by value unless `scores` are given."""
    out: list[dict[str, Any]] = []
    for index, label in enumerate(labels):
        option: dict[str, Any] = {"value": start + index, "label": label, "loinc": ""}
        if scores is not None:
            option["score"] = scores[index]
        out.append(option)
    return out


def _choice(key: str, number: str, text: str, options: list[dict[str, Any]], loinc: str = "", **extra: Any) -> dict:
    item: dict[str, Any] = {
        "key": key,
        "number": number,
        "text": text,
        "type": "choice",
        "loinc": loinc,
        "required": True,
        "options": [dict(option) for option in options],
    }
    item.update(extra)
    return item


def _ranges(bands: list[tuple[int, int, str, str, str]]) -> list[dict[str, Any]]:
    return [
        {"key": key, "min": low, "max": high, "label": label, "explanation": explanation}
        for low, high, key, label, explanation in bands
    ]


# --- PHQ-9 and PHQ-2 ----------------------------------------------------------------------

PHQ_PREAMBLE = "Over the last 2 weeks, how often have you been bothered by any of the following problems?"
PHQ9_ITEMS = [
    ("44250-9", "Little interest or pleasure in doing things"),
    ("44255-8", "Feeling down, depressed, or hopeless"),
    ("44259-0", "Trouble falling or staying asleep, or sleeping too much"),
    ("44254-1", "Feeling tired or having little energy"),
    ("44251-7", "Poor appetite or overeating"),
    ("44258-2", "Feeling bad about yourself — or that you are a failure or have let yourself or your family down"),
    ("44252-5", "Trouble concentrating on things, such as reading the newspaper or watching television"),
    (
        "44253-3",
        "Moving or speaking so slowly that other people could have noticed? Or the opposite — being so fidgety "
        "or restless that you have been moving around a lot more than usual",
    ),
    ("44260-8", "Thoughts that you would be better off dead or of hurting yourself in some way"),
]
PRORATE_ONE_MISSING = {
    "rule": "prorate",
    "max_missing": 1,
    "source": (
        "Prorated (mean of the answered items × number of items, rounded half up) when at most one item is "
        "missing. Kroenke K, Spitzer RL, Williams JBW, Löwe B. Gen Hosp Psychiatry 2010;32:345-359 allow "
        "prorating PHQ scales with up to 2 of 9 items missing; Casework uses the stricter one-item rule for "
        "both PHQ-9 and GAD-7 so a prorated score never rests on fewer than 8 of 9 (6 of 7) answers."
    ),
}

PHQ9 = {
    "code": "phq9",
    "name": "PHQ-9 (Patient Health Questionnaire, depression)",
    "kind": "scored",
    "loinc_panel": "44249-1",
    "loinc_total": "44261-6",
    "sensitivity": "",
    "version": 1,
    "definition": {
        "title": "PHQ-9",
        "instructions": PHQ_PREAMBLE,
        "items": [
            *[
                _choice(f"phq9_{n}", str(n), text, FREQUENCY_2_WEEKS, loinc)
                for n, (loinc, text) in enumerate(PHQ9_ITEMS, start=1)
            ],
            _choice(
                "phq9_difficulty",
                "10",
                "If you checked off any problems, how difficult have these problems made it for you to do your "
                "work, take care of things at home, or get along with other people?",
                DIFFICULTY,
                "69722-7",
                required=False,
            ),
        ],
    },
    "scoring": {
        "method": "sum",
        "items": [f"phq9_{n}" for n in range(1, 10)],
        # Item 9 asks about thoughts of self-harm: a score is never prorated without it.
        "missing": {**PRORATE_ONE_MISSING, "never_missing": ["phq9_9"]},
        "bands": _ranges(
            [
                (0, 4, "minimal", "Minimal", "Minimal or no depressive symptoms; no treatment usually needed."),
                (5, 9, "mild", "Mild", "Mild depressive symptoms: watchful waiting; repeat the PHQ-9 at follow-up."),
                (
                    10,
                    14,
                    "moderate",
                    "Moderate",
                    "Moderate depressive symptoms: a treatment plan (counselling, follow-up, possibly medication).",
                ),
                (
                    15,
                    19,
                    "moderately_severe",
                    "Moderately severe",
                    "Moderately severe depression: active treatment with medication and/or psychotherapy.",
                ),
                (
                    20,
                    27,
                    "severe",
                    "Severe",
                    "Severe depression: immediate medication and, if impairment or poor response, referral to a "
                    "mental-health specialist.",
                ),
            ],
        ),
        "flags": [
            {
                "key": "self_harm",
                "label": "Thoughts of self-harm (item 9 above 0): assess safety today",
                "when": {"item": "phq9_9", "gt": 0},
            }
        ],
        "positive_screens": [{"key": "depression", "label": "Depression (PHQ-9 ≥ 10)", "when": {"total": {"gte": 10}}}],
        "source": "Kroenke K, Spitzer RL, Williams JBW. J Gen Intern Med 2001;16:606-613.",
    },
}

PHQ2 = {
    "code": "phq2",
    "name": "PHQ-2 (depression screen)",
    "kind": "scored",
    "loinc_panel": "",
    "loinc_total": "55758-7",
    "sensitivity": "",
    "version": 1,
    "definition": {
        "title": "PHQ-2",
        "instructions": PHQ_PREAMBLE,
        "items": [
            _choice(f"phq2_{n}", str(n), text, FREQUENCY_2_WEEKS, loinc)
            for n, (loinc, text) in enumerate(PHQ9_ITEMS[:2], start=1)
        ],
    },
    "scoring": {
        "method": "sum",
        "items": ["phq2_1", "phq2_2"],
        "missing": {"rule": "incomplete"},
        "bands": _ranges(
            [
                (0, 2, "negative", "Negative screen", "Depression unlikely; no further screening needed now."),
                (3, 6, "positive", "Positive screen", "Depression possible: give the full PHQ-9."),
            ],
        ),
        "flags": [],
        "positive_screens": [{"key": "depression", "label": "Depression (PHQ-2 ≥ 3)", "when": {"total": {"gte": 3}}}],
        "source": "Kroenke K, Spitzer RL, Williams JBW. Med Care 2003;41:1284-1292.",
    },
}

# --- GAD-7 and GAD-2 ----------------------------------------------------------------------

GAD_PREAMBLE = "Over the last 2 weeks, how often have you been bothered by the following problems?"
GAD7_ITEMS = [
    ("69725-0", "Feeling nervous, anxious, or on edge"),
    ("68509-9", "Not being able to stop or control worrying"),
    ("69733-4", "Worrying too much about different things"),
    ("69734-2", "Trouble relaxing"),
    ("69735-9", "Being so restless that it is hard to sit still"),
    ("69689-8", "Becoming easily annoyed or irritable"),
    ("69736-7", "Feeling afraid, as if something awful might happen"),
]

GAD7 = {
    "code": "gad7",
    "name": "GAD-7 (Generalized Anxiety Disorder scale)",
    "kind": "scored",
    "loinc_panel": "69737-5",
    "loinc_total": "70274-6",
    "sensitivity": "",
    "version": 1,
    "definition": {
        "title": "GAD-7",
        "instructions": GAD_PREAMBLE,
        "items": [
            _choice(f"gad7_{n}", str(n), text, FREQUENCY_2_WEEKS, loinc)
            for n, (loinc, text) in enumerate(GAD7_ITEMS, start=1)
        ],
    },
    "scoring": {
        "method": "sum",
        "items": [f"gad7_{n}" for n in range(1, 8)],
        "missing": {**PRORATE_ONE_MISSING, "never_missing": []},
        "bands": _ranges(
            [
                (0, 4, "minimal", "Minimal", "Minimal anxiety."),
                (5, 9, "mild", "Mild", "Mild anxiety: monitor and repeat at follow-up."),
                (10, 14, "moderate", "Moderate", "Moderate anxiety: further evaluation is recommended."),
                (15, 21, "severe", "Severe", "Severe anxiety: further evaluation and active treatment."),
            ],
        ),
        "flags": [],
        "positive_screens": [{"key": "anxiety", "label": "Anxiety (GAD-7 ≥ 10)", "when": {"total": {"gte": 10}}}],
        "source": "Spitzer RL, Kroenke K, Williams JBW, Löwe B. Arch Intern Med 2006;166:1092-1097.",
    },
}

GAD2 = {
    "code": "gad2",
    "name": "GAD-2 (anxiety screen)",
    "kind": "scored",
    "loinc_panel": "",
    "loinc_total": "",
    "sensitivity": "",
    "version": 1,
    "definition": {
        "title": "GAD-2",
        "instructions": GAD_PREAMBLE,
        "items": [
            _choice(f"gad2_{n}", str(n), text, FREQUENCY_2_WEEKS, loinc)
            for n, (loinc, text) in enumerate(GAD7_ITEMS[:2], start=1)
        ],
    },
    "scoring": {
        "method": "sum",
        "items": ["gad2_1", "gad2_2"],
        "missing": {"rule": "incomplete"},
        "bands": _ranges(
            [
                (0, 2, "negative", "Negative screen", "Anxiety disorder unlikely; no further screening needed now."),
                (3, 6, "positive", "Positive screen", "Anxiety disorder possible: give the full GAD-7."),
            ],
        ),
        "flags": [],
        "positive_screens": [{"key": "anxiety", "label": "Anxiety (GAD-2 ≥ 3)", "when": {"total": {"gte": 3}}}],
        "source": "Kroenke K, Spitzer RL, Williams JBW, Monahan PO, Löwe B. Ann Intern Med 2007;146:317-325.",
    },
}

# --- AUDIT-C ------------------------------------------------------------------------------

AUDIT_C = {
    "code": "auditc",
    "name": "AUDIT-C (alcohol use)",
    "kind": "scored",
    "loinc_panel": "72109-2",
    "loinc_total": "75626-2",
    "sensitivity": "substance_use",
    "version": 1,
    "definition": {
        "title": "AUDIT-C",
        "instructions": "Questions about drinking alcohol in the past year.",
        "items": [
            _choice(
                "auditc_1",
                "1",
                "How often do you have a drink containing alcohol?",
                _options(
                    [
                        "Never",
                        "Monthly or less",
                        "2–4 times a month",
                        "2–3 times a week",
                        "4 or more times a week",
                    ]
                ),
            ),
            _choice(
                "auditc_2",
                "2",
                "How many standard drinks containing alcohol do you have on a typical day?",
                _options(["1 or 2", "3 or 4", "5 or 6", "7 to 9", "10 or more"]),
            ),
            _choice(
                "auditc_3",
                "3",
                "How often do you have six or more drinks on one occasion?",
                _options(["Never", "Less than monthly", "Monthly", "Weekly", "Daily or almost daily"]),
            ),
        ],
    },
    "scoring": {
        "method": "sum",
        "items": ["auditc_1", "auditc_2", "auditc_3"],
        "missing": {"rule": "incomplete"},
        # Men screen positive at 4 or more, women at 3 or more. When sex is not recorded the lower
        # (women's) threshold applies, so nobody at risk is missed.
        "sex_fallback": "female",
        "bands": [
            {
                "key": "negative",
                "min": 0,
                "max": 3,
                "sex": "male",
                "label": "Negative screen",
                "explanation": "Below the at-risk threshold for men (4).",
            },
            {
                "key": "positive",
                "min": 4,
                "max": 12,
                "sex": "male",
                "label": "Positive screen",
                "explanation": "At-risk drinking for men (4 or more): brief intervention; consider the full AUDIT.",
            },
            {
                "key": "negative",
                "min": 0,
                "max": 2,
                "sex": "female",
                "label": "Negative screen",
                "explanation": "Below the at-risk threshold for women (3).",
            },
            {
                "key": "positive",
                "min": 3,
                "max": 12,
                "sex": "female",
                "label": "Positive screen",
                "explanation": "At-risk drinking for women (3 or more): brief intervention; consider the full AUDIT.",
            },
        ],
        "flags": [],
        "positive_screens": [
            {
                "key": "alcohol",
                "label": "Alcohol misuse (AUDIT-C ≥ 4 men, ≥ 3 women)",
                "when": {
                    "any": [
                        {"all": [{"sex": "male"}, {"total": {"gte": 4}}]},
                        {"all": [{"sex": "female"}, {"total": {"gte": 3}}]},
                    ]
                },
            }
        ],
        "source": "Bush K et al. Arch Intern Med 1998;158:1789-1795; Bradley KA et al. Alcohol Clin Exp Res 2007.",
    },
}

# --- C-SSRS screener ----------------------------------------------------------------------

ASKED_AFTER_Q2_YES = {"item": "cssrs_2", "eq": 1}
CSSRS_HIGH = {
    "any": [
        {"item": "cssrs_4", "eq": 1},
        {"item": "cssrs_5", "eq": 1},
        {"item": "cssrs_6_recent", "eq": 1},
    ]
}
CSSRS_ANY_YES = {
    "any": [
        {"item": key, "eq": 1}
        for key in ("cssrs_1", "cssrs_2", "cssrs_3", "cssrs_4", "cssrs_5", "cssrs_6", "cssrs_6_recent")
    ]
}

CSSRS = {
    "code": "cssrs_screener",
    "name": "C-SSRS screener (Columbia suicide severity, past month)",
    "kind": "scored",
    "loinc_panel": "",
    "loinc_total": "",
    "sensitivity": "",
    "version": 1,
    "definition": {
        "title": "C-SSRS screener",
        "instructions": "Ask questions 1 and 2. If the answer to 2 is yes, ask 3, 4 and 5; if no, go to 6.",
        "items": [
            _choice(
                "cssrs_1",
                "1",
                "In the past month, have you wished you were dead or wished you could go to sleep and not wake up?",
                YES_NO,
            ),
            _choice(
                "cssrs_2", "2", "In the past month, have you actually had any thoughts of killing yourself?", YES_NO
            ),
            _choice(
                "cssrs_3", "3", "Have you been thinking about how you might do this?", YES_NO, ask_if=ASKED_AFTER_Q2_YES
            ),
            _choice(
                "cssrs_4",
                "4",
                "Have you had these thoughts and had some intention of acting on them?",
                YES_NO,
                ask_if=ASKED_AFTER_Q2_YES,
            ),
            _choice(
                "cssrs_5",
                "5",
                "Have you started to work out or worked out the details of how to kill "
                "yourself, and do you intend to carry out this plan?",
                YES_NO,
                ask_if=ASKED_AFTER_Q2_YES,
            ),
            _choice(
                "cssrs_6",
                "6",
                "Have you ever done anything, started to do anything, or prepared to do anything to end your life?",
                YES_NO,
            ),
            _choice(
                "cssrs_6_recent",
                "6a",
                "Was this within the past 3 months?",
                YES_NO,
                ask_if={"item": "cssrs_6", "eq": 1},
            ),
        ],
    },
    "scoring": {
        "method": "none",
        "items": [],
        "missing": {"rule": "incomplete"},
        "bands": [
            {
                "key": "high_risk",
                "when": CSSRS_HIGH,
                "label": "High risk",
                "explanation": "Suicidal intent, a plan, or suicidal behaviour in the past 3 months: take immediate "
                "safety steps (do not leave the client alone; crisis evaluation today).",
            },
            {
                "key": "moderate_risk",
                "when": CSSRS_ANY_YES,
                "label": "Moderate risk",
                "explanation": "Death wish, suicidal thoughts or a method, or past behaviour: follow up, safety "
                "plan, and consult a clinician.",
            },
            {
                "key": "no_risk_identified",
                "when": {"always": True},
                "label": "No risk identified",
                "explanation": "All answers were no.",
            },
        ],
        "flags": [
            {"key": "high_risk", "label": "C-SSRS high risk: immediate safety steps", "when": CSSRS_HIGH},
            {
                "key": "moderate_risk",
                "label": "C-SSRS moderate risk: follow up",
                "when": {"all": [CSSRS_ANY_YES, {"not": CSSRS_HIGH}]},
            },
        ],
        "positive_screens": [],
        "source": "Posner K et al. Columbia-Suicide Severity Rating Scale, screen version (Columbia "
        "Lighthouse Project).",
    },
}

# --- Katz ADL -----------------------------------------------------------------------------

KATZ_ITEMS = [
    ("bathing", "Bathing", "Bathes self completely, or needs help with only one part of the body"),
    (
        "dressing",
        "Dressing",
        "Gets clothes from closets and drawers and puts them on without help (help tying shoes allowed)",
    ),
    ("toileting", "Toileting", "Goes to the toilet, gets on and off, arranges clothes and cleans self without help"),
    ("transferring", "Transferring", "Moves in and out of bed or chair unassisted (mechanical aids allowed)"),
    ("continence", "Continence", "Exercises complete self-control over urination and defecation"),
    ("feeding", "Feeding", "Gets food from plate into mouth without help (preparation by another allowed)"),
]

KATZ = {
    "code": "katz_adl",
    "name": "Katz Index of Independence in Activities of Daily Living",
    "kind": "scored",
    "loinc_panel": "",
    "loinc_total": "",
    "sensitivity": "",
    "version": 1,
    "definition": {
        "title": "Katz ADL",
        "instructions": "For each activity, record whether the client does it independently (no supervision, "
        "direction or personal assistance).",
        "items": [
            _choice(
                f"katz_{key}",
                str(n),
                f"{label}: {independent}",
                [
                    {"value": 1, "label": "Independent", "loinc": ""},
                    {"value": 0, "label": "Dependent (needs help)", "loinc": ""},
                ],
            )
            for n, (key, label, independent) in enumerate(KATZ_ITEMS, start=1)
        ],
    },
    "scoring": {
        "method": "sum",
        "items": [f"katz_{key}" for key, _label, _text in KATZ_ITEMS],
        "missing": {"rule": "incomplete"},
        # Published guidance names 6 (full function), 4 (moderate impairment) and 2 or less (severe);
        # Casework reads 3–5 as moderate so every total has a band.
        "bands": _ranges(
            [
                (0, 2, "severe", "Severe functional impairment", "Dependent in 4 or more activities of daily living."),
                (3, 5, "moderate", "Moderate impairment", "Dependent in 1 to 3 activities of daily living."),
                (6, 6, "full", "Full function", "Independent in all six activities of daily living."),
            ],
        ),
        "flags": [],
        "positive_screens": [],
        "source": "Katz S et al. JAMA 1963;185:914-919; Shelkey M, Wallace M. Try This: Katz Index (Hartford "
        "Institute for Geriatric Nursing).",
    },
}

# --- Lawton IADL --------------------------------------------------------------------------

LAWTON_DOMAINS: list[tuple[str, str, list[tuple[str, int]]]] = [
    (
        "telephone",
        "Ability to use the telephone",
        [
            ("Operates the telephone on own initiative: looks up and dials numbers", 1),
            ("Dials a few well-known numbers", 1),
            ("Answers the telephone but does not dial", 1),
            ("Does not use the telephone at all", 0),
        ],
    ),
    (
        "shopping",
        "Shopping",
        [
            ("Takes care of all shopping needs independently", 1),
            ("Shops independently for small purchases", 0),
            ("Needs to be accompanied on any shopping trip", 0),
            ("Completely unable to shop", 0),
        ],
    ),
    (
        "food_preparation",
        "Food preparation",
        [
            ("Plans, prepares and serves adequate meals independently", 1),
            ("Prepares adequate meals if supplied with ingredients", 0),
            ("Heats and serves prepared meals, or prepares meals but not an adequate diet", 0),
            ("Needs to have meals prepared and served", 0),
        ],
    ),
    (
        "housekeeping",
        "Housekeeping",
        [
            ("Maintains the house alone, with occasional help with heavy work", 1),
            ("Performs light daily tasks such as dishwashing and bed making", 1),
            ("Performs light daily tasks but cannot keep an acceptable level of cleanliness", 1),
            ("Needs help with all home maintenance tasks", 1),
            ("Does not take part in any housekeeping tasks", 0),
        ],
    ),
    (
        "laundry",
        "Laundry",
        [
            ("Does personal laundry completely", 1),
            ("Launders small items", 1),
            ("All laundry must be done by others", 0),
        ],
    ),
    (
        "transportation",
        "Mode of transportation",
        [
            ("Travels independently on public transportation or drives own car", 1),
            ("Arranges own travel by taxi but does not otherwise use public transportation", 1),
            ("Travels on public transportation when helped or accompanied", 1),
            ("Travel limited to taxi or car with the help of another person", 0),
            ("Does not travel at all", 0),
        ],
    ),
    (
        "medications",
        "Responsibility for own medications",
        [
            ("Takes the correct medication in the correct doses at the correct time", 1),
            ("Takes medication if it is prepared in advance in separate doses", 0),
            ("Is not capable of dispensing own medication", 0),
        ],
    ),
    (
        "finances",
        "Ability to handle finances",
        [
            ("Manages financial matters independently (budgets, pays rent and bills, goes to the bank)", 1),
            ("Manages day-to-day purchases but needs help with banking and major purchases", 1),
            ("Incapable of handling money", 0),
        ],
    ),
]

LAWTON = {
    "code": "lawton_iadl",
    "name": "Lawton Instrumental Activities of Daily Living",
    "kind": "scored",
    "loinc_panel": "",
    "loinc_total": "",
    "sensitivity": "",
    "version": 1,
    "definition": {
        "title": "Lawton IADL",
        "instructions": "For each domain, choose the description that best matches the client's highest level "
        "of functioning.",
        "items": [
            _choice(
                f"lawton_{key}",
                str(n),
                label,
                _options([text for text, _score in options], scores=[score for _text, score in options], start=1),
            )
            for n, (key, label, options) in enumerate(LAWTON_DOMAINS, start=1)
        ],
    },
    "scoring": {
        "method": "sum",
        "items": [f"lawton_{key}" for key, _label, _options in LAWTON_DOMAINS],
        "missing": {"rule": "incomplete"},
        # No cut-off: a single band that says how to read the number.
        "bands": [
            {
                "key": "scored",
                "min": 0,
                "max": 8,
                "label": "Scored (no cut-off)",
                "explanation": "0 (low function, dependent) to 8 (high function, independent). There is no "
                "cut-off: compare with the client's own earlier scores.",
            }
        ],
        "flags": [],
        "positive_screens": [],
        "source": "Lawton MP, Brody EM. Gerontologist 1969;9:179-186.",
    },
}

# --- AHC health-related social needs (core) -----------------------------------------------

HITS_OPTIONS = _options(["Never", "Rarely", "Sometimes", "Fairly often", "Frequently"], start=1)
FOOD_OPTIONS = _options(["Often true", "Sometimes true", "Never true"])
HITS_KEYS = ["ahc_safety_hurt", "ahc_safety_insult", "ahc_safety_threaten", "ahc_safety_scream"]

AHC_HRSN = {
    "code": "ahc_hrsn",
    "name": "AHC health-related social needs screening (core questions)",
    "kind": "scored",
    "loinc_panel": "96777-8",
    "loinc_total": "",
    "sensitivity": "",
    "version": 1,
    "definition": {
        "title": "AHC HRSN core",
        "instructions": "Questions about living situation, food, transportation, utilities and safety.",
        "items": [
            _choice(
                "ahc_living_situation",
                "1",
                "What is your living situation today?",
                _options(
                    [
                        "I have a steady place to live",
                        "I have a place to live today, but I am worried about losing it in the future",
                        "I do not have a steady place to live (temporarily with others, in a hotel, a shelter, "
                        "outside, a car, an abandoned building, a bus or train station, or a park)",
                    ]
                ),
            ),
            {
                "key": "ahc_housing_problems",
                "number": "2",
                "type": "multi",
                "loinc": "",
                "required": True,
                "text": "Think about the place you live. Do you have problems with any of the following? "
                "(choose all that apply)",
                "options": [
                    *_options(
                        [
                            "Pests such as bugs, ants or mice",
                            "Mold",
                            "Lead paint or pipes",
                            "Lack of heat",
                            "Oven or stove not working",
                            "Smoke detectors missing or not working",
                            "Water leaks",
                        ],
                        start=1,
                    ),
                    {"value": 0, "label": "None of the above", "loinc": "", "exclusive": True},
                ],
            },
            _choice(
                "ahc_food_worry",
                "3",
                "Within the past 12 months, you worried that your food would run out before you got money to buy more.",
                FOOD_OPTIONS,
            ),
            _choice(
                "ahc_food_ran_out",
                "4",
                "Within the past 12 months, the food you bought just didn't last and "
                "you didn't have money to get more.",
                FOOD_OPTIONS,
            ),
            _choice(
                "ahc_transportation",
                "5",
                "In the past 12 months, has lack of reliable transportation kept you "
                "from medical appointments, meetings, work or from getting things needed for daily living?",
                YES_NO,
            ),
            _choice(
                "ahc_utilities",
                "6",
                "In the past 12 months, has the electric, gas, oil or water company "
                "threatened to shut off services in your home?",
                [*YES_NO, {"value": 2, "label": "Already shut off", "loinc": ""}],
            ),
            _choice(
                "ahc_safety_hurt",
                "7",
                "How often does anyone, including family and friends, physically hurt you?",
                HITS_OPTIONS,
            ),
            _choice(
                "ahc_safety_insult",
                "8",
                "How often does anyone, including family and friends, insult or talk down to you?",
                HITS_OPTIONS,
            ),
            _choice(
                "ahc_safety_threaten",
                "9",
                "How often does anyone, including family and friends, threaten you with harm?",
                HITS_OPTIONS,
            ),
            _choice(
                "ahc_safety_scream",
                "10",
                "How often does anyone, including family and friends, scream or curse at you?",
                HITS_OPTIONS,
            ),
        ],
    },
    "scoring": {
        "method": "none",
        "items": [],
        "missing": {"rule": "incomplete"},
        "subscores": [{"key": "hits", "label": "Safety (HITS) score, 4–20", "items": HITS_KEYS}],
        "bands": [],
        "flags": [
            {
                "key": "safety",
                "label": "Safety concern (HITS score above 10): assess safety today",
                "when": {"subscore": "hits", "gt": 10},
            }
        ],
        "positive_screens": [
            {
                "key": "housing",
                "label": "Housing instability or housing quality",
                "when": {
                    "any": [
                        {"item": "ahc_living_situation", "in": [1, 2]},
                        {"item": "ahc_housing_problems", "any_of": [1, 2, 3, 4, 5, 6, 7]},
                    ]
                },
            },
            {
                "key": "food",
                "label": "Food insecurity",
                "when": {"any": [{"item": "ahc_food_worry", "in": [0, 1]}, {"item": "ahc_food_ran_out", "in": [0, 1]}]},
            },
            {
                "key": "transportation",
                "label": "Transportation problems",
                "when": {"item": "ahc_transportation", "eq": 1},
            },
            {"key": "utilities", "label": "Utility help needed", "when": {"item": "ahc_utilities", "in": [1, 2]}},
            {"key": "safety", "label": "Interpersonal safety (HITS above 10)", "when": {"subscore": "hits", "gt": 10}},
        ],
        "source": "CMS Accountable Health Communities Health-Related Social Needs Screening Tool (2017); "
        "HITS: Sherin KM et al. Fam Med 1998;30:508-512.",
    },
}

# --- Biopsychosocial assessment (narrative) -----------------------------------------------

BIOPSYCHOSOCIAL_SECTIONS = [
    ("presenting_problem", "Presenting problem", True),
    ("medical", "Medical history and current health", False),
    ("mental_health", "Mental health history and current symptoms", False),
    ("substance_use", "Substance use", False),
    ("family_support", "Family and support system", False),
    ("housing", "Housing", False),
    ("income_employment", "Income and employment", False),
    ("legal", "Legal", False),
    ("education", "Education", False),
    ("strengths", "Strengths", False),
    ("client_goals", "Client's own goals (in the client's words)", True),
]
NARRATIVE_MAX_LENGTH = 20000

BIOPSYCHOSOCIAL = {
    "code": "biopsychosocial",
    "name": "Biopsychosocial assessment",
    "kind": "narrative",
    "loinc_panel": "",
    "loinc_total": "",
    "sensitivity": "",
    "version": 1,
    "definition": {
        "title": "Biopsychosocial assessment",
        "instructions": "Write each section in plain language; leave a section empty when it does not apply.",
        "items": [
            {
                "key": key,
                "number": str(n),
                "text": label,
                "type": "text",
                "loinc": "",
                "required": required,
                "max_length": NARRATIVE_MAX_LENGTH,
            }
            for n, (key, label, required) in enumerate(BIOPSYCHOSOCIAL_SECTIONS, start=1)
        ],
    },
    "scoring": {
        "method": "none",
        "items": [],
        "missing": {"rule": "incomplete"},
        "bands": [],
        "flags": [],
        "positive_screens": [],
    },
}

INSTRUMENTS: list[dict[str, Any]] = [PHQ9, PHQ2, GAD7, GAD2, AUDIT_C, CSSRS, KATZ, LAWTON, AHC_HRSN, BIOPSYCHOSOCIAL]


def shipped(code: str, version: int | None = None) -> dict[str, Any]:
    """A shipped definition by instrument code (the newest one unless `version` is given)."""
    matches = [entry for entry in INSTRUMENTS if entry["code"] == code]
    if version is not None:
        matches = [entry for entry in matches if entry["version"] == version]
    if not matches:
        raise KeyError(code)
    return max(matches, key=lambda entry: entry["version"])
