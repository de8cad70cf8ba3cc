"""The ACGME competency domains, and a subcompetency code in words."""

from __future__ import annotations

__all__ = ["COMPETENCY_DOMAINS", "competency_domain", "competency_name"]

COMPETENCY_DOMAINS = {
    "PC": "Patient Care",
    "MK": "Medical Knowledge",
    "SBP": "Systems-Based Practice",
    "PBLI": "Practice-Based Learning and Improvement",
    "PROF": "Professionalism",
    "ICS": "Interpersonal and Communication Skills",
}
"""The ACGME competency domains, by the letters of a subcompetency code."""


def competency_domain(code: str) -> str:
    """Return the domain letters of a subcompetency code: ``MK4`` is in ``MK``."""
    return code.rstrip("0123456789")


def competency_name(code: str) -> str:
    """Return a subcompetency code in words: ``MK4`` is "Medical Knowledge 4"."""
    domain = competency_domain(code)
    return f"{COMPETENCY_DOMAINS.get(domain, domain)} {code[len(domain) :]}".strip()
