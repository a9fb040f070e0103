"""The demo agency: realistic staff, clients, cases and notes for trying Casework out.

Everything about clients goes through the services, so the audit log of a demo database is
real (each event's actor is the demo user who did the work). Accounts, programs and teams
are created with the ORM: there are no services for them yet.

The records are back-dated (cases opened months ago, notes written on their contact day) so
the caseload looks lived-in; the audit events keep the time the demo was loaded, because the
audit log is never rewritten.
"""

from __future__ import annotations

import datetime
import random
import zoneinfo
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any

from django.contrib.auth.hashers import make_password
from django.db import connection, models, transaction
from django.utils import timezone

from casework.accounts.models import Agency, Program, Role, Team, User
from casework.assessments import services as assessment_services
from casework.assessments.models import Assessment, Instrument
from casework.cases import services as case_services
from casework.cases.models import (
    OPEN_STATUSES,
    Case,
    CaseAssignment,
    CaseStatus,
    CaseStatusChange,
    ClosureReason,
)
from casework.clients import services as client_services
from casework.clients.models import Client, ClientIdentifier, SupportContact
from casework.core import text
from casework.notes import services as note_services
from casework.notes.models import ContactType, NoteFormat, NoteStatus, ProgressNote
from casework.safety.models import RiskFlag
from casework.tasks.models import Notification, ReassessmentRule, Task

AGENCY_NAME = "Riverside Community Services"
AGENCY_TIME_ZONE = "America/Chicago"
DEMO_PASSWORD = "casework-demo"
DEMO_URL = "http://127.0.0.1:8000"
SEED = 20261123

ADULT_MH = "amh"
OLDER_ADULTS = "oa"
PROGRAMS = {
    ADULT_MH: ("Adult Mental Health", 14),
    OLDER_ADULTS: ("Older Adults & Home Care", 30),
}

# key: (email, full name, role, team key or "", is_staff)
STAFF: dict[str, tuple[str, str, str, str, bool]] = {
    "supervisor": ("supervisor@example.org", "Dana Whitfield", Role.SUPERVISOR, "north", False),
    "supervisor2": ("supervisor2@example.org", "Marcus Bell", Role.SUPERVISOR, "south", False),
    "cm1": ("cm1@example.org", "Alex Rivera", Role.CASE_MANAGER, "north", False),
    "cm3": ("cm3@example.org", "Luis Romero", Role.CASE_MANAGER, "north", False),
    "cm2": ("cm2@example.org", "Priya Shah", Role.CASE_MANAGER, "south", False),
    "cm4": ("cm4@example.org", "Grace Kim", Role.CASE_MANAGER, "south", False),
    "director": ("director@example.org", "Dr. Helen Park", Role.PROGRAM_DIRECTOR, "", False),
    "admin": ("admin@example.org", "Tom Becker", Role.ADMINISTRATOR, "", True),
    "auditor": ("auditor@example.org", "Audrey Quinn", Role.AUDITOR, "", False),
}
TEAMS = {"north": ("North Team", "supervisor"), "south": ("South Team", "supervisor2")}
# A partner user (receiving organization's staff): e-mail, name, and a service of their organization
# in the demo directory.
PARTNER_LOGIN = ("partner@example.org", "Rosa Delgado", "Riverside Township Food Pantry")
# Reassessment schedules: program key -> (instrument code, due at intake, repeat every N days).
REASSESSMENT_RULES: dict[str, list[tuple[str, bool, int | None]]] = {
    "amh": [("phq9", True, 90), ("gad7", False, 90)],
    "oa": [("katz_adl", True, 180), ("lawton_iadl", True, None)],
}


@dataclass(frozen=True)
class DemoClient:
    """One demo client as typed: names, demographics, who carries the case and in which program."""

    first: str
    middle: str
    last: str
    preferred: str
    dob: str
    sex: str
    gender: str
    pronouns: str
    language: str
    interpreter: bool
    worker: str
    program: str
    # "previous": an earlier closed episode in the same program; "both": a second open case
    # in the other program.
    history: str = ""


def _c(
    first: str,
    middle: str,
    last: str,
    preferred: str,
    dob: str,
    sex: str,
    pronouns: str,
    language: str,
    interpreter: bool,
    worker: str,
    program: str,
    history: str = "",
    gender: str = "",
) -> DemoClient:
    """A row of the client table; gender identity defaults from sex when not given."""
    if not gender:
        gender = {"female": "Woman", "male": "Man"}.get(sex, "")
    return DemoClient(
        first, middle, last, preferred, dob, sex, gender, pronouns, language, interpreter, worker, program, history
    )


F, M, PNA = "female", "male", "prefers_not"
EN = "English"

# fmt: off
CLIENTS: list[DemoClient] = [
    # Alex Rivera (cm1), North Team: both programs.
    _c("Robert", "James", "Whitaker", "Bob", "1961-04-12", M, "he/him", EN, False, "cm1", ADULT_MH, "both"),
    _c("José", "Antonio", "Ñúñez", "", "1979-08-30", M, "he/him", "Spanish", True, "cm1", ADULT_MH),
    _c("María", "Guadalupe", "García-López", "Lupe", "1985-12-02", F, "she/her", "Spanish", False, "cm1", ADULT_MH),
    _c("Lan", "Thị", "Nguyễn", "", "1952-03-15", F, "she/her", "Vietnamese", True, "cm1", OLDER_ADULTS),
    _c("Zoë", "", "Durand-Baptiste", "", "1998-06-21", PNA, "they/them", EN, False, "cm1", ADULT_MH,
       gender="Non-binary"),
    _c("Elizabeth", "Anne", "O'Connor", "Betty", "1941-11-05", F, "she/her", EN, False, "cm1", OLDER_ADULTS),
    _c("Jamal", "", "Washington", "", "1990-01-17", M, "he/him", EN, False, "cm1", ADULT_MH, "previous"),
    _c("Mei-Ling", "", "Chen", "", "1948-09-09", F, "she/her", "Mandarin", True, "cm1", OLDER_ADULTS),
    _c("Anthony", "", "Russo", "Tony", "1972-05-03", M, "he/him", EN, False, "cm1", ADULT_MH),
    _c("Oluwaseun", "", "Adeyemi", "Seun", "1994-02-28", M, "he/him", EN, False, "cm1", ADULT_MH),
    _c("Hyun-woo", "", "Kim", "", "1988-10-10", M, "he/him", "Korean", False, "cm1", ADULT_MH),
    _c("Renée", "", "Tremblay", "", "1955-07-14", F, "she/her", "French", False, "cm1", OLDER_ADULTS),
    _c("Christopher", "Paul", "Nowak", "Chris", "1983-03-22", M, "he/him", EN, False, "cm1", ADULT_MH),
    _c("Samuel", "", "Goldberg", "Sam", "1944-01-30", M, "he/him", EN, False, "cm1", OLDER_ADULTS),
    _c("Amina", "", "Yusuf", "", "1991-04-04", F, "she/her", "Somali", True, "cm1", ADULT_MH),
    _c("Theodore", "", "Brennan", "Ted", "1946-08-19", M, "he/him", EN, False, "cm1", OLDER_ADULTS),
    _c("Imani", "", "Jackson-Reed", "", "2001-09-13", F, "she/her", EN, False, "cm1", ADULT_MH),
    _c("Hamid", "", "Rahimi", "", "1976-12-01", M, "he/him", "Dari", True, "cm1", ADULT_MH),
    _c("Ana Sofía", "", "Ramírez", "", "1996-02-14", F, "she/her", "Spanish", False, "cm1", ADULT_MH),
    _c("John", "", "Smith", "", "1980-02-03", M, "he/him", EN, False, "cm1", ADULT_MH),
    # Priya Shah (cm2), South Team: mostly adult mental health.
    _c("Katherine", "", "Hughes", "Kate", "1987-06-06", F, "she/her", EN, False, "cm2", ADULT_MH),
    _c("Dmitri", "", "Ivanov", "", "1969-11-23", M, "he/him", "Russian", False, "cm2", ADULT_MH),
    _c("Fatima", "", "Al-Hassan", "", "1982-07-07", F, "she/her", "Arabic", True, "cm2", ADULT_MH, "previous"),
    _c("Björn", "", "Andersson", "", "1975-03-03", M, "he/him", EN, False, "cm2", ADULT_MH),
    _c("Tomás", "", "Hernández Ruiz", "", "1967-10-18", M, "he/him", "Spanish", True, "cm2", ADULT_MH),
    _c("Margaret", "Rose", "Sullivan", "Peggy", "1936-02-20", F, "she/her", EN, False, "cm2", OLDER_ADULTS),
    _c("Rajesh", "", "Patel", "Raj", "1978-09-01", M, "he/him", "Gujarati", False, "cm2", ADULT_MH),
    _c("Jordan", "", "Blake", "", "2000-12-12", PNA, "they/them", EN, False, "cm2", ADULT_MH, gender="Genderqueer"),
    _c("Ngozi", "", "Okafor", "", "1993-05-25", F, "she/her", EN, False, "cm2", ADULT_MH),
    _c("Ewa", "", "Wiśniewska", "", "1950-04-08", F, "she/her", "Polish", True, "cm2", OLDER_ADULTS),
    _c("Darnell", "", "Thompson", "", "1986-08-08", M, "he/him", EN, False, "cm2", ADULT_MH),
    _c("Jennifer", "", "Park-Robinson", "Jenny", "1989-01-29", F, "she/her", EN, False, "cm2", ADULT_MH),
    _c("Gabriel", "", "Martínez", "Gabe", "1995-07-31", M, "he/him", EN, False, "cm2", ADULT_MH),
    _c("Dolores", "", "Vásquez", "", "1940-10-02", F, "she/her", "Spanish", True, "cm2", OLDER_ADULTS),
    _c("Kwame", "", "Mensah", "", "1984-11-11", M, "he/him", EN, False, "cm2", ADULT_MH),
    # Luis Romero (cm3), North Team: adult mental health.
    _c("Michael", "", "O'Brien", "Mike", "1970-06-15", M, "he/him", EN, False, "cm3", ADULT_MH, "previous"),
    _c("Yuki", "", "Tanaka", "", "1992-03-08", F, "she/her", "Japanese", False, "cm3", ADULT_MH),
    _c("Luis", "Ángel", "Peña", "", "1981-09-19", M, "he/him", "Spanish", False, "cm3", ADULT_MH),
    _c("Aleksandr", "", "Volkov", "Sasha", "1974-02-11", M, "he/him", "Russian", True, "cm3", ADULT_MH),
    _c("Marisol", "", "Cruz-Ortega", "", "1997-08-24", F, "she/her", "Spanish", False, "cm3", ADULT_MH),
    _c("Abdullahi", "", "Hassan", "", "1988-12-30", M, "he/him", "Somali", True, "cm3", ADULT_MH),
    _c("Deborah", "", "Klein", "Debbie", "1965-05-05", F, "she/her", EN, False, "cm3", ADULT_MH),
    _c("Lakisha", "", "Brown", "", "1990-10-20", F, "she/her", EN, False, "cm3", ADULT_MH),
    _c("Ayesha", "", "Siddiqui", "", "1986-04-17", F, "she/her", "Urdu", False, "cm3", ADULT_MH),
    _c("Joseph", "", "Morales", "Joe", "1977-01-09", M, "he/him", EN, False, "cm3", ADULT_MH),
    _c("Siobhán", "", "Murphy", "", "1999-03-17", F, "she/her", EN, False, "cm3", ADULT_MH),
    _c("Daniela", "", "Rossi", "", "1983-06-30", F, "she/her", EN, False, "cm3", ADULT_MH),
    # Grace Kim (cm4), South Team: older adults and home care.
    _c("Eleanor", "", "Fitzgerald", "Ellie", "1933-12-24", F, "she/her", EN, False, "cm4", OLDER_ADULTS),
    _c("William", "", "Kowalski", "Bill", "1939-05-14", M, "he/him", EN, False, "cm4", OLDER_ADULTS),
    _c("Francis", "", "DeLuca", "Frank", "1942-09-27", M, "he/him", EN, False, "cm4", OLDER_ADULTS),
    _c("Harold", "", "Jensen", "Hal", "1937-07-04", M, "he/him", EN, False, "cm4", OLDER_ADULTS),
    _c("Rosa", "María", "Gutiérrez", "", "1945-03-12", F, "she/her", "Spanish", True, "cm4", OLDER_ADULTS),
    _c("Minh", "Văn", "Trần", "", "1947-11-30", M, "he/him", "Vietnamese", True, "cm4", OLDER_ADULTS),
    _c("Svetlana", "", "Morozova", "", "1949-06-01", F, "she/her", "Russian", True, "cm4", OLDER_ADULTS),
    _c("Kenji", "", "Watanabe", "", "1943-08-15", M, "he/him", "Japanese", False, "cm4", OLDER_ADULTS),
    _c("Carmen", "", "Delgado", "", "1950-02-02", F, "she/her", "Spanish", False, "cm4", OLDER_ADULTS),
    _c("Patricia", "", "Lindqvist", "Patty", "1948-10-31", F, "she/her", EN, False, "cm4", OLDER_ADULTS),
    _c("Esperanza", "", "Flores", "", "1938-04-22", F, "she/her", "Spanish", True, "cm4", OLDER_ADULTS),
    _c("Jean-Pierre", "", "Lefèvre", "", "1944-12-08", M, "he/him", "French", False, "cm4", OLDER_ADULTS),
    _c("Ricardo", "", "Alves", "Rick", "1953-01-26", M, "he/him", "Portuguese", False, "cm4", OLDER_ADULTS),
]

