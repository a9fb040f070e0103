"""Synthetic data for benchmarks: an agency-sized data set, bulk inserted.

Everything goes into one dedicated agency ("Synthetic Agency (benchmark)") with its own
programs, teams and workers. Clients and cases are written with `bulk_create`, the
high-volume rows that hang off them (status history, assignments, notes, identifiers) with
`executemany` or PostgreSQL's `COPY`; one transaction per batch of clients, **without audit
events**: this data is for measuring, not a record of anyone's work,
and writing the hash-chained log row by row would take far longer than the data itself. Never
point it at a production database (the command refuses unless DEBUG is on or --yes-i-know).

Workers carry about 80 open cases each, eight workers to a team, teams spread over four
programs. Names follow a skewed distribution (a few very common surnames, a long tail of rare
ones), so name searches see realistic numbers of candidates.
"""

from __future__ import annotations

import datetime
import functools
import itertools
import math
import random
import time
import zoneinfo
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from django.contrib.auth.hashers import make_password
from django.db import DEFAULT_DB_ALIAS, connections, models, transaction
from django.utils import timezone

from casework.accounts.models import Agency, Program, Role, Team, User
from casework.cases.models import OPEN_STATUSES, Case, CaseAssignment, CaseStatus, CaseStatusChange, ClosureReason
from casework.clients.models import Client, ClientIdentifier
from casework.core import crypto, text
from casework.notes.models import NOTE_SECTIONS, ContactType, NoteFormat, NoteStatus, ProgressNote

AGENCY_NAME = "Synthetic Agency (benchmark)"
AGENCY_TIME_ZONE = "America/New_York"
OPEN_CASES_PER_WORKER = 80
WORKERS_PER_TEAM = 8
CLOSED_SHARE = 0.1  # of current cases
PREVIOUS_EPISODE_SHARE = 0.1  # clients with an earlier, closed case
# Each worker is given this many clients so that about 80 of their cases are open.
CLIENTS_PER_WORKER = round(OPEN_CASES_PER_WORKER / (1 - CLOSED_SHARE))
PROGRAMS = [
    ("Adult Mental Health", 14),
    ("Older Adults & Home Care", 30),
    ("Youth & Family", 14),
    ("Housing Stabilization", 30),
]
BATCH_SIZE = 2000
# 60% of surnames come from the list below, weighted so that Smith is about 1% of clients (as in
# the US census); the rest are generated rare names.
RARE_SURNAME_SHARE = 0.4
# Enum value lists, computed once (the enums rebuild them on every access).
CLOSURE_REASONS = list(ClosureReason.values)
NOTE_FORMATS = list(NoteFormat.values)
CONTACT_TYPES = list(ContactType.values)


def _words(names: str) -> list[str]:
    """A name list written as one string, split on spaces (each name is one word)."""
    return names.split()


