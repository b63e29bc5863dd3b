"""The demo company's people: international names, departments, job titles and office locations."""

from __future__ import annotations

import random
import unicodedata
from dataclasses import dataclass


@dataclass(frozen=True)
class Region:
    country: str
    cities: tuple[str, ...]
    first_names: tuple[str, ...]
    last_names: tuple[str, ...]
    weight: int


REGIONS: tuple[Region, ...] = (
    Region(
        "France",
        ("Rueil-Malmaison", "Grenoble", "Lyon", "Paris", "Angoulême"),
        (
            "Amélie",
            "Julien",
            "Camille",
            "Thomas",
            "Léa",
            "Nicolas",
            "Chloé",
            "Antoine",
            "Manon",
            "Mathieu",
            "Élodie",
            "Sébastien",
            "Claire",
            "Guillaume",
            "Inès",
            "Hugo",
        ),
        (
            "Laurent",
            "Martin",
            "Bernard",
            "Dubois",
            "Moreau",
            "Lefèvre",
            "Fournier",
            "Girard",
            "Roux",
            "Bonnet",
            "Fontaine",
            "Chevalier",
            "Mercier",
            "Blanc",
            "Garnier",
        ),
        14,
    ),
    Region(
        "Germany",
        ("Munich", "Frankfurt", "Seligenstadt", "Berlin", "Regensburg"),
        (
            "Lukas",
            "Anna",
            "Jonas",
            "Lena",
            "Felix",
            "Katharina",
            "Maximilian",
            "Sophie",
            "Tobias",
            "Julia",
            "Stefan",
            "Miriam",
            "Florian",
            "Sabine",
        ),
        (
            "Müller",
            "Schmidt",
            "Schneider",
            "Fischer",
            "Weber",
            "Wagner",
            "Becker",
            "Hoffmann",
            "Schäfer",
            "Koch",
            "Richter",
            "Klein",
            "Wolf",
            "Neumann",
        ),
        9,
    ),
    Region(
        "United States",
        ("Boston", "Nashville", "Raleigh", "Seattle", "Chicago", "Houston"),
        (
            "Emily",
            "Michael",
            "Jessica",
            "David",
            "Ashley",
            "Chris",
            "Sarah",
            "Brian",
            "Megan",
            "Kevin",
            "Rachel",
            "Tyler",
            "Jordan",
            "Lauren",
        ),
        (
            "Johnson",
            "Williams",
            "Brown",
            "Davis",
            "Miller",
            "Wilson",
            "Anderson",
            "Taylor",
            "Thomas",
            "Moore",
            "Jackson",
            "Harris",
            "Clark",
            "Lewis",
        ),
        12,
    ),
    Region(
        "India",
        ("Bangalore", "Pune", "Chennai", "Gurugram", "Hyderabad"),
        (
            "Priya",
            "Arjun",
            "Ananya",
            "Rahul",
            "Divya",
            "Vikram",
            "Sneha",
            "Karthik",
            "Neha",
            "Rohan",
            "Aishwarya",
            "Siddharth",
            "Meera",
            "Aditya",
        ),
        (
            "Sharma",
            "Iyer",
            "Patel",
            "Reddy",
            "Nair",
            "Gupta",
            "Krishnan",
            "Menon",
            "Rao",
            "Kulkarni",
            "Banerjee",
            "Joshi",
            "Verma",
            "Pillai",
        ),
        12,
    ),
    Region(
        "China",
        ("Shanghai", "Beijing", "Shenzhen", "Wuhan", "Tianjin"),
        ("Wei", "Li Na", "Jun", "Xiaoling", "Hao", "Mei", "Yang", "Jing", "Lei", "Yan", "Zhen", "Qing"),
        ("Chen", "Wang", "Zhang", "Liu", "Li", "Zhao", "Huang", "Zhou", "Wu", "Xu", "Sun", "Lin"),
        10,
    ),
    Region(
        "Spain",
        ("Barcelona", "Madrid", "Valencia", "Sevilla"),
        ("Javier", "Lucía", "Alejandro", "Marta", "Pablo", "Carmen", "Diego", "Elena", "Sergio", "Nuria"),
        (
            "García",
            "Fernández",
            "López",
            "Martínez",
            "Sánchez",
            "Romero",
            "Navarro",
            "Torres",
            "Ruiz",
            "Vidal",
        ),
        5,
    ),
    Region(
        "Italy",
        ("Milan", "Turin", "Bergamo", "Rome"),
        (
            "Marco",
            "Giulia",
            "Luca",
            "Francesca",
            "Alessandro",
            "Chiara",
            "Matteo",
            "Sara",
            "Davide",
            "Valentina",
        ),
        ("Rossi", "Russo", "Ferrari", "Esposito", "Bianchi", "Romano", "Colombo", "Ricci", "Marino", "Greco"),
        5,
    ),
    Region(
        "United Kingdom",
        ("London", "Telford", "Manchester", "Leeds", "Edinburgh"),
        (
            "Oliver",
            "Charlotte",
            "Harry",
            "Amelia",
            "George",
            "Sophie",
            "James",
            "Emma",
            "Jack",
            "Hannah",
            "Ewan",
            "Fiona",
        ),
        (
            "Smith",
            "Jones",
            "Evans",
            "Roberts",
            "Walker",
            "Wright",
            "Thompson",
            "Hughes",
            "Green",
            "Hall",
            "Campbell",
            "MacDonald",
        ),
        6,
    ),
    Region(
        "Brazil",
        ("São Paulo", "Curitiba", "Rio de Janeiro", "Blumenau"),
        ("João", "Ana", "Pedro", "Mariana", "Lucas", "Beatriz", "Gabriel", "Larissa", "Rafael", "Fernanda"),
        (
            "Silva",
            "Santos",
            "Oliveira",
            "Souza",
            "Pereira",
            "Costa",
            "Rodrigues",
            "Almeida",
            "Carvalho",
            "Ribeiro",
        ),
        5,
    ),
    Region(
        "Mexico",
        ("Monterrey", "Mexico City", "Guadalajara", "Tlaxcala"),
        ("Alejandra", "Carlos", "Daniela", "Luis", "Valeria", "Jorge", "Fernanda", "Miguel"),
        ("Hernández", "González", "Ramírez", "Flores", "Morales", "Jiménez", "Castillo", "Ortega"),
        4,
    ),
    Region(
        "Japan",
        ("Tokyo", "Osaka", "Yokohama"),
        ("Haruto", "Yui", "Sota", "Aoi", "Ren", "Hina", "Takumi", "Sakura"),
        ("Sato", "Suzuki", "Takahashi", "Tanaka", "Watanabe", "Ito", "Yamamoto", "Nakamura"),
        3,
    ),
    Region(
        "Australia",
        ("Sydney", "Melbourne", "Brisbane", "Perth"),
        ("Liam", "Olivia", "Noah", "Isla", "Cooper", "Matilda", "Lachlan", "Zoe"),
        ("Kelly", "Murphy", "Ryan", "O'Brien", "Nguyen", "Mitchell", "Cooper", "Hughes"),
        3,
    ),
    Region(
        "Canada",
        ("Toronto", "Montréal", "Calgary", "Ottawa"),
        ("Ethan", "Maëlle", "Owen", "Ava", "Benjamin", "Gabrielle", "Samuel", "Noémie"),
        ("Tremblay", "Gagnon", "Roy", "Côté", "Bouchard", "MacLeod", "Fraser", "Lavoie"),
        3,
    ),
    Region(
        "Sweden",
        ("Stockholm", "Gothenburg", "Malmö"),
        ("Erik", "Astrid", "Björn", "Ingrid", "Oskar", "Elsa", "Magnus", "Linnea"),
        ("Andersson", "Johansson", "Karlsson", "Nilsson", "Eriksson", "Lindqvist", "Berg", "Holm"),
        2,
    ),
    Region(
        "Poland",
        ("Warsaw", "Kraków", "Wrocław", "Bydgoszcz"),
        ("Łukasz", "Agnieszka", "Piotr", "Katarzyna", "Michał", "Magdalena", "Tomasz", "Joanna"),
        ("Nowak", "Kowalski", "Wiśniewski", "Wójcik", "Kamiński", "Lewandowski", "Zieliński", "Szymański"),
        3,
    ),
    Region(
        "Turkey",
        ("Istanbul", "Ankara", "Izmir"),
        ("Emre", "Elif", "Mehmet", "Zeynep", "Can", "Ayşe", "Burak", "Deniz"),
        ("Yılmaz", "Kaya", "Demir", "Şahin", "Çelik", "Aydın", "Öztürk", "Arslan"),
        2,
    ),
    Region(
        "Egypt",
        ("Cairo", "Alexandria"),
        ("Ahmed", "Nour", "Omar", "Yasmin", "Karim", "Salma", "Mostafa", "Layla"),
        ("Hassan", "Mahmoud", "Ibrahim", "Fahmy", "Saleh", "Mansour", "Farouk", "Kamel"),
        2,
    ),
    Region(
        "South Africa",
        ("Johannesburg", "Cape Town", "Durban"),
        ("Thabo", "Naledi", "Sipho", "Lerato", "Pieter", "Anika", "Kagiso", "Zanele"),
        ("Nkosi", "Dlamini", "van der Merwe", "Botha", "Mokoena", "Naidoo", "Khumalo", "Pretorius"),
        2,
    ),
    Region(
        "Singapore",
        ("Singapore",),
        ("Jia Hui", "Wei Ming", "Shu Fen", "Kelvin", "Rachel", "Darren", "Nurul", "Farhan"),
        ("Tan", "Lim", "Lee", "Ng", "Ong", "Goh", "Rahman", "Ismail"),
        3,
    ),
    Region(
        "Indonesia",
        ("Jakarta", "Batam", "Surabaya"),
        ("Budi", "Siti", "Agus", "Dewi", "Rizky", "Putri", "Adi", "Intan"),
        ("Santoso", "Wijaya", "Pratama", "Hidayat", "Kusuma", "Saputra", "Halim", "Nugroho"),
        2,
    ),
    Region(
        "Vietnam",
        ("Ho Chi Minh City", "Hanoi"),
        ("Minh", "Linh", "Tuan", "Thao", "Duc", "Huong", "Quang", "Mai"),
        ("Nguyen", "Tran", "Le", "Pham", "Hoang", "Vu", "Dang", "Bui"),
        2,
    ),
    Region(
        "United Arab Emirates",
        ("Dubai", "Abu Dhabi"),
        ("Fatima", "Hamad", "Mariam", "Rashid", "Aisha", "Khalid", "Noura", "Saeed"),
        ("Al Mansoori", "Al Hashimi", "Al Nuaimi", "Haddad", "Khoury", "Al Falasi", "Nasser", "Aziz"),
        2,
    ),
    Region(
        "Norway",
        ("Oslo", "Bergen"),
        ("Henrik", "Ingeborg", "Sindre", "Marit", "Eirik", "Solveig"),
        ("Hansen", "Olsen", "Larsen", "Berg", "Haugen", "Dahl"),
        1,
    ),
    Region(
        "Chile",
        ("Santiago",),
        ("Matías", "Constanza", "Benjamín", "Catalina", "Tomás", "Javiera"),
        ("Muñoz", "Rojas", "Díaz", "Soto", "Contreras", "Silva"),
        1,
    ),
    Region(
        "South Korea",
        ("Seoul", "Busan"),
        ("Min-jun", "Seo-yeon", "Ji-ho", "Ha-eun", "Do-hyun", "Soo-ah"),
        ("Kim", "Lee", "Park", "Choi", "Jung", "Kang"),
        2,
    ),
    Region(
        "Hungary",
        ("Budapest", "Debrecen"),
        ("Bence", "Réka", "Máté", "Zsófia", "Dániel", "Eszter"),
        ("Nagy", "Kovács", "Tóth", "Szabó", "Horváth", "Varga"),
        1,
    ),
    Region(
        "Czechia",
        ("Prague", "Brno", "Písek"),
        ("Jakub", "Tereza", "Ondřej", "Lucie", "Vojtěch", "Kateřina"),
        ("Novák", "Svoboda", "Dvořák", "Černý", "Procházka", "Kučera"),
        1,
    ),
    Region(
        "Morocco",
        ("Casablanca", "Rabat"),
        ("Youssef", "Salma", "Hamza", "Imane", "Mehdi", "Kenza"),
        ("El Amrani", "Benali", "Alaoui", "Tazi", "Bennani", "Idrissi"),
        1,
    ),
)

