"""What kind of organisation an affiliation names: a transparent rule table, first match wins.

The order matters and is part of the rules: a Permanent Representative *to the United Nations*
is government, so government comes before the UN system; 'Nansen Initiative' (state-led) comes
before the civil-society 'Initiative'. Tests run every affiliation in the data through this table.
"""
from __future__ import annotations

import re

from gcmdash import vocab

ORGANISATION_TYPES = vocab.values(vocab.ORGANISATION_TYPES)

# (organisation type, rule name, pattern)
RULES: tuple[tuple[str, str, re.Pattern[str]], ...] = tuple(
    (kind, name, re.compile(pattern, re.IGNORECASE)) for kind, name, pattern in (
        ("government", "permanent representative or mission",
         r"\bPermanent (Representative|Mission)\b"),
        ("government", "ministry or minister", r"\bMinist(ry|er)\b"),
        ("government", "ambassador", r"\bAmbassador\b"),
        ("government", "government office", r"\bGovernment\b|\bMayor\b|\bSecretary of (State|Labour)\b"),
        ("un_system", "intergovernmental conference secretariat",
         r"\bSecretary-General of the intergovernmental conference\b"),
        ("un_system", "UN entity",
         r"\b(UNHCR|OHCHR|UNODC|UNDP|UNICEF|UNFPA|UN Women|ILO|IOM|International Organization for "
         r"Migration|Special Rapporteur|World Bank|International Monetary Fund|United Nations "
         r"(Office|Secretariat|agency|University))\b"),
        ("other", "International Committee of the Red Cross (neither NGO nor intergovernmental)",
         r"\bInternational Committee of the Red Cross\b|\bICRC\b"),
        ("other_intergovernmental", "intergovernmental body or state-led process",
         r"\b(Nansen Initiative|European Union|African Union|Council of Europe|OSCE|ICMPD|"
         r"Global Forum on Migration and Development|intergovernmental organi[sz]ation)\b"),
        ("academia_research", "university or research body",
         r"\b(Universit\w*|Institute|Research|Professor\w*|Lecturer|Scientist|Fellow|Academ\w*|"
         r"College|Studies|Policy Centre)\b"),
        ("private_sector", "employers or business",
         r"\b(Employer\w*|COPARMEX|Chamber of Commerce|Business|Corporation|Company|Inc\.|Ltd)\b"),
        ("civil_society_ngo", "NGO, foundation, trade union or network",
         r"\b(Coalition|Foundation|Red Cross|Red Crescent|Médecins Sans Frontières|Initiatives?|"
         r"Campaign|Forum|Platform|Network|Association|Union|Public Services International|"
         r"Comisión|Commission for|NGO|Caritas|Amnesty|Human Rights Watch)\b"),
    )
)


def classify_organisation(affiliation: str | None) -> tuple[str, str]:
    """(organisation type, the rule and the words it matched) for an affiliation."""
    if not affiliation:
        return "other", "no affiliation given"
    for kind, name, pattern in RULES:
        match = pattern.search(affiliation)
        if match:
            return kind, f"{name}: '{match.group(0)}'"
    return "other", "no rule matched"