# Common surnames first (they get most of the weight), then less common ones.
LAST_NAMES = _words(
    "Smith Johnson Williams Brown Jones Garcia Miller Davis Rodriguez Martinez Hernandez Lopez Gonzalez Wilson "
    "Anderson Thomas Taylor Moore Jackson Martin Lee Perez Thompson White Harris Sanchez Clark Ramirez Lewis "
    "Robinson Walker Young Allen King Wright Scott Torres Nguyen Hill Flores Green Adams Nelson Baker Hall Rivera "
    "Campbell Mitchell Carter Roberts Gomez Phillips Evans Turner Diaz Parker Cruz Edwards Collins Reyes Stewart "
    "Morris Morales Murphy Cook Rogers Gutierrez Ortiz Morgan Cooper Peterson Bailey Reed Kelly Howard Ramos Kim "
    "Cox Ward Richardson Watson Brooks Chavez Wood James Bennett Gray Mendoza Ruiz Hughes Price Alvarez Castillo "
    "Sanders Patel Myers Long Ross Foster Jimenez Powell Jenkins Perry Russell Sullivan Bell Coleman Butler "
    "Henderson Barnes Gonzales Fisher Vasquez Simmons Romero Jordan Patterson Alexander Hamilton Graham Reynolds "
    "Griffin Wallace Moreno West Cole Hayes Bryant Herrera Gibson Ellis Tran Medina Aguilar Stevens Murray Ford "
    "Castro Marshall Owens Harrison Fernandez McDonald Woods Washington Kennedy Wells Vargas Henry Chen Freeman "
    "Webb Tucker Guzman Burns Crawford Olson Simpson Porter Hunter Gordon Mendez Silva Shaw Snyder Mason Dixon "
    "Muñoz Hunt Hicks Holmes Palmer Wagner Black Robertson Boyd Rose Stone Salazar Fox Warren Mills Meyer Rice "
    "Schmidt Garza Daniels Ferguson Nichols Stephens Soto Weaver Ryan Gardner Payne Grant Dunn Kelley Spencer "
    "Hawkins Arnold Pierce Vázquez Hansen Peters Santos Hart Bradley Knight Elliott Cunningham Duncan Armstrong "
    "Hudson Carroll Lane Riley Andrews Alvarado Ray Delgado Berry Perkins Hoffman Johnston Matthews Peña Richards "
    "Contreras Willis Carpenter Lawrence Sandoval Guerrero George Chapman Rios Estrada Ortega Watkins Greene "
    "Núñez Wheeler Valdez Harper Burke Larson Santiago Maldonado Morrison Franklin Carlson Austin Dominguez Carr "
    "Lawson Jacobs O'Brien Lynch Singh Vega Bishop Montgomery Oliver Jensen Harvey Williamson Gilbert Dean Sims "
    "Espinoza Howell Li Wong Reid Hanson Le McCoy Garrett Burton Fuller Wang Weber Welch Rojas Lucas Marquez "
    "Fields Park Yang Little Banks Padilla Day Walsh Bowman Schultz Luna Fowler Mejia Davidson Acosta Brewer "
    "May Holland Juarez Newman Pearson Curtis Cortez Douglas Schneider Joseph Barrett Navarro Figueroa Keller "
    "Ávila Wade Molina Stanley Hopkins Campos Barnett Bates Chambers Caldwell Beck Lambert Miranda Byrd Craig "
    "Ayala Lowe Frazier Powers Neal Leonard Gregory Carrillo Sutton Fleming Rhodes Shelton Schwartz Norris "
    "Jennings Watts Duran Walters Cohen McDaniel Moran Parks Steele Vaughn Becker Holt DeLuca Ball Abdi "
    "Hassan Mohamed Okafor Adeyemi Mensah Kowalski Nowak Wiśniewski Ivanov Petrov Volkov Tanaka Watanabe Sato "
    "Suzuki Yamamoto Choi Jung Kang Cho Yoon Huang Zhang Liu Wu Zhou Xu Sun Ma Zhu Hu Guo Lin Pham Hoang Phan "
    "Vu Dang Bui Do Ho Ngo Duong Ly Shah Mehta Desai Joshi Iyer Reddy Rao Khan Ahmed Ali Hussain Siddiqui Rahimi "
    "Haddad Khoury Mansour Al-Hassan Levy Friedman Goldberg Andersson Johansson Lindqvist Nielsen Larsen "
    "Murphy-Jones García-López Jackson-Reed Park-Robinson Cruz-Ortega"
)
FIRST_NAMES_FEMALE = _words(
    "Mary Patricia Jennifer Linda Elizabeth Barbara Susan Jessica Sarah Karen Lisa Nancy Betty Margaret Sandra "
    "Ashley Kimberly Emily Donna Michelle Carol Amanda Dorothy Melissa Deborah Stephanie Rebecca Sharon Laura "
    "Cynthia Kathleen Amy Angela Shirley Anna Brenda Pamela Emma Nicole Helen Samantha Katherine Christine Debra "
    "Rachel Carolyn Janet Catherine Maria Heather Diane Ruth Julie Olivia Joyce Virginia Victoria Kelly Lauren "
    "Christina Joan Evelyn Judith Megan Andrea Cheryl Hannah Jacqueline Martha Gloria Teresa Ann Sara Madison "
    "Frances Kathryn Janice Jean Abigail Alice Julia Judy Sophia Grace Denise Amber Doris Marilyn Danielle "
    "Beverly Isabella Theresa Diana Natalie Brittany Charlotte Marie Kayla Alexis Lori Guadalupe Rosa Lucía "
    "Ana Sofía Camila Valentina Ximena Mei Lan Linh Thảo Hoa Aisha Amina Fatima Layla Mariam Priya Ananya Yuki "
    "Hana Ji-yeon Seo-yeon Ngozi Imani Keisha Latoya Shanice Zoë Renée Siobhán Ewa Agnieszka Olga Irina Svetlana"
)
FIRST_NAMES_MALE = _words(
    "James Robert John Michael David William Richard Joseph Thomas Christopher Charles Daniel Matthew Anthony "
    "Mark Donald Steven Andrew Paul Joshua Kenneth Kevin Brian George Timothy Ronald Jason Edward Jeffrey Ryan "
    "Jacob Gary Nicholas Eric Jonathan Stephen Larry Justin Scott Brandon Benjamin Samuel Gregory Alexander "
    "Patrick Frank Raymond Jack Dennis Jerry Tyler Aaron Jose José Adam Nathan Henry Zachary Douglas Peter Kyle "
    "Noah Ethan Jeremy Walter Christian Keith Roger Terry Austin Sean Gerald Carl Harold Dylan Arthur Lawrence "
    "Jordan Jesse Bryan Billy Bruce Gabriel Joe Logan Alan Juan Albert Willie Elijah Wayne Randy Vincent Mason "
    "Roy Ralph Bobby Russell Bradley Philip Eugene Luis Carlos Miguel Jesús Alejandro Javier Tomás Ángel Minh "
    "Tuấn Bảo Wei Hao Jun Hyun-woo Min-jun Kenji Haruto Mohamed Abdi Omar Yousef Hamid Farid Rajesh Anil Kwame "
    "Oluwaseun Darnell Jamal DeShawn Björn Dmitri Pavel Nikolai Tomasz Piotr Jean-Pierre Étienne"
)
STREETS = [
    "Main St",
    "Oak Ave",
    "Maple St",
    "Cedar Rd",
    "Park Ave",
    "Washington Blvd",
    "Lake St",
    "Hill Rd",
    "Elm St",
    "Pine St",
    "Church St",
    "River Rd",
    "Mill St",
    "Spring St",
    "Center St",
    "Highland Ave",
    "Franklin St",
]
CITIES = [
    ("Riverside", "IL", "60546"),
    ("Springfield", "IL", "62701"),
    ("Oak Park", "IL", "60302"),
    ("Cicero", "IL", "60804"),
    ("Berwyn", "IL", "60402"),
    ("Evanston", "IL", "60201"),
]
LANGUAGES = [
    ("English", 80),
    ("Spanish", 12),
    ("Vietnamese", 2),
    ("Mandarin", 2),
    ("Arabic", 1),
    ("Polish", 1),
    ("Somali", 1),
    ("Russian", 1),
]
SYLLABLES = [
    "ka",
    "ro",
    "mi",
    "ven",
    "tal",
    "bor",
    "sen",
    "di",
    "lu",
    "mar",
    "kov",
    "ne",
    "str",
    "an",
    "ell",
    "ber",
    "gh",
    "ton",
    "wick",
    "dal",
    "ford",
    "ski",
    "ez",
    "ini",
    "ova",
    "stad",
    "holm",
    "by",
    "ley",
]
SENTENCES = {
    "said": [
        "Client reports sleeping better this week.",
        "Client is worried about the rent increase.",
        "Client says the new medication causes nausea.",
        "Client reports a good week at work.",
        "Client missed the clinic appointment because of transport.",
    ],
    "observed": [
        "Calm, good eye contact, well groomed.",
        "Appeared tired; affect flat.",
        "Home clean; food in the kitchen.",
        "Anxious, fidgeting, but engaged.",
    ],
    "intervention": [
        "Reviewed the care plan goals.",
        "Helped complete the benefits application.",
        "Practised a breathing exercise.",
        "Arranged transport for the next appointment.",
    ],
    "response": [
        "Client engaged and agreed to the plan.",
        "Client asked good questions.",
        "Client was hesitant but agreed to try.",
    ],
    "assessment": ["Progressing toward goals.", "Stable; no safety concerns.", "Needs closer follow-up."],
    "plan": ["Follow up next week.", "Call the clinic on Monday.", "Home visit in two weeks."],
}
SECTION_SOURCE = {
    "subjective": "said",
    "objective": "observed",
    "data": "said",
    "behavior": "observed",
    "intervention": "intervention",
    "response": "response",
    "assessment": "assessment",
    "plan": "plan",
    "narrative": "said",
}


