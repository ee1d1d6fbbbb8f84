"""The words of offices, honorifics and names: what a title is made of, and what is not a name."""

from __future__ import annotations

import re


def _words(text: str) -> list[str]:
    """The whitespace-separated words of a table written as text."""
    return text.split()


# --- Honorifics and offices --------------------------------------------------------------
# A "title run" is a sequence of these units before a name: "H.E. Mr.", "Deputy Prime
# Minister and Foreign Minister Senator". Courtesy units are dropped from the proposed
# title; style units (ranks, "Senator") are kept only when no office is given.
_COURTESY_UNITS = [
    r"H\.\s?R\.\s?H\.", r"H\.\s?H\.", r"H\.\s?M\.", r"His Royal Highness",
    r"Her Royal Highness", r"His Highness", r"Her Highness", r"His Majesty", r"Her Majesty",
    r"Sheikh", r"Sheikha", r"Shaikh", r"H\.\s?E\.", r"His Excellency", r"Her Excellency",
    r"Their Excellencies", r"Excellency",
    r"The Honou?rable", r"Honou?rable", r"Hon\.", r"Mrs\.?", r"Mr\.?", r"Ms\.?", r"Miss",
    r"Dr\.?", r"Madam", r"Madame", r"Mme\.?", r"Prof\.", r"Professor", r"Sir", r"Dame",
    r"Engr\.",
]  # fmt: skip
_STYLE_UNITS = [
    r"Senator", r"Sen\.", r"(?:Lieutenant|Major|Brigadier) General", r"(?:Lt|Maj|Brig)\.\s?Gen\.",
    r"General", r"Gen\.", r"Admiral", r"Adm\.", r"Air Chief Marshal", r"Field Marshal",
    r"Colonel", r"Col\.", r"Brigadier", r"Captain", r"Prince", r"Princess", r"Barrister",
]  # fmt: skip
_OFFICE_MODIFIERS = (
    r"Deputy|Vice|Acting|Assistant|Senior|Special|Prime|Foreign|Defen[cs]e|Finance|Interior"
    r"|Commerce|Trade|Planning|State|Federal|Provincial|Executive|Permanent|Under|First"
    r"|Second|Third|Chief|Crown|Party|Regional|Political|Economic|Cultural|Press"
)
_OFFICE_HEADS = (
    r"Minister|President|Premier|Chairman|Chairwoman|Chairperson|Chair|Ambassador|Governor"
    r"|Mayor|Speaker|Secretary|Envoy|Representative|Director|Consul|Counsellor|Counselor"
    r"|Councilor|Councillor|Spokesperson|Spokesman|Spokeswoman|Commander|King|Queen"
    r"|Emir|Sultan|Chancellor|Chief|Justice|Adviser"
    r"|Advisor|Commissioner|Attaché|Chargé|Charge|Leader|Member"
)
# Offices match in any case: agencies write "Afghanistan's acting foreign minister Amir
# Khan Muttaqi". Courtesy and style units stay capitalised ("dr", "general" are words).
_OFFICE_UNIT = (
    rf"(?i:(?:(?:{_OFFICE_MODIFIERS})[ -]){{0,3}}(?:{_OFFICE_HEADS})"
    r"(?:[ -]General|[ -]at[ -]Large|\sof\sState|\sof\s(?:the\s)?(?:Army|Naval|Air)\sStaff"
    r"|\sd['’]Affaires)?)"
)
# Offices abbreviated in capitals: "PM Kakar", "CM Maryam", "VP Ding", "FM Dar".
_ABBREVIATED_OFFICES = [r"(?-i:PM|CM|VP|FM|DPM|COAS|SAPM|NSA|CJCSC)"]
_UNIT = "|".join(
    [*_COURTESY_UNITS, *_STYLE_UNITS, _OFFICE_UNIT, *_ABBREVIATED_OFFICES]
)  # longest alternatives first within each
_UNIT_RE = re.compile(rf"(?<![\w.])(?:{_UNIT})(?![\w])")
_COURTESY_RE = re.compile(rf"(?:{'|'.join(_COURTESY_UNITS)})$")
_STYLE_RE = re.compile(rf"(?:{'|'.join(_STYLE_UNITS)})$")
# Spaces and tabs only: an office never runs on across a line break (headline to body).
_RUN_JOINER = (
    r"(?:[ \t]*/[ \t]*|[ \t]+and[ \t]+|[ \t]*&[ \t]*|[ \t]*-cum-[ \t]*|[ \t]+cum[ \t]+|[ \t]+)"
)
_TITLE_RUN = rf"(?<![\w.])(?:{_UNIT})(?![\w])(?:{_RUN_JOINER}(?:{_UNIT})(?![\w])){{0,5}}"
_NAME_WORD_RE = re.compile(r"[^\W\d_][\w'’\-]*")
# What follows a title run up to the clause's end, read word by word in Python. It is in a
# lookahead so that finditer resumes right after the run: in "President Xi Jinping and
# Prime Minister Shehbaz Sharif" both people are found.
_HONORIFIC_NAME_RE = re.compile(rf"(?P<run>{_TITLE_RUN})[ \t]+(?=(?P<tail>[^\n,;:()]{{1,160}}))")
# Words that continue an office before the name: "President of Pakistan Asif Ali Zardari".
_OFFICE_OBJECT_LINKS = frozenset({"of", "for", "on", "the", "and", "&"})
_RUN_AT_END_RE = re.compile(rf"(?:{_TITLE_RUN})\s+$")

