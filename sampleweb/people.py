"""Fictional team members of a sample site: fixed name lists, titles and the site's e-mail pattern."""

from __future__ import annotations

import random
from dataclasses import dataclass

FIRST_NAMES = (
    "Jane",
    "Omar",
    "Priya",
    "Lukas",
    "Chloe",
    "Mateo",
    "Aisha",
    "Kenji",
    "Sofia",
    "Daniel",
    "Amara",
    "Noah",
    "Ingrid",
    "Ravi",
    "Elena",
    "Tomas",
    "Grace",
    "Hiro",
    "Leila",
    "Marcus",
    "Nadia",
    "Felix",
    "Yara",
    "Ethan",
    "Mei",
    "Jonas",
    "Zara",
    "Arjun",
    "Clara",
    "Diego",
    "Hannah",
    "Kwame",
    "Lena",
    "Samir",
    "Olivia",
    "Pavel",
    "Rosa",
    "Tariq",
    "Vera",
    "Wei",
)
LAST_NAMES = (
    "Holloway",
    "Okafor",
    "Raman",
    "Becker",
    "Martin",
    "Alvarez",
    "Bello",
    "Tanaka",
    "Rossi",
    "Kim",
    "Mensah",
    "Fischer",
    "Lindqvist",
    "Iyer",
    "Petrova",
    "Novak",
    "Sullivan",
    "Sato",
    "Haddad",
    "Whitfield",
    "Kowalski",
    "Dubois",
    "Nakamura",
    "Reyes",
    "Chen",
    "Larsen",
    "Ahmed",
    "Kapoor",
    "Moreau",
    "Silva",
    "Brennan",
    "Osei",
    "Vogel",
    "Farouk",
    "Quinn",
    "Horvat",
    "Duarte",
    "Aziz",
    "Marsh",
    "Zhou",
)
FOUNDER_TITLES = ("CEO & Co-founder", "Co-founder & CEO", "Founder and CEO", "CEO, Co-founder")
SECOND_TITLES = ("CTO & Co-founder", "Co-founder & CTO", "Co-founder, Chief Technology Officer")
OTHER_TITLES = (
    "Head of Sales",
    "VP Engineering",
    "Head of Product",
    "Head of Growth",
    "COO",
    "Founding Engineer",
    "Head of Operations",
    "Head of Marketing",
    "Head of Partnerships",
    "Lead Designer",
    "Chief Scientist",
    "Head of Customer Success",
)
EMAIL_PATTERNS = ("{first}", "{first}.{last}", "{f}{last}", "{first}{l}", "{first}_{last}")


@dataclass(frozen=True)
class Person:
    name: str
    title: str
    email: str | None
    email_form: str | None
    bio: str


def email_for(name: str, pattern: str, domain: str) -> str:
    first, last = name.lower().split(" ", 1)
    last = last.replace(" ", "")
    local = pattern.format(first=first, last=last, f=first[0], l=last[0])
    return f"{local}@{domain}"


def team_headcount(team_size: int | None, rng: random.Random) -> int:
    """How many people a team page shows: never more than the company has."""
    if not team_size:
        return rng.randint(2, 4)
    return max(1, min(team_size, rng.randint(2, 6)))


def make_people(
    company: str, domain: str, team_size: int | None, forms: list[str], rng: random.Random
) -> list[Person]:
    """A deterministic, fictional team; ``forms`` are the e-mail forms this site may use."""
    count = team_headcount(team_size, rng)
    pattern = rng.choice(EMAIL_PATTERNS)
    firsts = rng.sample(FIRST_NAMES, count)
    lasts = rng.sample(LAST_NAMES, count)
    others = rng.sample(OTHER_TITLES, max(0, count - 2))
    people = []
    for i in range(count):
        name = f"{firsts[i]} {lasts[i]}"
        if i == 0:
            title = "Founder & CEO" if count == 1 else rng.choice(FOUNDER_TITLES)
        elif i == 1:
            title = rng.choice(SECOND_TITLES)
        else:
            title = others[i - 2]
        shows_email = i == 0 or rng.random() < 0.6
        form = rng.choice(forms) if shows_email else None
        email = email_for(name, pattern, domain) if shows_email else None
        bio = _bio(firsts[i], title, company, rng)
        people.append(Person(name=name, title=title, email=email, email_form=form, bio=bio))
    return people


def _bio(first: str, title: str, company: str, rng: random.Random) -> str:
    before = rng.choice(
        (
            "spent six years building data platforms",
            "led product at a Series B startup",
            "was an early engineer at a payments company",
            "ran operations for a logistics marketplace",
            "did research in machine learning",
            "sold enterprise software for a decade",
        )
    )
    return f"Before {company}, {first} {before}."