C = CaseStatus
# The current case of each client, in status order; the load shuffles which client gets which.
# (status, closure reason)
STATUS_PLANS: dict[str, list[tuple[CaseStatus, str]]] = {
    "cm1": [(C.REFERRED, ""), (C.INTAKE, ""), (C.INTAKE, ""), (C.ASSESSMENT, ""), (C.ASSESSMENT, ""),
            (C.PLANNING, ""), (C.PLANNING, "")] + [(C.ACTIVE, "")] * 8
    + [(C.TRANSITION, ""), (C.TRANSITION, ""), (C.CLOSED, ClosureReason.GOALS_MET),
       (C.CLOSED, ClosureReason.LOST_CONTACT), (C.CLOSED, ClosureReason.MOVED)],
    "cm2": [(C.REFERRED, ""), (C.INTAKE, ""), (C.ASSESSMENT, ""), (C.ASSESSMENT, ""), (C.PLANNING, "")]
    + [(C.ACTIVE, "")] * 6
    + [(C.TRANSITION, ""), (C.TRANSITION, ""), (C.CLOSED, ClosureReason.CLIENT_DECLINED),
       (C.CLOSED, ClosureReason.TRANSFERRED)],
    "cm3": [(C.REFERRED, ""), (C.INTAKE, ""), (C.ASSESSMENT, ""), (C.PLANNING, "")] + [(C.ACTIVE, "")] * 5
    + [(C.TRANSITION, ""), (C.CLOSED, ClosureReason.HIGHER_LEVEL_OF_CARE), (C.CLOSED, ClosureReason.INCARCERATED)],
    "cm4": [(C.REFERRED, ""), (C.INTAKE, ""), (C.ASSESSMENT, ""), (C.PLANNING, ""), (C.PLANNING, "")]
    + [(C.ACTIVE, "")] * 5
    + [(C.TRANSITION, ""), (C.CLOSED, ClosureReason.DECEASED), (C.CLOSED, ClosureReason.INELIGIBLE)],
}
# fmt: on
FORWARD: list[str] = [C.INTAKE, C.ASSESSMENT, C.PLANNING, C.ACTIVE, C.TRANSITION]
NOTES_BY_STATUS: dict[str, tuple[int, int]] = {
    C.REFERRED: (0, 0),
    C.INTAKE: (1, 1),
    C.ASSESSMENT: (1, 2),
    C.PLANNING: (2, 3),
    C.ACTIVE: (3, 6),
    C.TRANSITION: (4, 5),
    C.CLOSED: (2, 4),
}
OPENED_DAYS_AGO: dict[str, tuple[int, int]] = {
    C.REFERRED: (2, 8),
    C.INTAKE: (5, 20),
    C.ASSESSMENT: (15, 45),
    C.PLANNING: (30, 70),
    C.ACTIVE: (60, 200),
    C.TRANSITION: (120, 240),
    C.CLOSED: (90, 300),
}

REFERRAL_REASONS = {
    ADULT_MH: [
        "Referred by the emergency department after a panic attack; needs linkage to outpatient care.",
        "Self-referred for help with depression and an eviction notice.",
        "Discharged from the inpatient psychiatric unit; needs follow-up within 7 days.",
        "Referred by probation for mental-health case management.",
        "Primary care referral: depression screen positive (PHQ-9 of 16), no current treatment.",
        "Referred by the shelter; sleeping at the shelter for three weeks, wants help with housing and benefits.",
        "Referred by the crisis line after a call about suicidal thoughts; safety plan made on the call.",
    ],
    OLDER_ADULTS: [
        "Referred by daughter; three falls at home in the past three months.",
        "Hospital discharge planner: needs home care and meal delivery after a hip replacement.",
        "Primary care referral for memory concerns and help managing medications.",
        "Neighbor concerned about self-neglect; client agrees to an assessment.",
        "Self-referred: can no longer manage the stairs or the shopping alone since a stroke.",
        "Adult Protective Services closed its investigation and recommends ongoing case management.",
    ],
}
REOPEN_REASON = "Client called back after two months and wants to resume services."
MOVE_BACK_REASON = "New discharge summary from the hospital changes the picture; repeat the assessment."

# Outside professionals on case teams: (role, name, organisation, phone, e-mail).
PROFESSIONALS = {
    "physician": [
        ("physician", "Dr. Aaron Feldman", "Riverside Family Health Center", "(708) 555-0301", "afeldman@example.net"),
        (
            "physician",
            "Dr. Nisha Varghese",
            "Des Plaines Valley Medical Group",
            "(708) 555-0302",
            "nvarghese@example.net",
        ),
    ],
    "psychiatrist": [
        ("psychiatrist", "Dr. Lena Hoffman", "Riverside Behavioral Health", "(708) 555-0311", "lhoffman@example.net"),
    ],
    "therapist": [
        ("therapist", "Marisa Delgado, LCSW", "Lakeside Counseling Center", "(708) 555-0321", "mdelgado@example.net"),
        ("therapist", "Kevin Osei, LCPC", "Harbor Light Therapy", "(708) 555-0322", "kosei@example.net"),
    ],
    "probation": [
        (
            "probation",
            "Officer Dana Kruger",
            "County Adult Probation Department",
            "(312) 555-0331",
            "dkruger@example.gov",
        ),
    ],
    "attorney": [
        ("attorney", "Rachel Stein", "Riverbend Legal Aid", "(312) 555-0341", "rstein@example.org"),
    ],
    "nurse": [
        ("nurse", "Gloria Mensah, RN", "Sunrise Home Health", "(708) 555-0351", "gmensah@example.net"),
    ],
}