# Lower-case particles that belong inside names: "Mohammed bin Salman", "Zia ul Haq".
NAME_PARTICLES = frozenset(
    _words(
        """
        bin bint ibn al el ul ur ud de da di del della van von der den du la le dos das y
        """
    )
)
_TITLE_WORDS = frozenset(
    re.sub(r"[^A-Za-zé ]", " ", f"{_OFFICE_MODIFIERS}|{_OFFICE_HEADS}").split()
) | frozenset(
    _words(
        """
        Mr Mrs Ms Dr Miss Madam Madame Mme Excellency Excellencies Honourable Honorable Hon Prof
        Professor Sir Dame Senator General Admiral Marshal Colonel Brigadier Captain Lieutenant
        Major Gen Lt
        """
    )
)
# Capitalised words that never start or continue a person's name.
NON_NAME_WORDS = _TITLE_WORDS | frozenset(
    _words(
        """
        The A An And Of For To In On At By With From His Her Their Its Our Both This That These
        Those During After Before While Meanwhile However Also Today Yesterday Tomorrow Monday
        Tuesday Wednesday Thursday Friday Saturday Sunday January February March April July
        September October November December Ministry Department Embassy Consulate Government
        Republic Party Committee Central Council Affairs International National Office Assembly
        Parliament Senate Commission Bank University Institute Forum Summit Conference Meeting
        Corridor Initiative Agency Mission House Palace Hall Centre Center Province Joint
        Statement Communist People People's Peoples Islamic Democratic Federation Kingdom Union
        Organization Organisation Group Council Bureau Political Standing Plenary Session Belt
        Road Economic Relations Cooperation Strategic Dialogue Climate Change Energy Health
        Education Information Broadcasting Water Resources Railways Maritime Science Technology
        Industries Industry Production Petroleum Power Human Rights Law Justice Overseas
        Religious Narcotics Control Food Security Agriculture Communications Housing Works
        Privatisation Investment Development Reform Culture Tourism Sports Youth Women Labour
        Employment Transport Aviation Defence Defense Finance Revenue Planning Commerce Trade
        Interior Foreign Parliamentary Kashmir Gilgit-Baltistan Asia Europe Africa Americas
        Middle East South North West Pacific Gulf Region Regional Multilateral Bilateral
        Meets Met Meeting Holds Held Calls Called Receives Received Visits Visited Discusses
        Discussed Reaffirms Reaffirmed Hosts Hosted Says Said Signs Signed Pays Paid Welcomes
        Welcomed Urges Vows Agree Agrees Agreed Stresses Underlines Reviews Review Exchange
        Congratulates Thanks Lauds Praises Briefs Seeks Emphasizes Emphasises Highlights
        Attends Joins Leads Arrives Departs Condoles Talks Phone Telephone Conversation Speaks
        Spoke Hails Invites Greets Assures Expresses Terms Inaugurates Opens Launches Sign
        Majesty Highness Reaffirm Discuss Speak Review Vow Pledge Hold Seek Explore Stress
        Express Call Meet Visit Renew Boost Enhance Strengthen Deepen Expand Promote Support
        Ties Relations Wing Year Areas Ways Future Over Cooperation Talks Agreement Deal
        """
    )
)

CJK_CHARS = "\u3040-\u30ff\u3400-\u4dbf\u4e00-\u9fff\uac00-\ud7af\uf900-\ufaff\U00020000-\U0002a6df"
_CJK_RE = re.compile(f"[{CJK_CHARS}]")
_CJK_RUN_RE = re.compile(f"[{CJK_CHARS}]+")
_WORD_RE = re.compile(r"[^\W\d_](?:[\w'’\-]*[^\W_])?")
_POSSESSIVE_RE = re.compile(r"['’]s$")
_INITIAL_RE = re.compile(r"(?<=\s)[^\W\d_]\.\s+")

# Words in the language model's "names" that make them buildings, bodies or events.
PLACE_WORDS = frozenset(
    _words(
        """
        Forces Armed House Palace Pavilion Residence Secretariat League Call Watan Qasr
        Crown Villa Guesthouse Guest Hotel Airport Square Museum Mosque Building Headquarters
        Council Stadium Center Centre Fort
        """
    )
)