DEPARTMENTS: dict[str, tuple[str, ...]] = {
    "IT": (
        "Service Desk Analyst",
        "Network Engineer",
        "IT Support Specialist",
        "Cloud Architect",
        "Systems Administrator",
        "Digital Workplace Manager",
        "Security Analyst",
        "IT Business Partner",
        "Site IT Lead",
        "SAP Basis Consultant",
    ),
    "Engineering": (
        "Software Engineer",
        "Senior Software Engineer",
        "Firmware Engineer",
        "Power Electronics Engineer",
        "Test Engineer",
        "Engineering Manager",
        "Systems Engineer",
        "Hardware Design Engineer",
        "Principal Engineer",
        "Automation Engineer",
    ),
    "R&D": (
        "Research Scientist",
        "R&D Project Leader",
        "Materials Engineer",
        "Innovation Manager",
        "Simulation Engineer",
        "Data Scientist",
        "Technology Scout",
    ),
    "Manufacturing": (
        "Plant Manager",
        "Production Supervisor",
        "Lean Coach",
        "Quality Engineer",
        "Maintenance Technician",
        "Process Engineer",
        "Continuous Improvement Lead",
        "EHS Coordinator",
    ),
    "Supply Chain": (
        "Buyer",
        "Category Manager",
        "Logistics Coordinator",
        "Demand Planner",
        "Supplier Quality Engineer",
        "Warehouse Manager",
        "Procurement Director",
    ),
    "Finance": (
        "Financial Controller",
        "Accounts Payable Specialist",
        "FP&A Analyst",
        "Treasury Manager",
        "Tax Manager",
        "Internal Auditor",
        "Finance Business Partner",
    ),
    "HR": (
        "HR Business Partner",
        "Talent Acquisition Specialist",
        "Learning & Development Manager",
        "Compensation & Benefits Analyst",
        "HR Operations Specialist",
        "Diversity & Inclusion Lead",
    ),
    "Sales": (
        "Key Account Manager",
        "Sales Engineer",
        "Inside Sales Representative",
        "Regional Sales Director",
        "Channel Partner Manager",
        "Bid Manager",
        "Customer Success Manager",
    ),
    "Marketing": (
        "Product Marketing Manager",
        "Digital Marketing Specialist",
        "Brand Manager",
        "Marketing Analyst",
        "Events Manager",
        "Content Strategist",
    ),
    "Comms": (
        "Internal Communications Manager",
        "Communications Director",
        "Editor",
        "Employer Branding Specialist",
        "Corporate Communications Officer",
    ),
    "Legal": (
        "Legal Counsel",
        "Compliance Officer",
        "Contracts Manager",
        "Data Protection Officer",
        "IP Counsel",
    ),
    "Strategy": ("Strategy Manager", "Corporate Development Director", "Chief of Staff", "M&A Analyst"),
}