FAMILY_FIRST_NAMES = {
    "Spanish": ["Carlos", "Lucía", "Miguel", "Elena", "Javier", "Rosa", "Alejandro", "Marisol"],
    "Vietnamese": ["Hoa", "Tuấn", "Linh", "Bảo", "Thảo"],
    "Somali": ["Hodan", "Abdi", "Ayaan", "Mohamed", "Faadumo"],
    "Mandarin": ["Wei", "Jing", "Hao", "Xiaoyan"],
    "Russian": ["Irina", "Pavel", "Olga", "Nikolai"],
    "Arabic": ["Omar", "Layla", "Yousef", "Mariam"],
    "Korean": ["Ji-yeon", "Min-jun", "Seo-yeon"],
    "French": ["Claire", "Étienne", "Sophie", "Luc"],
    "Polish": ["Tomasz", "Agnieszka", "Piotr", "Małgorzata"],
    "Japanese": ["Haruto", "Aiko", "Ken", "Emi"],
    "Dari": ["Farid", "Mahnaz", "Zahra"],
    "Urdu": ["Bilal", "Sana", "Imran"],
    "Gujarati": ["Nisha", "Anil", "Meena"],
    "Portuguese": ["João", "Beatriz", "Rafael"],
    EN: [
        "Linda",
        "Mark",
        "Susan",
        "David",
        "Karen",
        "James",
        "Angela",
        "Kevin",
        "Tanya",
        "Marcus",
        "Emily",
        "Ryan",
        "Denise",
        "Curtis",
    ],
}
FAMILY_RELATIONSHIPS = [
    ("spouse", "Spouse"),
    ("child", "Daughter"),
    ("child", "Son"),
    ("sibling", "Sister"),
    ("sibling", "Brother"),
    ("parent", "Mother"),
]
OTHER_SUPPORTS = [
    ("friend", "Gloria Banks", "Neighbor across the hall; checks in most days."),
    ("friend", "Pastor Ruth Ellison", "From the church; drives to appointments on Sundays."),
    ("caregiver", "Teresa Molina", "Home care aide, weekdays 9 am to 1 pm (Sunrise Home Health)."),
    ("caregiver", "Andre Fields", "Paid caregiver through the state home-services program."),
    ("professional", "Sgt. Paul Ruiz", "Crisis intervention team officer who knows the client."),
    ("friend", "Kim Dawson", "Friend from the recovery group; OK to call in an emergency."),
    ("guardian", "Harriet Cole, Esq.", "Court-appointed guardian of the estate (financial decisions only)."),
]
FAMILY_NOTES = [
    "Has a key to the apartment.",
    "Works nights; call after 3 pm.",
    "Lives in Cicero; visits on weekends.",
    "Speaks English; can help informally but not as interpreter for clinical matters.",
    "Helps with shopping and the pharmacy.",
    "",
]
STREETS = [
    "Longcommon Rd",
    "Forest Ave",
    "Burling Rd",
    "Herrick Rd",
    "Lawton Rd",
    "Delaplaine Rd",
    "Michaux Rd",
    "Scottswood Rd",
    "Bloomingbank Rd",
    "Gatesby Rd",
    "Selborne Rd",
    "Kent Rd",
    "Addison Rd",
    "Woodside Rd",
]

# What happened at a contact, written once and rendered into each note format.
# said / observed / intervention / response / assessment / plan; {first} is the client's first name.
SCENES: dict[str, list[dict[str, str]]] = {
    ADULT_MH: [
        {
            "type": ContactType.IN_PERSON,
            "said": "{first} sleeps about six hours a night and has had fewer panic attacks since starting sertraline.",
            "observed": "On time, casually dressed, good eye contact. Speech normal; affect brighter than last visit.",
            "intervention": "Reviewed the medication schedule and practised a paced-breathing exercise together.",
            "response": "{first} did the exercise correctly and said it felt doable at home.",
            "assessment": "Anxiety improving. No safety concerns; denies thoughts of self-harm.",
            "plan": "Continue weekly check-ins. Confirm the psychiatry appointment next week.",
        },
        {
            "type": ContactType.HOME_VISIT,
            "said": "{first} said the landlord has not fixed the heat and is worried about the rent increase.",
            "observed": "Apartment cold, space heater in use; food in the kitchen; pills sorted in a weekly pill box.",
            "intervention": "Helped write a repair request and went over tenant-rights information from legal aid.",
            "response": "{first} signed the letter and will hand it to the building manager tomorrow.",
            "assessment": "Housing stress is the main barrier; coping adequately. Takes medication as prescribed.",
            "plan": "Follow up on the repair next week; apply for energy assistance if nothing changes.",
        },
        {
            "type": ContactType.PHONE,
            "said": "{first} called: the SNAP recertification letter arrived and the form is confusing.",
            "observed": "Phone contact; {first} sounded calm and organised.",
            "intervention": "Went through the form section by section and listed the documents needed.",
            "response": "{first} will bring pay stubs and the lease to the office on Thursday.",
            "assessment": "Benefits at risk if the deadline is missed; client engaged.",
            "plan": "Meet Thursday to submit the recertification.",
        },
        {
            "type": ContactType.TELEHEALTH,
            "said": "{first} had a rough week after a family argument but used the coping plan and called a friend.",
            "observed": "Video visit from home; looked tired; affect constricted but reactive.",
            "intervention": "Reviewed the coping plan and named two people to call over the weekend.",
            "response": "{first} agreed to use the plan and to call 988 if the urge to self-harm returns.",
            "assessment": "Mood lower this week; protective factors in place. Denies current suicidal ideation.",
            "plan": "Phone check-in Monday. Update the therapist (release of information on file).",
        },
        {
            "type": ContactType.IN_PERSON,
            "said": "{first} says the new job at the warehouse is going well: three shifts this week.",
            "observed": "Well groomed, smiling, speech organised and goal-directed.",
            "intervention": "Worked on a budget for the first paycheck and the monthly bus pass.",
            "response": "{first} set a goal of saving $50 this month.",
            "assessment": "Progress on the employment goal; stable.",
            "plan": "Review the budget at the next visit.",
        },
        {
            "type": ContactType.HOME_VISIT,
            "said": "{first} has not left the apartment for several days and missed the clinic appointment.",
            "observed": "Curtains drawn, dishes piled up; still in pyjamas at 2 pm; spoke quietly and slowly.",
            "intervention": "Screened for safety, rebooked the clinic appointment and arranged a ride.",
            "response": "{first} agreed to go and accepted a daily check-in call this week.",
            "assessment": "Depressive symptoms worse; no suicidal ideation or plan reported. Needs closer follow-up.",
            "plan": "Daily phone check-in this week; tell the supervisor and the psychiatrist.",
        },
        {
            "type": ContactType.IN_PERSON,
            "said": "{first} brought the court letter and is worried about the hearing next month.",
            "observed": "Anxious and fidgeting, but engaged and asked good questions.",
            "intervention": "Went over the court date and conditions; called the attorney's office together.",
            "response": "{first} confirmed the hearing date and wrote it on the calendar.",
            "assessment": "Legal stress high; keeping to the conditions so far.",
            "plan": "Reminder call the day before the hearing; arrange transport.",
        },
    ],
    OLDER_ADULTS: [
        {
            "type": ContactType.HOME_VISIT,
            "said": "{first} says the knee pain is worse on the stairs and mornings are hard.",
            "observed": "Home tidy; uses a walker; no grab bars in the bathroom yet. Fresh food in the fridge.",
            "intervention": "Did a home-safety checklist; requested grab bars from the home-modification program.",
            "response": "{first} agreed to the installation and to wear the medical alert pendant.",
            "assessment": "Moderate fall risk. Managing daily activities with help from family.",
            "plan": "Confirm the installation date; ask primary care about pain management.",
        },
        {
            "type": ContactType.HOME_VISIT,
            "said": "{first} feels lonely since the senior center closed for repairs and skips lunch most days.",
            "observed": "Well kept, warm in conversation; little food prepared in the kitchen.",
            "intervention": "Enrolled {first} in home-delivered meals and explained the friendly-visitor program.",
            "response": "{first} liked the idea of a weekly visitor and asked for a call back.",
            "assessment": "Social isolation and a nutrition risk.",
            "plan": "Meals start Monday; call in one week to check.",
        },
        {
            "type": ContactType.PHONE,
            "said": "{first} called because the pharmacy changed the packaging and the doses are confusing.",
            "observed": "Phone contact; {first} could read the labels aloud.",
            "intervention": "Went through each medication and time of day; asked the pharmacist for blister packs.",
            "response": "{first} repeated the morning and evening doses back correctly.",
            "assessment": "Needs support with medications; managed the phone review well.",
            "plan": "Home visit next week to check the new packs.",
        },
        {
            "type": ContactType.IN_PERSON,
            "said": "{first} came to the office to ask for help with the electric bill.",
            "observed": "Came by bus with a cane; alert and oriented.",
            "intervention": "Completed the LIHEAP application and booked the energy-assistance appointment.",
            "response": "{first} was relieved and asked about the senior property-tax exemption too.",
            "assessment": "Financial strain; eligible for several benefits.",
            "plan": "Screen for the property-tax exemption at the next visit.",
        },
        {
            "type": ContactType.TELEHEALTH,
            "said": "{first} joined a video call with a grandchild's help; sleeping well and walking daily.",
            "observed": "Bright affect; hears well with the volume up.",
            "intervention": "Reviewed the walking routine and the upcoming appointments.",
            "response": "{first} will keep walking daily and call if anything changes.",
            "assessment": "Stable; goals on track.",
            "plan": "Next contact in a month.",
        },
    ],
    "collateral": [
        {
            "type": ContactType.COLLATERAL,
            "said": "Spoke with {first}'s therapist (release on file): attended 3 of 4 sessions this month.",
            "observed": "Client not present.",
            "intervention": "Shared the housing update and lined up the next appointment time.",
            "response": "The therapist will focus the next session on sleep.",
            "assessment": "Care is coordinated; attendance improving.",
            "plan": "Case conference with the therapist next month.",
        },
        {
            "type": ContactType.COLLATERAL,
            "said": "Spoke with {first}'s emergency contact about the fall last weekend.",
            "observed": "Client not present; family member called from work.",
            "intervention": "Went over fall-prevention steps and how the medical alert pendant works.",
            "response": "Family will visit on weekends and check the pendant battery.",
            "assessment": "Family support strong; fall risk remains.",
            "plan": "Follow up after the primary care visit.",
        },
        {
            "type": ContactType.COLLATERAL,
            "said": "Call with the primary care office about {first}'s missed appointment.",
            "observed": "Client not present.",
            "intervention": "Rebooked the appointment for a morning slot and asked for a reminder call.",
            "response": "The clinic will call {first} two days before.",
            "assessment": "Barrier was transport, now arranged.",
            "plan": "Confirm the ride the day before.",
        },
    ],
}
DURATIONS: dict[str, tuple[int, int]] = {
    ContactType.IN_PERSON: (30, 60),
    ContactType.HOME_VISIT: (45, 90),
    ContactType.PHONE: (10, 25),
    ContactType.TELEHEALTH: (25, 50),
    ContactType.COLLATERAL: (10, 20),
}
ADDENDA = [
    "Correction: the psychiatry appointment is on the 21st, not the 14th.",
    "Late entry: the client also mentioned a fall last week; primary care informed the same day.",
    "The interpreter for this visit was through the language line (interpreter ID 40721).",
]
VOID_REASONS = ["Entered on the wrong client's record.", "Duplicate of the note for the same visit."]