@dataclass
class SyntheticResult:
    """What a run created, for the summary line and the benchmark."""

    agency: Agency
    clients: int = 0
    cases: int = 0
    notes: int = 0
    workers: list[int] = field(default_factory=list)
    seconds: float = 0.0


def _cumulative_weights(count: int, exponent: float) -> list[float]:
    """Zipf-like weights (rank ** -exponent), cumulated once so each draw is a bisection."""
    return list(itertools.accumulate(1 / (rank**exponent) for rank in range(1, count + 1)))


def _adapt_json(db: Any, encoder: Any, value: Any) -> Any:
    return db.ops.adapt_json_value(value, encoder)


def insert_rows(model: type[models.Model], rows: list[dict[str, Any]], *, chunk: int = 5000) -> None:
    """INSERT plain rows with executemany; columns not given take the field's default.

    Used for the high-volume tables. Dates, times and JSON are turned into what the database
    expects by the backend's own adapters; everything else is passed as is.
    """
    if not rows:
        return
    db = connections[DEFAULT_DB_ALIAS]
    fields = [field for field in model._meta.concrete_fields if not field.primary_key]
    defaults = {field.attname: field.get_default() for field in fields}
    adapters: dict[str, Callable[[Any], Any]] = {}
    for model_field in fields:
        kind = model_field.get_internal_type()
        if kind == "DateTimeField":
            adapters[model_field.attname] = db.ops.adapt_datetimefield_value
        elif kind == "DateField":
            adapters[model_field.attname] = db.ops.adapt_datefield_value
        elif kind == "JSONField":
            encoder = getattr(model_field, "encoder", None)
            adapters[model_field.attname] = functools.partial(_adapt_json, db, encoder)
    names = [model_field.attname for model_field in fields]
    plan = [(name, defaults[name], adapters.get(name)) for name in names]
    values: list[tuple[Any, ...]] = []
    for row in rows:
        line: list[Any] = []
        for name, default, adapt in plan:
            value = row.get(name, default)
            line.append(adapt(value) if adapt is not None and value is not None else value)
        values.append(tuple(line))
    quote = db.ops.quote_name
    table = quote(model._meta.db_table)
    columns = ", ".join(quote(model_field.column) for model_field in fields)
    with db.cursor() as cursor:
        if db.vendor == "postgresql":
            # COPY is several times faster than INSERT on PostgreSQL.
            with cursor.cursor.copy(f"COPY {table} ({columns}) FROM STDIN") as copy:
                for values_row in values:
                    copy.write_row(values_row)
            return
        placeholders = ", ".join(["%s"] * len(fields))
        # Table and column names come from the model; the values are parameters.
        sql = f"INSERT INTO {table} ({columns}) VALUES ({placeholders})"  # noqa: S608
        for offset in range(0, len(values), chunk):
            cursor.executemany(sql, values[offset : offset + chunk])