DEPARTMENT_WEIGHTS: dict[str, int] = {
    "IT": 14,
    "Engineering": 16,
    "R&D": 8,
    "Manufacturing": 14,
    "Supply Chain": 10,
    "Finance": 8,
    "HR": 6,
    "Sales": 10,
    "Marketing": 5,
    "Comms": 4,
    "Legal": 3,
    "Strategy": 2,
}


@dataclass(frozen=True)
class Person:
    handle: str
    display_name: str
    title: str
    department: str
    location: str
    country: str


def ascii_handle(first: str, last: str) -> str:
    """``Amélie`` + ``Lefèvre`` -> ``amelie.lefevre`` (the server's handle rules: a-z 0-9 . _ -)."""
    text = f"{first}.{last}".replace("ł", "l").replace("Ł", "L").replace("ı", "i").replace("ø", "o")
    folded = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode().lower()
    cleaned = "".join(ch if ch.isalnum() or ch == "." else "-" for ch in folded.replace("'", ""))
    return cleaned.replace(" ", "-").strip("-.")[:60]


def make_people(rng: random.Random, count: int, taken: set[str]) -> list[Person]:
    """COUNT distinct people; every handle avoids TAKEN (which is updated)."""
    regions = list(REGIONS)
    region_weights = [region.weight for region in regions]
    departments = list(DEPARTMENT_WEIGHTS)
    department_weights = [DEPARTMENT_WEIGHTS[name] for name in departments]
    people: list[Person] = []
    while len(people) < count:
        region = rng.choices(regions, region_weights)[0]
        first = rng.choice(region.first_names)
        last = rng.choice(region.last_names)
        handle = ascii_handle(first, last)
        if handle in taken:
            handle = f"{handle}{rng.randint(2, 9)}"
            if handle in taken:
                continue
        taken.add(handle)
        department = rng.choices(departments, department_weights)[0]
        city = rng.choice(region.cities)
        display = (
            f"{last} {first}"
            if region.country in ("China", "Japan", "Hungary", "South Korea")
            else (f"{first} {last}")
        )
        people.append(
            Person(
                handle=handle,
                display_name=display,
                title=rng.choice(DEPARTMENTS[department]),
                department=department,
                location=f"{city}, {region.country}",
                country=region.country,
            )
        )
    return people
