"""The read-only JSON API under /api/: the list's filters and search, one readout, the
records and the Data page's counts, with an OpenAPI schema (drf-spectacular) and its docs.

Built on Django REST framework. What the public sees only: every query starts from
Meeting.objects.published() or a record's public(). No sessions, no authentication: a
response depends on its address alone, so the page cache (public/pagecache.py) serves
repeats and answers If-None-Match with 304; cross-origin reads are open (CORS) and each
client's rate is limited (throttling.py).
"""
