"""The staff's daily tool, one module per area (Django's admin imports this package).

base.py: what every admin with a history shares (reverts that check first); meetings.py:
the readout form, its inlines and actions; paste.py: a press release becomes a proposed
readout; records.py: countries, officials, organisations, topics, former addresses.
"""

from engagements.admin import meetings, records  # noqa: F401 (they register the admins)
