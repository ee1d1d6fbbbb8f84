"""Records' addresses, built by the hundred on a list page without a reverse() each.

A list of 25 readouts links to each readout, its officials and its topics: about 200
links, and reverse() (which re-checks every address against its pattern) took a tenth of
the page's time. The address of one record is its index's address plus its key, so the
index is reversed once per URL configuration and script prefix, and the key added to
it, quoted as reverse() quotes it. tests/models/test_models.py checks the two agree.
"""

from __future__ import annotations

import datetime as dt
from functools import cache
from urllib.parse import quote

from django.core.signals import setting_changed
from django.dispatch import receiver
from django.urls import get_script_prefix, get_urlconf, reverse

# What reverse() leaves unquoted in a path (django.urls.resolvers).
_SAFE = "/~:@!$&'()*+,;="


@cache
def _index(name: str, prefix: str, urlconf: str | None) -> str:
    return reverse(name, urlconf=urlconf)


@receiver(setting_changed)
def _forget(setting: str, **kwargs) -> None:
    if setting == "ROOT_URLCONF":
        _index.cache_clear()


def index_path(name: str) -> str:
    """reverse(name) for a URL without arguments, remembered."""
    return _index(name, get_script_prefix(), get_urlconf())


def record_path(index: str, key: str) -> str:
    """The address of the record `key` under the index named `index` ("/topics/" + key)."""
    return f"{index_path(index)}{quote(key, safe=_SAFE)}/"


def readout_path(date: dt.date, slug: str) -> str:
    """A readout's permanent address: /meetings/yyyy/mm/dd/slug/."""
    return (
        f"{index_path('engagements:meeting-list')}"
        f"{date.year:04d}/{date.month:02d}/{date.day:02d}/{quote(slug, safe=_SAFE)}/"
    )
