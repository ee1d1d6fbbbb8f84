"""manage.py build_world_map — the world map's outlines, from the npm package world-atlas."""

from __future__ import annotations

import json
from pathlib import Path

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError

from engagements.public import worldmap

SOURCE = Path(settings.BASE_DIR) / "node_modules" / "world-atlas" / "countries-110m.json"


class Command(BaseCommand):
    help = (
        "Decode Natural Earth's 1:110m countries (npm world-atlas, `npm ci` installs it), "
        "project them and write each country's outline to "
        "engagements/public/data/world-110m.json, which the map reads."
    )

    def add_arguments(self, parser) -> None:
        parser.add_argument("--source", default=str(SOURCE), help="a world-atlas TopoJSON file")
        parser.add_argument("--out", default=str(worldmap.DATA))

    def handle(self, *args, source: str, out: str, **options) -> None:
        try:
            topology = json.loads(Path(source).read_text(encoding="utf-8"))
        except OSError as error:
            raise CommandError(f"{source}: cannot read it ({error.strerror}); run npm ci") from None
        except ValueError as error:
            raise CommandError(f"{source}: not JSON ({error})") from None
        try:
            outlines = worldmap.outlines_from_topojson(topology)
        except (KeyError, TypeError, IndexError) as error:
            raise CommandError(f"{source}: not a world-atlas topology ({error!r})") from None
        text = json.dumps(outlines, separators=(",", ":"), sort_keys=True) + "\n"
        Path(out).write_text(text, encoding="utf-8")
        self.stdout.write(f"{len(outlines)} countries, {len(text):,} bytes, to {out}")