def render_sections(note_format: str, scene: dict[str, str], first: str) -> dict[str, str]:
    """One contact written out in the sections of a note format."""
    part = {key: value.replace("{first}", first) for key, value in scene.items() if key != "type"}
    if note_format == NoteFormat.SOAP:
        return {
            "subjective": part["said"],
            "objective": part["observed"],
            "assessment": part["assessment"],
            "plan": part["plan"],
        }
    if note_format == NoteFormat.DAP:
        return {
            "data": f"{part['said']} {part['observed']} {part['intervention']}",
            "assessment": part["assessment"],
            "plan": part["plan"],
        }
    if note_format == NoteFormat.BIRP:
        return {
            "behavior": f"{part['said']} {part['observed']}",
            "intervention": part["intervention"],
            "response": part["response"],
            "plan": part["plan"],
        }
    return {
        "narrative": " ".join(
            part[key] for key in ("said", "observed", "intervention", "response", "assessment", "plan")
        )
    }


@dataclass
class DemoResult:
    """What the demo load created, for the summary and the tests."""

    agency: Agency
    users: dict[str, User]
    clients: int = 0
    cases: int = 0
    notes: int = 0
    logins: list[tuple[str, str, str]] = field(default_factory=list)


def demo_logins() -> list[tuple[str, str, str]]:
    """(e-mail, role, what they see) for the printed logins table, in a useful order."""
    order = ["cm1", "cm2", "supervisor", "supervisor2", "director", "admin", "auditor", "cm3", "cm4"]
    seen = {
        "cm1": "Case manager, North Team: ~20 cases in both programs",
        "cm2": "Case manager, South Team: ~15 cases",
        "cm3": "Case manager, North Team",
        "cm4": "Case manager, South Team (older adults)",
        "supervisor": "Supervisor of the North Team (cm1, cm3)",
        "supervisor2": "Supervisor of the South Team (cm2, cm4)",
        "director": "Program director of both programs",
        "admin": "Administrator (no client records)",
        "auditor": "Auditor: who saw and changed what",
    }
    logins = [(STAFF[key][0], str(Role(STAFF[key][2]).label), seen[key]) for key in order]
    logins.append(
        (
            PARTNER_LOGIN[0],
            str(Role.PARTNER.label),
            f"Referral inbox of the organization running {PARTNER_LOGIN[2]} (no client records)",
        )
    )
    return logins


class _Clock:
    """Back-dating of the records written by the services, applied in bulk at the end."""

    def __init__(self, today: datetime.date, zone: zoneinfo.ZoneInfo) -> None:
        self.today = today
        self.zone = zone
        self.now = timezone.now()
        self.updates: dict[type[models.Model], dict[int, dict[str, Any]]] = {}

    def at(self, day: datetime.date, hour: int, minute: int = 0) -> datetime.datetime:
        moment = datetime.datetime.combine(day, datetime.time(hour, minute), tzinfo=self.zone)
        return min(moment, self.now)

    def days_ago(self, days: int) -> datetime.date:
        return self.today - datetime.timedelta(days=days)

    def get(self, obj: Any, name: str) -> Any:
        """The back-dated value set for a field, or the object's own."""
        return self.updates.get(type(obj), {}).get(obj.pk, {}).get(name, getattr(obj, name))

    def set(self, obj: Any, **values: Any) -> None:
        self.updates.setdefault(type(obj), {}).setdefault(obj.pk, {}).update(values)

    def apply(self) -> None:
        """Write the back-dated times: one executemany per model and set of fields."""
        for model, rows in self.updates.items():
            by_name = {field.name: field for field in model._meta.concrete_fields}
            groups: dict[tuple[str, ...], list[tuple[Any, ...]]] = {}
            for pk, values in rows.items():
                names = tuple(sorted(values))
                params = [by_name[name].get_db_prep_save(values[name], connection) for name in names]
                groups.setdefault(names, []).append((*params, pk))
            quote = connection.ops.quote_name
            for names, params_list in groups.items():
                columns = ", ".join(f"{quote(by_name[name].column)} = %s" for name in names)
                # Table and column names come from the models, values are parameters.
                table, key = quote(model._meta.db_table), quote(model._meta.pk.column)
                sql = f"UPDATE {table} SET {columns} WHERE {key} = %s"  # noqa: S608
                with connection.cursor() as cursor:
                    cursor.executemany(sql, params_list)


