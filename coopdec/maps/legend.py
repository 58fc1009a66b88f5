"""Classes of a choropleth: bounds, colours and labels shared by the map, its legend and its tables."""

from dataclasses import dataclass

from django.utils.translation import gettext as _
from django.utils.translation import ngettext

# Sequential scale from the DSFR's "bleu France" tints, light to dark; the darkest ones carry white text
# in the legend. Areas with no project use the neutral grey below.
PALETTE = ("#e3e3fd", "#cacafb", "#8585f6", "#313178", "#000091")
EMPTY_COLOUR = "#f6f6f6"


@dataclass(frozen=True)
class MapClass:
    index: int  # 0 for "no project", then 1…n
    low: int
    high: int
    colour: str

    @property
    def label(self) -> str:
        if self.index == 0:
            return _("Aucun projet")
        if self.low == self.high:
            return ngettext("%(n)s projet", "%(n)s projets", self.low) % {"n": self.low}
        return _("%(low)s à %(high)s projets") % {"low": self.low, "high": self.high}

    def as_dict(self) -> dict:
        return {
            "index": self.index,
            "low": self.low,
            "high": self.high,
            "colour": self.colour,
            "label": self.label,
        }


def _nice(value: float) -> int:
    """Round to two significant digits, so that class bounds read well (14, 55, 210…)."""
    if value < 100:
        return round(value)
    magnitude = 10 ** (len(str(int(value))) - 2)
    return int(round(value / magnitude) * magnitude)


def classes(values, count: int = len(PALETTE)) -> list[MapClass]:
    """Classes for ``values`` (counts, zeros included), on a logarithmic scale from 1 to the maximum.

    Project counts spread over several orders of magnitude (a few countries gather most projects), so
    equal intervals would put nearly every country in the first class. The first class is always
    "no project"; then up to ``count`` classes whose upper bounds grow geometrically; fewer when the
    maximum is small.
    """
    top = max(values, default=0)
    result = [MapClass(0, 0, 0, EMPTY_COLOUR)]
    if top <= 0:
        return result
    uppers: list[int] = []
    for step in range(1, count + 1):
        bound = top if step == count else max(1, _nice(top ** (step / count)))
        if not uppers or bound > uppers[-1]:
            uppers.append(min(bound, top))
    if uppers[-1] != top:
        uppers.append(top)
    # Spread the palette over however many classes there are, keeping its darkest colour for the last.
    offset = len(PALETTE) - len(uppers)
    low = 1
    for index, high in enumerate(uppers, start=1):
        result.append(MapClass(index, low, high, PALETTE[offset + index - 1]))
        low = high + 1
    return result


def class_of(value: int, map_classes: list[MapClass]) -> MapClass:
    for map_class in map_classes:
        if value <= map_class.high:
            return map_class
    return map_classes[-1]