class SyntheticGenerator:
    """Builds rows in memory and bulk-inserts them, batch by batch."""

    def __init__(
        self,
        *,
        clients: int,
        notes_per_case: int = 3,
        seed: int = 1,
        batch_size: int = BATCH_SIZE,
        progress: Callable[[str], None] | None = None,
    ) -> None:
        self.total_clients = clients
        self.notes_per_case = notes_per_case
        self.rng = random.Random(seed)
        self.batch_size = batch_size
        self.progress = progress or (lambda message: None)
        self.zone = zoneinfo.ZoneInfo(AGENCY_TIME_ZONE)
        self.now = timezone.now()
        self.today = timezone.localdate(self.now, timezone=self.zone)
        self.last_weights = _cumulative_weights(len(LAST_NAMES), 0.4)
        self.female_weights = _cumulative_weights(len(FIRST_NAMES_FEMALE), 0.7)
        self.male_weights = _cumulative_weights(len(FIRST_NAMES_MALE), 0.7)
        self.language_names = [name for name, _weight in LANGUAGES]
        self.language_weights = list(itertools.accumulate(weight for _name, weight in LANGUAGES))

    # --- the organisation ---------------------------------------------------------------
    def _organisation(self) -> tuple[Agency, list[Program], list[User]]:
        agency, _created = Agency.objects.get_or_create(name=AGENCY_NAME, defaults={"time_zone": AGENCY_TIME_ZONE})
        programs = []
        existing_users = User.objects.filter(agency=agency).count()
        unusable = make_password(None)  # synthetic staff never sign in
        for index, (name, interval) in enumerate(PROGRAMS):
            program = Program.objects.filter(agency=agency, name=name).first()
            if program is None:
                director = User.objects.create(
                    email=f"synthetic-director-{existing_users + index}@synthetic.invalid",
                    full_name=f"Director {index + 1}",
                    role=Role.PROGRAM_DIRECTOR,
                    agency=agency,
                    password=unusable,
                )
                program = Program.objects.create(
                    agency=agency, name=name, director=director, contact_interval_days=interval
                )
            programs.append(program)
        worker_count = max(1, math.ceil(self.total_clients / CLIENTS_PER_WORKER))
        team_count = max(1, math.ceil(worker_count / WORKERS_PER_TEAM))
        first_team = Team.objects.filter(agency=agency).count()
        first_user = User.objects.filter(agency=agency).count()
        teams = Team.objects.bulk_create(
            [Team(agency=agency, name=f"Team {first_team + i + 1}") for i in range(team_count)]
        )
        supervisors = User.objects.bulk_create(
            [
                User(
                    email=f"synthetic-supervisor-{first_user + i}@synthetic.invalid",
                    full_name=f"Supervisor {i + 1}",
                    role=Role.SUPERVISOR,
                    agency=agency,
                    team=team,
                    password=unusable,
                    capacity=20,
                )
                for i, team in enumerate(teams)
            ]
        )
        for team, supervisor in zip(teams, supervisors, strict=True):
            team.supervisor = supervisor
        Team.objects.bulk_update(teams, ["supervisor"])
        workers = User.objects.bulk_create(
            [
                User(
                    email=f"synthetic-worker-{first_user + team_count + i}@synthetic.invalid",
                    full_name=f"Worker {first_user + i + 1}",
                    role=Role.CASE_MANAGER,
                    agency=agency,
                    team=teams[i // WORKERS_PER_TEAM],
                    password=unusable,
                    capacity=200,
                )
                for i in range(worker_count)
            ],
            batch_size=500,
        )
        self.team_programs = {team.pk: programs[i % len(programs)] for i, team in enumerate(teams)}
        return agency, programs, workers

    @staticmethod
    def _team_id(worker: User) -> int:
        assert worker.team_id is not None  # every synthetic worker is on a team
        return worker.team_id

    # --- rows ---------------------------------------------------------------------------
    def _last_name(self) -> str:
        rng = self.rng
        if rng.random() < RARE_SURNAME_SHARE:
            # The long tail: names almost nobody else in the agency has.
            word = "".join(rng.choice(SYLLABLES) for _ in range(rng.randint(2, 3)))
            return word.capitalize()
        return rng.choices(LAST_NAMES, cum_weights=self.last_weights)[0]

    def _client(self, agency: Agency, creator: User) -> Client:
        rng = self.rng
        female = rng.random() < 0.55
        names, weights = (FIRST_NAMES_FEMALE, self.female_weights) if female else (FIRST_NAMES_MALE, self.male_weights)
        first = rng.choices(names, cum_weights=weights)[0]
        preferred = ""
        if rng.random() < 0.1:
            nicknames = sorted(text.given_name_variants(first) - {text.name_key(first)})
            if nicknames:
                preferred = rng.choice(nicknames).capitalize()
        city, state, postal_code = rng.choice(CITIES)
        language = rng.choices(self.language_names, cum_weights=self.language_weights)[0]
        born = datetime.date(1930, 1, 1) + datetime.timedelta(days=rng.randint(0, 76 * 365))
        created_at = self.now - datetime.timedelta(days=rng.randint(30, 1500), minutes=rng.randint(0, 1440))
        client = Client(
            agency=agency,
            legal_first_name=first,
            legal_middle_name=rng.choice(["", "", "", "A.", "Marie", "James", "Lee"]),
            legal_last_name=self._last_name(),
            preferred_name=preferred,
            date_of_birth=born,
            sex="female" if female else "male",
            pronouns="she/her" if female else "he/him",
            primary_language=language,
            interpreter_needed=language != "English" and rng.random() < 0.6,
            phone=""
            if rng.random() < 0.08
            else f"({rng.randint(201, 989)}) {rng.randint(200, 999)}-{rng.randint(0, 9999):04d}",
            address_line1=f"{rng.randint(1, 9999)} {rng.choice(STREETS)}",
            city=city,
            state=state,
            postal_code=postal_code,
            created_by=creator,
            created_at=created_at,
            updated_at=created_at,
        )
        if rng.random() < 0.4:
            ssn = f"123{rng.randint(10, 99)}{rng.randint(1, 9999):04d}"
            client.ssn_encrypted = crypto.encrypt(ssn)
            client.ssn_last4 = ssn[-4:]
        client.refresh_search_keys()
        return client

    def _sections(self, note_format: str) -> dict[str, str]:
        rng = self.rng
        return {key: rng.choice(SENTENCES[SECTION_SOURCE[key]]) for key, _label in NOTE_SECTIONS[note_format]}

    def _case_rows(
        self,
        client: Client,
        worker: User,
        program: Program,
        *,
        status: str,
        opened_days_ago: int,
        closed_days_ago: int = 0,
    ) -> tuple[Case, dict[type[models.Model], list[dict[str, Any]]]]:
        """A case and its dependent rows (status history, assignment, notes) as column values.

        The dependent rows are plain dicts, inserted without model instances once the case has
        its id: they are most of the data, and the ORM's per-row work would dominate the run.
        """
        rng = self.rng
        opened_at = self.now - datetime.timedelta(days=opened_days_ago, minutes=rng.randint(0, 600))
        case = Case(
            client_id=client.pk,
            program_id=program.pk,
            primary_worker_id=worker.pk,
            team_id=self._team_id(worker),
            status=status,
            acuity=rng.choices([1, 2, 3], weights=[3, 5, 2])[0],
            opened_at=opened_at,
            created_by_id=worker.pk,
            updated_at=opened_at,
            reason_for_referral="Synthetic referral.",
        )
        first_status = CaseStatus.REFERRED if status == CaseStatus.REFERRED else CaseStatus.INTAKE
        changes = [
            {
                "from_status": "",
                "to_status": first_status,
                "changed_by_id": worker.pk,
                "changed_at": opened_at,
                "reason": "Case opened",
            }
        ]
        if status == CaseStatus.CLOSED:
            case.closed_at = self.now - datetime.timedelta(days=closed_days_ago)
            case.closure_reason = rng.choice(CLOSURE_REASONS)
        if status != first_status:
            changed_at = case.closed_at or opened_at + datetime.timedelta(days=min(7, opened_days_ago))
            changes.append(
                {
                    "from_status": first_status,
                    "to_status": status,
                    "changed_by_id": worker.pk,
                    "changed_at": changed_at,
                    "reason": "",
                }
            )
        assignments = [
            {"to_worker_id": worker.pk, "assigned_by_id": worker.pk, "assigned_at": opened_at, "reason": "Case opened"}
        ]
        notes: list[dict[str, Any]] = []
        if status != CaseStatus.REFERRED and self.notes_per_case:
            interval = program.contact_interval_days
            if status == CaseStatus.CLOSED:
                last_ago = closed_days_ago + rng.randint(1, 10)
            elif rng.random() < 0.3:
                last_ago = rng.randint(interval + 1, interval * 3)  # overdue
            else:
                last_ago = rng.randint(1, interval)
            last_ago = min(last_ago, opened_days_ago)
            step = max(1, (opened_days_ago - last_ago) // max(1, self.notes_per_case))
            for index in range(self.notes_per_case):
                days_ago = min(last_ago + step * index, opened_days_ago)
                contact_date = self.today - datetime.timedelta(days=days_ago)
                written = datetime.datetime.combine(
                    contact_date, datetime.time(15, rng.randint(0, 59)), tzinfo=self.zone
                )
                note_format = rng.choice(NOTE_FORMATS)
                note_status = NoteStatus.SIGNED
                if index == 0 and status != CaseStatus.CLOSED and rng.random() < 0.1:
                    note_status = NoteStatus.DRAFT
                elif rng.random() < 0.01:
                    note_status = NoteStatus.VOIDED
                signed = note_status != NoteStatus.DRAFT
                voided = note_status == NoteStatus.VOIDED
                notes.append(
                    {
                        "client_id": client.pk,
                        "author_id": worker.pk,
                        "format": note_format,
                        "contact_type": rng.choice(CONTACT_TYPES),
                        "contact_date": contact_date,
                        "duration_minutes": rng.choice([15, 20, 30, 45, 60, 90]),
                        "sections": self._sections(note_format),
                        "status": note_status,
                        "created_at": written,
                        "updated_at": written,
                        "signed_at": written if signed else None,
                        "signed_by_id": worker.pk if signed else None,
                        "voided_at": written if voided else None,
                        "voided_by_id": worker.pk if voided else None,
                        "void_reason": "Entered in error." if voided else "",
                        "version": 2 if signed else 1,
                    }
                )
        return case, {CaseStatusChange: changes, CaseAssignment: assignments, ProgressNote: notes}

    def _batch(self, agency: Agency, workers: list[User], start: int, stop: int, result: SyntheticResult) -> None:
        rng = self.rng
        owners = [workers[min(index // CLIENTS_PER_WORKER, len(workers) - 1)] for index in range(start, stop)]
        with transaction.atomic():
            clients = Client.objects.bulk_create([self._client(agency, owner) for owner in owners], batch_size=500)
            identifiers: list[dict[str, Any]] = []
            cases: list[Case] = []
            dependents: list[tuple[Case, dict[type[models.Model], list[dict[str, Any]]]]] = []
            for client, worker in zip(clients, owners, strict=True):
                if rng.random() < 0.3:
                    identifiers.append(
                        {
                            "client_id": client.pk,
                            "kind": "mrn",
                            "value": f"MRN-{client.pk:08d}",
                            "value_key": f"mrn{client.pk:08d}",
                            "created_at": client.created_at,
                        }
                    )
                if rng.random() < 0.2:
                    value = f"{rng.randint(100000000, 999999999)}"
                    identifiers.append(
                        {
                            "client_id": client.pk,
                            "kind": "medicaid",
                            "value": value,
                            "value_key": value,
                            "created_at": client.created_at,
                        }
                    )
                program = self.team_programs[self._team_id(worker)]
                plans: list[tuple[str, int, int]] = []
                if rng.random() < PREVIOUS_EPISODE_SHARE:
                    plans.append((CaseStatus.CLOSED, rng.randint(700, 1000), rng.randint(400, 650)))
                if rng.random() < CLOSED_SHARE:
                    plans.append((CaseStatus.CLOSED, rng.randint(120, 380), rng.randint(5, 100)))
                else:
                    status = rng.choices(OPEN_STATUSES, weights=[4, 6, 8, 8, 60, 14])[0]
                    plans.append((status, rng.randint(5, 380), 0))
                for status, opened_ago, closed_ago in plans:
                    case, rows = self._case_rows(
                        client, worker, program, status=status, opened_days_ago=opened_ago, closed_days_ago=closed_ago
                    )
                    cases.append(case)
                    dependents.append((case, rows))
            insert_rows(ClientIdentifier, identifiers)
            Case.objects.bulk_create(cases, batch_size=1000)
            by_model: dict[type[models.Model], list[dict[str, Any]]] = {}
            for case, rows in dependents:
                for model, model_rows in rows.items():
                    for row in model_rows:
                        row["case_id"] = case.pk
                    by_model.setdefault(model, []).extend(model_rows)
            for model, model_rows in by_model.items():
                insert_rows(model, model_rows)
        result.clients += len(clients)
        result.cases += len(cases)
        result.notes += len(by_model.get(ProgressNote, []))

    def run(self) -> SyntheticResult:
        started = time.monotonic()
        with transaction.atomic():
            agency, _programs, workers = self._organisation()
        result = SyntheticResult(agency=agency, workers=[worker.pk for worker in workers])
        self.progress(
            f"{len(workers)} workers in {math.ceil(len(workers) / WORKERS_PER_TEAM)} teams, "
            f"{len(PROGRAMS)} programs; writing {self.total_clients:,} clients..."
        )
        for start in range(0, self.total_clients, self.batch_size):
            stop = min(start + self.batch_size, self.total_clients)
            self._batch(agency, workers, start, stop, result)
            elapsed = time.monotonic() - started
            self.progress(
                f"  {result.clients:>9,} clients {result.cases:>9,} cases {result.notes:>10,} notes ({elapsed:.1f} s)"
            )
        result.seconds = time.monotonic() - started
        return result


def generate_synthetic(
    *,
    clients: int,
    notes_per_case: int = 3,
    seed: int = 1,
    batch_size: int = BATCH_SIZE,
    progress: Callable[[str], None] | None = None,
) -> SyntheticResult:
    """Bulk-insert `clients` synthetic clients with cases and notes into the synthetic agency."""
    generator = SyntheticGenerator(
        clients=clients, notes_per_case=notes_per_case, seed=seed, batch_size=batch_size, progress=progress
    )
    return generator.run()