class DemoBuilder:
    """Builds the demo agency through the services, deterministically (seeded)."""

    def __init__(self, *, seed: int = SEED) -> None:
        self.rng = random.Random(seed)
        self.zone = zoneinfo.ZoneInfo(AGENCY_TIME_ZONE)
        self.clock = _Clock(timezone.localdate(timezone=self.zone), self.zone)
        self.users: dict[str, User] = {}
        self.programs: dict[str, Program] = {}
        self.phone_counter = 0
        self.ssn_counter = 0
        self.notes_written: list[ProgressNote] = []
        self.counts = {"clients": 0, "cases": 0, "notes": 0}
        self.opened_at: dict[int, datetime.datetime] = {}

    # --- staff, programs, teams ---------------------------------------------------------
    def build_organisation(self) -> Agency:
        agency = Agency.objects.create(name=AGENCY_NAME, time_zone=AGENCY_TIME_ZONE)
        # One hash for everyone: the password is published anyway, and argon2 is slow on purpose.
        password = make_password(DEMO_PASSWORD)
        teams = {key: Team.objects.create(agency=agency, name=name) for key, (name, _sup) in TEAMS.items()}
        for key, (email, name, role, team_key, is_staff) in STAFF.items():
            self.users[key] = User.objects.create(
                email=email,
                full_name=name,
                role=role,
                agency=agency,
                team=teams.get(team_key),
                is_staff=is_staff,
                is_demo_account=True,
                password=password,
                capacity=60 if role == Role.CASE_MANAGER else 20,
            )
        for key, (_name, supervisor_key) in TEAMS.items():
            teams[key].supervisor = self.users[supervisor_key]
            teams[key].save(update_fields=["supervisor"])
        for key, (name, interval) in PROGRAMS.items():
            self.programs[key] = Program.objects.create(
                agency=agency, name=name, director=self.users["director"], contact_interval_days=interval
            )
        return agency

    # --- clients ----------------------------------------------------------------------
    def _next_phone(self) -> str:
        self.phone_counter += 1
        return f"(708) 555-{100 + self.phone_counter:04d}"

    def create_client(self, spec: DemoClient, actor: User) -> Client:
        rng = self.rng
        data: dict[str, Any] = {
            "legal_first_name": spec.first,
            "legal_middle_name": spec.middle,
            "legal_last_name": spec.last,
            "preferred_name": spec.preferred,
            "date_of_birth": datetime.date.fromisoformat(spec.dob),
            "sex": spec.sex,
            "gender_identity": spec.gender,
            "pronouns": spec.pronouns,
            "primary_language": spec.language,
            "interpreter_needed": spec.interpreter,
            "phone": self._next_phone() if rng.random() < 0.93 else "",
            "address_line1": f"{rng.randint(12, 3499)} {rng.choice(STREETS)}",
            "address_line2": rng.choice(["", "", "", "Apt 2B", "Unit 4", "Apt 1", "Basement apartment"]),
            "city": "Riverside",
            "state": "IL",
            "postal_code": "60546",
            "county": "Cook County",
            **self._household(spec),
        }
        if rng.random() < 0.35:
            local = f"{text.name_key(spec.preferred or spec.first)}.{text.name_key(spec.last)}"
            data["email"] = f"{local}@example.com"
        ssn = None
        if rng.random() < 0.5:
            self.ssn_counter += 1
            # 123-45-xxxx: shaped like an SSN, never a real person's.
            ssn = f"123-45-{1000 + self.ssn_counter * 37:04d}"
        client = client_services.client_create(actor=actor, data=data, ssn=ssn)
        if rng.random() < 0.45:
            client_services.identifier_add(
                actor=actor,
                client=client,
                kind="mrn",
                value=f"RFHC-{rng.randint(100000, 999999)}",
                issuer="Riverside Family Health Center",
            )
        if rng.random() < 0.5:
            client_services.identifier_add(
                actor=actor,
                client=client,
                kind="medicaid",
                value=f"{rng.randint(100000000, 999999999)}",
                issuer="Illinois HFS",
            )
        if spec.program == OLDER_ADULTS and rng.random() < 0.7:
            letters = "ACDEFGHJKMNPQRTUVWXY"
            mbi = (
                f"{rng.randint(1, 9)}{rng.choice(letters)}{rng.choice(letters)}{rng.randint(0, 9)}-"
                f"{rng.choice(letters)}{rng.choice(letters)}{rng.randint(0, 9)}-"
                f"{rng.choice(letters)}{rng.choice(letters)}{rng.randint(10, 99)}"
            )
            client_services.identifier_add(actor=actor, client=client, kind="medicare", value=mbi, issuer="CMS")
        self._support_network(spec, client, actor)
        self.counts["clients"] += 1
        return client

    @staticmethod
    def _household(spec: DemoClient) -> dict[str, Any]:
        """Household size, income and coverage for the screener and the directory match.

        A generator of its own (seeded by the name) so the rest of the demo stays as it was.
        """
        if (spec.first, spec.last) == FLAGGED_DEMO_CLIENT:
            return {"household_size": 3, "annual_household_income": 30000, "insurance": "medicaid"}
        rng = random.Random(f"household {spec.first} {spec.last}")
        if rng.random() < 0.2:
            return {}  # not asked yet: the screener says what to record
        size = rng.choice([1, 1, 2, 2, 3, 4, 5])
        income = rng.choice([0, 9000, 14000, 18500, 24000, 31000, 42000, 56000]) + 1500 * (size - 1)
        insurance = rng.choice(["medicaid", "medicaid", "medicare", "none", "private"])
        return {"household_size": size, "annual_household_income": income, "insurance": insurance}

    def _directory(self) -> None:
        """The demo resource directory: fictional services near Riverside, imported as HSDS."""
        from casework.directory.demo import load_demo_directory

        load_demo_directory(actor=self.users["admin"])

    def _support_network(self, spec: DemoClient, client: Client, actor: User) -> None:
        rng = self.rng
        wants_family = spec.program == OLDER_ADULTS or rng.random() < 0.7
        if wants_family:
            relationship, label = rng.choice(FAMILY_RELATIONSHIPS)
            first = rng.choice(FAMILY_FIRST_NAMES.get(spec.language, FAMILY_FIRST_NAMES[EN]))
            notes = " ".join(part for part in (label + ".", rng.choice(FAMILY_NOTES)) if part)
            client_services.support_contact_add(
                actor=actor,
                client=client,
                data={
                    "name": f"{first} {spec.last}",
                    "relationship": relationship,
                    "phone": f"(773) 555-{200 + self.phone_counter:04d}",
                    "notes": notes,
                    "is_emergency_contact": True,
                },
            )
        if rng.random() < 0.4:
            relationship, name, notes = rng.choice(OTHER_SUPPORTS)
            client_services.support_contact_add(
                actor=actor,
                client=client,
                data={
                    "name": name,
                    "relationship": relationship,
                    "phone": f"(708) 555-{400 + self.phone_counter:04d}",
                    "notes": notes,
                    "is_emergency_contact": not wants_family,
                },
            )

    # --- cases and notes ----------------------------------------------------------------
    def run_case(
        self,
        *,
        client: Client,
        spec: DemoClient,
        program_key: str,
        worker: User,
        status: str,
        closure: str,
        opened_days_ago: int,
        closed_days_ago: int = 0,
        special: str = "",
    ) -> Case:
        """Open a case and walk it to `status`, writing the notes a case like it would have.

        `special` is "reopen" (closed after losing contact, then reopened by the supervisor) or
        "move_back" (sent back from planning to assessment, with a reason).
        """
        rng = self.rng
        assert worker.team is not None and worker.team.supervisor is not None
        supervisor = worker.team.supervisor
        program = self.programs[program_key]
        interval = program.contact_interval_days
        # Referrals are logged by the supervisor who assigns them; others start at intake.
        start = CaseStatus.REFERRED if status == CaseStatus.REFERRED or rng.random() < 0.5 else CaseStatus.INTAKE
        opener = supervisor if start == CaseStatus.REFERRED else worker
        case = case_services.case_open(
            actor=opener,
            client=client,
            program=program,
            primary_worker=worker,
            status=start,
            acuity=rng.choices([1, 2, 3], weights=[3, 5, 2])[0],
            reason_for_referral=rng.choice(REFERRAL_REASONS[program_key]),
        )
        self.counts["cases"] += 1
        opened_at = self.clock.at(self.clock.days_ago(opened_days_ago), rng.randint(8, 11), rng.randint(0, 59))
        self.opened_at[case.pk] = opened_at
        self.clock.set(case, opened_at=opened_at)

        # Which statuses the case goes through, and when the last contact was.
        overdue = False
        if status == CaseStatus.CLOSED:
            path = FORWARD if closure == ClosureReason.GOALS_MET else FORWARD[: rng.randint(1, len(FORWARD))]
            last_contact_ago = closed_days_ago + rng.randint(1, 6)
        elif special == "reopen":
            path = FORWARD[:4]
            last_contact_ago = rng.randint(110, 130)  # of the first episode
        elif special == "move_back":
            path = FORWARD[:3]
            last_contact_ago = rng.randint(1, interval - 3)
        else:
            path = FORWARD[: FORWARD.index(status) + 1] if status != CaseStatus.REFERRED else []
            overdue = rng.random() < 0.35
            if overdue:
                last_contact_ago = rng.randint(interval + 2, int(interval * 2.2))
            else:
                last_contact_ago = rng.randint(1, max(2, interval - 3))
        path = [step for step in path if step != start]
        last_contact_ago = min(last_contact_ago, opened_days_ago)
        low, high = NOTES_BY_STATUS[status]
        note_count = 4 if special == "reopen" else rng.randint(low, high)
        contact_days = self._spread(opened_days_ago, last_contact_ago, note_count)
        step_days = self._spread(opened_days_ago - 1, last_contact_ago + 1, len(path))

        events: list[tuple[int, int, Any]] = [(d, 1, s) for d, s in zip(step_days, path, strict=True)]
        events += [(d, 0, i) for i, d in enumerate(contact_days)]
        # Oldest first; on the same day the note comes before the status change it led to.
        events.sort(key=lambda event: (-event[0], event[1]))
        # A recent visit not yet written up: the last note stays a draft.
        wants_draft = status != CaseStatus.CLOSED and not special and not overdue and rng.random() < 0.2
        draft_index = note_count - 1 if wants_draft else -1
        change_times: list[datetime.datetime] = []
        for days, kind, value in events:
            day = self.clock.days_ago(days)
            if kind == 1:
                case = case_services.case_transition(actor=worker, case=case, to_status=value)
                change_times.append(self.clock.at(day, rng.randint(9, 16), rng.randint(0, 59)))
            else:
                self._write_note(case, spec, program_key, worker, day, sign=value != draft_index)
        if special == "move_back":
            case = case_services.case_transition(
                actor=worker, case=case, to_status=CaseStatus.ASSESSMENT, reason=MOVE_BACK_REASON
            )
            change_times.append(self.clock.at(self.clock.days_ago(last_contact_ago), 15, 30))
        if status == CaseStatus.CLOSED or special == "reopen":
            close_ago = closed_days_ago if status == CaseStatus.CLOSED else last_contact_ago - 15
            case = case_services.case_transition(
                actor=worker,
                case=case,
                to_status=CaseStatus.CLOSED,
                closure_reason=closure or "lost_contact",
                reason="Closing summary sent to the client and to the referral source.",
            )
            closed_at = self.clock.at(self.clock.days_ago(close_ago), 16, rng.randint(0, 59))
            change_times.append(closed_at)
            self.clock.set(case, closed_at=closed_at)
        if special == "reopen":
            reopen_ago = rng.randint(25, 35)
            case = case_services.case_transition(
                actor=supervisor, case=case, to_status=CaseStatus.ACTIVE, reason=REOPEN_REASON
            )
            change_times.append(self.clock.at(self.clock.days_ago(reopen_ago), 10, 15))
            self.clock.set(case, closed_at=None)
            for note_day in (reopen_ago - 1, rng.randint(3, 10)):
                self._write_note(case, spec, program_key, worker, self.clock.days_ago(note_day), sign=True)
        rows = list(CaseStatusChange.objects.filter(case=case).order_by("pk"))
        self.clock.set(rows[0], changed_at=opened_at)
        for row, moment in zip(rows[1:], change_times, strict=True):
            self.clock.set(row, changed_at=max(moment, opened_at))
        for assignment in CaseAssignment.objects.filter(case=case):
            self.clock.set(assignment, assigned_at=opened_at)
        self.clock.set(case, updated_at=max([opened_at, *change_times]))
        if status not in (CaseStatus.REFERRED, CaseStatus.INTAKE):
            self._case_team(case, program_key, worker, opened_at)
        return case

    @staticmethod
    def _spread(first_days_ago: int, last_days_ago: int, count: int) -> list[int]:
        """`count` days-ago values from the first to the last, evenly spaced, oldest first."""
        last_days_ago = min(last_days_ago, first_days_ago)
        if count <= 0:
            return []
        if count == 1:
            return [last_days_ago]
        step = (first_days_ago - last_days_ago) / (count - 1)
        return [round(first_days_ago - step * i) for i in range(count)]

    def _write_note(
        self, case: Case, spec: DemoClient, program_key: str, worker: User, day: datetime.date, *, sign: bool
    ) -> ProgressNote:
        rng = self.rng
        pool = SCENES[program_key] + SCENES["collateral"]
        scene = rng.choice(pool)
        note_format = rng.choice(
            [NoteFormat.SOAP, NoteFormat.DAP, NoteFormat.BIRP, NoteFormat.NARRATIVE]
            if program_key == ADULT_MH
            else [NoteFormat.DAP, NoteFormat.NARRATIVE, NoteFormat.NARRATIVE, NoteFormat.SOAP]
        )
        contact_type = scene["type"]
        low, high = DURATIONS[contact_type]
        note = note_services.note_create(
            actor=worker,
            case=case,
            format=note_format,
            contact_type=contact_type,
            contact_date=day,
            duration_minutes=rng.randint(low, high) // 5 * 5 or 5,
            sections=render_sections(note_format, scene, spec.preferred or spec.first),
            sign=sign,
        )
        written = self.clock.at(day, rng.randint(13, 17), rng.randint(0, 59))
        values: dict[str, Any] = {"created_at": written, "updated_at": written}
        if sign:
            values["signed_at"] = min(written + datetime.timedelta(minutes=rng.randint(5, 90)), self.clock.now)
        self.clock.set(note, **values)
        self.notes_written.append(note)
        self.counts["notes"] += 1
        return note

    def _case_team(self, case: Case, program_key: str, worker: User, opened_at: datetime.datetime) -> None:
        rng = self.rng
        roles = (
            ["therapist", "psychiatrist", "probation", "attorney", "physician"]
            if program_key == ADULT_MH
            else ["physician", "nurse", "physician", "attorney"]
        )
        for role in rng.sample(roles, k=rng.choice([0, 1, 1, 2])):
            self._add_professional(case, worker, role, opened_at)

    def _add_professional(self, case: Case, worker: User, role: str, opened_at: datetime.datetime) -> None:
        kind, name, organization, phone, email = self.rng.choice(PROFESSIONALS[role])
        member = case_services.case_team_member_add(
            actor=worker,
            case=case,
            data={
                "role": kind,
                "name": name,
                "organization": organization,
                "phone": phone,
                "email": email,
            },
        )
        self.clock.set(member, added_at=opened_at + datetime.timedelta(days=self.rng.randint(1, 10)))

    # --- the whole agency -------------------------------------------------------------
    def build(self) -> DemoResult:
        agency = self.build_organisation()
        self._directory()  # the administrator imports it, before any client exists
        rng = self.rng
        by_worker: dict[str, list[DemoClient]] = {}
        for spec in CLIENTS:
            by_worker.setdefault(spec.worker, []).append(spec)
        specials_done: set[str] = set()
        cases: list[Case] = []
        for worker_key, specs in by_worker.items():
            worker = self.users[worker_key]
            plan = list(STATUS_PLANS[worker_key])
            rng.shuffle(plan)
            for spec, (status, closure) in zip(specs, plan, strict=True):
                client = self.create_client(spec, worker)
                client_cases: list[Case] = []
                if spec.history == "previous":
                    client_cases.append(
                        self.run_case(
                            client=client,
                            spec=spec,
                            program_key=spec.program,
                            worker=worker,
                            status=CaseStatus.CLOSED,
                            closure=ClosureReason.GOALS_MET,
                            opened_days_ago=rng.randint(500, 700),
                            closed_days_ago=rng.randint(330, 420),
                        )
                    )
                special = ""
                if status == CaseStatus.ACTIVE and worker_key == "cm1" and "reopen" not in specials_done:
                    special = "reopen"
                elif status == CaseStatus.ASSESSMENT and worker_key == "cm2" and "move_back" not in specials_done:
                    special = "move_back"
                specials_done.add(special)
                low, high = OPENED_DAYS_AGO[status]
                opened = rng.randint(200, 260) if special == "reopen" else rng.randint(low, high)
                client_cases.append(
                    self.run_case(
                        client=client,
                        spec=spec,
                        program_key=spec.program,
                        worker=worker,
                        status=status,
                        closure=closure,
                        opened_days_ago=opened,
                        closed_days_ago=rng.randint(5, min(60, opened - 20)) if status == CaseStatus.CLOSED else 0,
                        special=special,
                    )
                )
                if spec.history == "both":
                    other = OLDER_ADULTS if spec.program == ADULT_MH else ADULT_MH
                    client_cases.append(
                        self.run_case(
                            client=client,
                            spec=spec,
                            program_key=other,
                            worker=worker,
                            status=CaseStatus.ACTIVE,
                            closure="",
                            opened_days_ago=rng.randint(40, 90),
                        )
                    )
                self._backdate_client(client, min(self.opened_at[case.pk] for case in client_cases))
                cases += client_cases
        self._staff_on_case_teams(cases)
        self._corrections()
        self._assessment_trend()
        self._assessments(cases)
        self._care_plans(cases)
        self._appointments(cases)
        self._tasks(cases)
        self._duplicate_record()
        self._referral_partner_and_consent()
        self.clock.apply()
        return DemoResult(
            agency=agency,
            users=self.users,
            clients=self.counts["clients"],
            cases=self.counts["cases"],
            notes=self.counts["notes"],
            logins=demo_logins(),
        )

    def _duplicate_record(self) -> None:
        """Deborah Klein (cm3) registered a second time as "Debbie Klein" at a walk-in, by the North
        Team's supervisor, over the certain match: a pair for the duplicate review queue (and its
        browser test, which no other test touches)."""
        from casework.clients import matching

        deborah = Client.objects.get(legal_first_name="Deborah", legal_last_name="Klein")
        supervisor = self.users["supervisor"]
        data = {
            "legal_first_name": "Debbie",
            "legal_last_name": "Klein",
            "date_of_birth": deborah.date_of_birth,
            "sex": deborah.sex,
            "pronouns": deborah.pronouns,
            "phone": "(708) 555-0199",
            "city": "Riverside",
            "state": "IL",
            "postal_code": "60546",
        }
        query = matching.query_from_client_data(data)
        found = matching.find_matches(agency_id=deborah.agency_id, query=query)
        certain = [candidate.client.pk for candidate in found if candidate.band == matching.CERTAIN]
        possible = [candidate.client.pk for candidate in found if candidate.band == matching.POSSIBLE]
        duplicate = client_services.client_create(
            actor=supervisor,
            data=data,
            duplicate_reason="Walk-in; she said she had never been seen here before." if certain else "",
            certain_match_ids=certain,
            possible_match_ids=possible,
        )
        client_services.support_contact_add(
            actor=supervisor,
            client=duplicate,
            data={"name": "Mark Klein", "relationship": "sibling", "phone": "(708) 555-0142"},
        )
        self.counts["clients"] += 1

    def _appointments(self, cases: list[Case]) -> None:
        """A few appointments this week for cm1 and cm2: yesterday, today and later in the week."""
        from casework.appointments.services import appointment_create, transport_request_create

        today = self.clock.today
        plan: list[tuple[int, int, str, dict[str, Any]]] = [
            (-1, 10, "office", {}),
            (0, 14, "home_visit", {"travel_notes": "Ring the side door; parking on the street."}),
            (2, 11, "telehealth", {"video_link": "https://video.example.org/casework-demo"}),
            (3, 9, "medical", {"provider_name": "Riverside Primary Care", "provider_address": "400 Main St"}),
        ]
        for worker_key in ("cm1", "cm2"):
            worker = self.users[worker_key]
            # One case per client, by surname: the browser tests write notes for the other clients.
            open_cases: list[Case] = []
            for case in sorted(cases, key=lambda case: (case.client.legal_last_name, case.pk)):
                mine = case.primary_worker_id == worker.pk and case.is_open
                if mine and all(case.client_id != taken.client_id for taken in open_cases):
                    open_cases.append(case)
            open_cases = open_cases[: len(plan)]
            for case, (offset, hour, kind, extra) in zip(open_cases, plan, strict=False):
                client = case.client
                start = datetime.datetime.combine(
                    today + datetime.timedelta(days=offset), datetime.time(hour), tzinfo=self.zone
                )
                if kind == "home_visit":
                    address = f"{client.address_line1}, {client.city}".strip(", ") or "Address on the client record"
                    extra = {**extra, "address": address}
                appointment = appointment_create(
                    actor=worker,
                    client=client,
                    case=case,
                    kind=kind,
                    starts_at=start,
                    ends_at=start + datetime.timedelta(minutes=60),
                    allow_overlap=True,
                    **extra,
                )
                if kind == "medical":
                    transport_request_create(
                        actor=worker,
                        appointment=appointment,
                        pickup_address=f"{client.address_line1}, {client.city}".strip(", ") or "Client's home",
                        pickup_at=start - datetime.timedelta(minutes=45),
                        mode="medical",
                    )

    # A few tasks by hand for the demo case managers, so their Today list shows tasks: one late,
    # one due today, one due later.
    DEMO_TASKS = (
        ("Call the housing office about the application", 3, "high"),
        ("Send the benefits renewal form", 0, "normal"),
        ("Check the pharmacy delivered the new prescription", -4, "normal"),
    )

    def _tasks(self, cases: list[Case]) -> None:
        from casework.tasks.services import task_create

        for worker_key in ("cm1", "cm2"):
            worker = self.users[worker_key]
            mine = [case for case in cases if case.primary_worker_id == worker.pk and case.is_open]
            for (title, days_late, priority), case in zip(self.DEMO_TASKS, mine, strict=False):
                task = task_create(
                    actor=worker,
                    client=case.client,
                    case=case,
                    title=title,
                    assignee=worker,
                    due_date=self.clock.days_ago(days_late),
                    priority=priority,
                )
                self.clock.set(task, created_at=self.clock.at(self.clock.days_ago(max(days_late, 0) + 5), 9))

    def _referral_partner_and_consent(self) -> None:
        """The food pantry's partner login, and José Ñúñez's consent to share with it (his food need)."""
        from casework.clients.models import ConsentMethod
        from casework.clients.services import consent_record
        from casework.directory.models import Service
        from casework.referrals.models import PartnerAccount

        email, name, service_name = PARTNER_LOGIN
        pantry = Service.objects.select_related("organization").get(name=service_name).organization
        partner = User.objects.create(
            email=email,
            full_name=name,
            role=Role.PARTNER,
            agency=None,
            is_demo_account=True,
            password=self.users["cm1"].password,
        )
        PartnerAccount.objects.create(user=partner, organization=pantry)
        client = Client.objects.get(legal_first_name=FLAGGED_DEMO_CLIENT[0], legal_last_name=FLAGGED_DEMO_CLIENT[1])
        consent_record(
            actor=self.users["cm1"],
            client=client,
            recipient_organization=pantry,
            purpose="Referral for food assistance",
            information=["name", "phone", "address", "needs", "summary"],
            given_on=self.clock.days_ago(1),
            method=ConsentMethod.WRITTEN,
            expires_on=self.clock.days_ago(-365),
        )

    def _backdate_client(self, client: Client, first_opened_at: datetime.datetime) -> None:
        """The client was registered just before their first case was opened."""
        registered = first_opened_at - datetime.timedelta(minutes=20)
        self.clock.set(client, created_at=registered, updated_at=registered)
        for model in (ClientIdentifier, SupportContact):
            for pk in model.objects.filter(client=client).values_list("pk", flat=True):
                self.clock.set(model(pk=pk), created_at=registered + datetime.timedelta(minutes=5))

    def _staff_on_case_teams(self, cases: Iterable[Case]) -> None:
        """A colleague from the same team as secondary worker on a few open cases."""
        picked = [case for case in cases if case.primary_worker_id == self.users["cm1"].pk and case.is_open][:2]
        for case in picked:
            member = case_services.case_team_member_add(
                actor=self.users["cm1"], case=case, data={"user": self.users["cm3"], "role": "secondary"}
            )
            self.clock.set(member, added_at=self.clock.at(self.clock.days_ago(20), 11))

    def _corrections(self) -> None:
        """Addenda on a few signed notes, and two voided notes (one voided by a supervisor)."""
        open_cases = set(Case.objects.filter(status__in=OPEN_STATUSES).values_list("pk", flat=True))
        signed = [n for n in self.notes_written if n.status == NoteStatus.SIGNED and n.case_id in open_cases]
        users_by_pk = {user.pk: user for user in self.users.values()}
        with_addendum: set[int] = set()
        for text_of_addendum, author_key in zip(ADDENDA, ("cm1", "cm2", "cm4"), strict=True):
            author = self.users[author_key]
            note = next(n for n in signed if n.author_id == author.pk)
            addendum = note_services.note_add_addendum(actor=author, note=note, text=text_of_addendum)
            written = self.clock.get(note, "created_at")
            self.clock.set(addendum, created_at=min(written + datetime.timedelta(days=2), self.clock.now))
            with_addendum.add(note.pk)
        for author_key, actor_key, reason in (("cm1", "cm1", VOID_REASONS[0]), ("cm3", "supervisor", VOID_REASONS[1])):
            author = self.users[author_key]
            note = [n for n in signed if n.author_id == author.pk and n.pk not in with_addendum][-1]
            voided = note_services.note_void(actor=users_by_pk[self.users[actor_key].pk], note=note, reason=reason)
            written = self.clock.get(note, "created_at")
            self.clock.set(voided, voided_at=min(written + datetime.timedelta(days=1), self.clock.now))

    # --- assessments, risk flags, schedules ----------------------------------------------
    def _assessments(self, cases: list[Case]) -> None:
        """Program schedules, PHQ-9s given at different times (due, overdue), one answer of 1 to
        item 9 (the client is flagged at risk: urgent task, alerts) and a positive social-needs screen."""
        instruments = {instrument.code: instrument for instrument in Instrument.objects.all()}
        for program_key, rules in REASSESSMENT_RULES.items():
            for code, at_intake, every in rules:
                ReassessmentRule.objects.create(
                    program=self.programs[program_key],
                    instrument=instruments[code],
                    due_at_intake=at_intake,
                    interval_days=every,
                )
        amh = self.programs[ADULT_MH]
        worked = [C.ASSESSMENT, C.PLANNING, C.ACTIVE, C.TRANSITION]
        open_cases = [case for case in cases if case.status in worked]
        # Bob Whitaker keeps his own PHQ-9/GAD-7 history (the trend, no flag): the browser test
        # gives him a PHQ-9 with item 9 answered and sees him flagged, so he must not start flagged.
        trend_client = (ASSESSMENT_DEMO_CLIENT[0], ASSESSMENT_DEMO_CLIENT[1])
        open_cases = [
            case for case in open_cases if (case.client.legal_first_name, case.client.legal_last_name) != trend_client
        ]
        flagged = next(
            case
            for case in open_cases
            if (case.client.legal_first_name, case.client.legal_last_name) == FLAGGED_DEMO_CLIENT
            and case.program_id == amh.pk
        )
        # The scheduled instruments, last given at different times: some overdue, some due soon,
        # some not due yet, some never given.
        for index, case in enumerate(case for case in open_cases if case != flagged):
            opened_ago = self._opened_days_ago(case)
            if case.program_id == amh.pk:
                days = (100, 75, 40, 0)[index % 4]
                if days and opened_ago > days:
                    self._give(case, "phq9", self._random_answers("phq9", phq9_9=0), days_ago=days)
                    self._give(case, "gad7", self._random_answers("gad7"), days_ago=days)
            elif opened_ago > 10:
                days = min(opened_ago - 7, (200, 120, 60)[index % 3])
                self._give(case, "katz_adl", self._random_answers("katz_adl"), days_ago=days)
                self._give(case, "lawton_iadl", self._random_answers("lawton_iadl"), days_ago=days)
        self._give(flagged, "gad7", self._random_answers("gad7"), days_ago=1)
        self._give(flagged, "phq9", self._phq9_answers(total=16, item9=1), days_ago=1)
        self._give(
            flagged,
            "ahc_hrsn",
            {
                "ahc_living_situation": 1,
                "ahc_housing_problems": [0],
                "ahc_food_worry": 1,
                "ahc_food_ran_out": 2,
                "ahc_transportation": 1,
                "ahc_utilities": 0,
                "ahc_safety_hurt": 1,
                "ahc_safety_insult": 2,
                "ahc_safety_threaten": 1,
                "ahc_safety_scream": 1,
            },
            days_ago=1,
        )

    def _care_plans(self, cases: list[Case]) -> None:
        """Plan rules and templates per program; a food-insecurity screen for the client whose plan the
        browser test builds; an active plan (approved, acknowledged) for another, its review due soon."""
        from casework.careplans import services as plan_services
        from casework.careplans.models import Plan, PlanRevision, PlanSettings, PlanTemplate
        from casework.careplans.starter_templates import STARTER_TEMPLATES

        amh = self.programs[ADULT_MH]
        PlanSettings.objects.create(program=amh, approval_required=True, review_interval_days=90)
        PlanSettings.objects.create(
            program=self.programs[OLDER_ADULTS], approval_required=False, review_interval_days=180
        )
        for program in self.programs.values():
            for template in STARTER_TEMPLATES:
                PlanTemplate.objects.create(program=program, **template)
        worked = [C.ASSESSMENT, C.PLANNING, C.ACTIVE, C.TRANSITION]

        def open_case(names: tuple[str, str]) -> Case | None:
            return next(
                (
                    case
                    for case in cases
                    if (case.client.legal_first_name, case.client.legal_last_name) == names
                    and case.program_id == amh.pk
                    and case.status in worked
                ),
                None,
            )

        food_case = open_case(FOOD_SCREEN_DEMO_CLIENT)
        if food_case is not None:
            self._give(food_case, "ahc_hrsn", dict(FOOD_ONLY_SCREEN), days_ago=2)
        case = open_case(PLAN_DEMO_CLIENT)
        if case is None:
            return
        worker = case.primary_worker
        assert worker.team is not None and worker.team.supervisor is not None
        plan = plan_services.plan_create(actor=worker, case=case, title="Care plan")

        def version() -> int:
            return Plan.objects.values_list("version", flat=True).get(pk=plan.pk)

        plan_services.plan_update(
            actor=worker,
            plan=plan,
            expected_version=version(),
            summary="Getting back to work and keeping my mood steady, with the support I already have.",
        )
        mood = plan_services.need_add(
            actor=worker,
            plan=plan,
            expected_version=version(),
            domain="mental_health",
            description="Low mood most days; sleeps badly",
        )
        work = plan_services.need_add(
            actor=worker,
            plan=plan,
            expected_version=version(),
            domain="employment",
            description="Out of work since the spring",
        )
        for kind, text_of_statement in (
            ("strength", "Close to his sister, who he sees every week"),
            ("strength", "Experienced warehouse supervisor"),
            ("barrier", "No car; the bus to the industrial park takes an hour"),
        ):
            plan_services.statement_add(
                actor=worker, plan=plan, expected_version=version(), kind=kind, text=text_of_statement
            )
        today = self.clock.today
        goals = [
            (
                mood,
                "Feel steady enough to plan my week",
                "I want to get up in the morning and have a reason to",
                "PHQ-9 under 10 at two check-ins in a row",
                today + datetime.timedelta(days=75),
                [("Weekly check-in on mood and sleep", "case_manager", 30), ("Keep a sleep diary", "client", 14)],
            ),
            (
                work,
                "Find a job within reach by bus",
                "Any steady job, I just want to work again",
                "Three applications a week; one job offer",
                today + datetime.timedelta(days=85),
                [("Sign up with the workforce center", "client", 10), ("Bus pass application", "case_manager", 7)],
            ),
        ]
        for need, description, words, target, target_date, steps in goals:
            goal = plan_services.goal_add(
                actor=worker,
                plan=plan,
                expected_version=version(),
                data={
                    "need": need.pk,
                    "description": description,
                    "client_words": words,
                    "measurable_target": target,
                    "target_date": target_date,
                    "term": "short",
                    "lifecycle_status": "active",
                },
            )
            for step_text, party, due_in in steps:
                plan_services.intervention_add(
                    actor=worker,
                    plan=plan,
                    expected_version=version(),
                    data={
                        "goal": goal.pk,
                        "description": step_text,
                        "responsible_party": party,
                        "due_date": today + datetime.timedelta(days=due_in),
                    },
                )
        plan_services.plan_submit(actor=worker, plan=plan, expected_version=version())
        plan_services.plan_approve(
            actor=worker.team.supervisor,
            plan=plan,
            expected_version=version(),
            comment="Good, measurable goals. Review in three months.",
        )
        ack = plan_services.plan_acknowledge(actor=worker, plan=plan, method="in_person", signature="Christopher Nowak")
        # Written a few weeks ago: the review falls due soon and shows on the worker's Today list.
        written = self.clock.at(self.clock.days_ago(80), 11)
        revision = PlanRevision.objects.get(plan=plan, number=1)
        self.clock.set(revision, created_at=written, submitted_at=written, published_at=written)
        self.clock.set(plan, created_at=written, updated_at=written)
        self.clock.set(ack, signed_on=written.date(), recorded_at=written)
        for decision in revision.decisions.all():
            self.clock.set(decision, decided_at=written)
        Plan.objects.filter(pk=plan.pk).update(
            review_due_date=today + datetime.timedelta(days=10), last_reviewed_on=self.clock.days_ago(80)
        )

    def _opened_days_ago(self, case: Case) -> int:
        return (self.clock.today - self.opened_at[case.pk].date()).days

    def _random_answers(self, code: str, **fixed: int) -> dict[str, Any]:
        """One seeded answer per question of the instrument's current version (choice items)."""
        instrument = Instrument.objects.get(code=code)
        version = instrument.current_version()
        assert version is not None
        answers: dict[str, Any] = {}
        for item in version.items:
            if item["key"] in fixed:
                answers[item["key"]] = fixed[item["key"]]
            elif item.get("type", "choice") == "choice":
                answers[item["key"]] = self.rng.choice(item["options"])["value"]
        return answers

    @staticmethod
    def _phq9_answers(*, total: int, item9: int) -> dict[str, int]:
        answers: dict[str, int] = {}
        remaining = total - item9
        for number in range(1, 9):
            answers[f"phq9_{number}"] = min(3, remaining)
            remaining -= answers[f"phq9_{number}"]
        answers["phq9_9"] = item9
        return answers

    def _give(self, case: Case, code: str, answers: dict[str, Any], *, days_ago: int) -> Assessment:
        """Give and complete an instrument through the services, then back-date what it wrote."""
        worker = case.primary_worker
        given_at = self.clock.at(self.clock.days_ago(days_ago), 10, self.rng.randint(0, 59))
        started = assessment_services.assessment_start(
            actor=worker, case=case, instrument_code=code, method="in_person", administered_at=given_at
        )
        answered = assessment_services.assessment_answer(
            actor=worker, assessment=started, answers=answers, expected_version=started.version
        )
        done = assessment_services.assessment_complete(actor=worker, assessment=answered)
        finished = min(given_at + datetime.timedelta(minutes=15), self.clock.now)
        self.clock.set(done, created_at=given_at, updated_at=finished, completed_at=finished)
        for flag in RiskFlag.objects.filter(assessment=done):
            self.clock.set(flag, raised_at=finished)
            for task in Task.objects.filter(source_kind="risk_flag", source_id=flag.pk):
                self.clock.set(task, created_at=finished)
        for notification in Notification.objects.filter(client_id=case.client_id, created_at__gte=self.clock.now):
            self.clock.set(notification, created_at=finished)
        return done

    def _assessment_trend(self) -> None:
        """PHQ-9 and GAD-7 scores over the demo client's Adult Mental Health case, improving (for the trend)."""
        first, last = ASSESSMENT_DEMO_CLIENT
        case = (
            Case.objects.filter(
                client__legal_first_name=first,
                client__legal_last_name=last,
                program=self.programs[ADULT_MH],
                status__in=OPEN_STATUSES,
            )
            .select_related("client", "primary_worker")
            .first()
        )
        if case is None:
            return
        worker = case.primary_worker
        opened_days_ago = (self.clock.today - timezone.localtime(self.opened_at[case.pk], self.zone).date()).days
        for code, totals in ASSESSMENT_DEMO_SCORES.items():
            days = self._spread(max(opened_days_ago - 2, 3), 3, len(totals))
            for days_ago, total in zip(days, totals, strict=True):
                given_at = self.clock.at(self.clock.days_ago(days_ago), 10, 30)
                assessment = assessment_services.assessment_start(
                    actor=worker, case=case, instrument_code=code, method="in_person", administered_at=given_at
                )
                assessment = assessment_services.assessment_answer(
                    actor=worker,
                    assessment=assessment,
                    answers=_answers_adding_up_to(code, total),
                    expected_version=assessment.version,
                )
                assessment = assessment_services.assessment_complete(actor=worker, assessment=assessment)
                done = given_at + datetime.timedelta(minutes=15)
                self.clock.set(assessment, created_at=given_at, updated_at=done, completed_at=done)


# Care plans (casework.careplans): the client with an active, approved plan, and the client whose
# social-needs screen suggests a food need (the care-plan browser test builds her plan).
PLAN_DEMO_CLIENT = ("Christopher", "Nowak")
FOOD_SCREEN_DEMO_CLIENT = ("Ana Sofía", "Ramírez")
FOOD_ONLY_SCREEN = {
    "ahc_living_situation": 0,
    "ahc_housing_problems": [0],
    "ahc_food_worry": 1,
    "ahc_food_ran_out": 1,
    "ahc_transportation": 0,
    "ahc_utilities": 0,
    "ahc_safety_hurt": 1,
    "ahc_safety_insult": 1,
    "ahc_safety_threaten": 1,
    "ahc_safety_scream": 1,
}

# The demo client flagged at risk by a PHQ-9 with item 9 answered 1 (cm1's caseload; a browser test resolves it).
FLAGGED_DEMO_CLIENT = ("José", "Ñúñez")
# The demo client with a PHQ-9 and GAD-7 history; every item 9 answer is 0 (no self-harm flag).
ASSESSMENT_DEMO_CLIENT = ("Robert", "Whitaker")
ASSESSMENT_DEMO_SCORES = {"phq9": [16, 11, 7], "gad7": [13, 8]}


def _answers_adding_up_to(code: str, total: int) -> dict[str, int]:
    """Answers (0-3 each) to a PHQ-9 or GAD-7 that add up to `total`, spread from the first item, item 9 left at 0."""
    count = {"phq9": 8, "gad7": 7}[code]  # PHQ-9: items 1-8 carry the score; item 9 stays 0
    prefix = {"phq9": "phq9_", "gad7": "gad7_"}[code]
    answers = {f"{prefix}{n}": 0 for n in range(1, 10 if code == "phq9" else 8)}
    for n in range(total):
        answers[f"{prefix}{n % count + 1}"] += 1
    return answers


def demo_exists() -> bool:
    """Whether the demo agency has been loaded already."""
    return Agency.objects.filter(name=AGENCY_NAME).exists()


def load_demo(*, seed: int = SEED) -> DemoResult:
    """Create the demo agency, staff, clients, cases and notes in one transaction."""
    with transaction.atomic(), timezone.override(AGENCY_TIME_ZONE):
        return DemoBuilder(seed=seed).build()


__all__ = [
    "AGENCY_NAME",
    "CLIENTS",
    "DEMO_PASSWORD",
    "DEMO_URL",
    "DemoResult",
    "demo_exists",
    "demo_logins",
    "load_demo",
    "render_sections",
]
