"""Bar charts drawn on the server as SVG: no JavaScript, they print, they fit a phone.

A chart is a list of `Bar`s (a label, a number that sets the bar's length, and the figure as
the page writes it: "hơn 690 triệu đồng"). `bar_chart()` lays them out in a fixed 400-unit wide
viewBox; BarChart.svg draws the result and the page scales it to its column (on a 390 px phone
one unit is about 0.8 px, so the 15-unit text reads at about 12 px).

Bars are horizontal: a Vietnamese type name ("Khám bệnh, cấp thuốc miễn phí") goes on its own
line(s) above its bar, wrapped at word boundaries, so labels never run into each other or into
the figures; short labels (years) sit to the left of their bar instead. The figure is always
written after the end of its bar, in a column reserved for the longest figure of the chart.

Text widths cannot be measured on the server: they are estimated generously (CHAR_WIDTH per
character), which only ever leaves more room than needed.
"""

from dataclasses import dataclass, field
from functools import cached_property

from django.utils.html import escape
from django.utils.safestring import mark_safe

WIDTH = 400
FONT_SIZE = 15
LINE_HEIGHT = 18
BAR_HEIGHT = 16
ROW_GAP = 10
# Upper bounds of the average width of a character at FONT_SIZE in the site's sans-serif fonts
# (DejaVu Sans, the widest of them, for figures; Vietnamese letters with their marks included):
# labels are regular, figures bold.
CHAR_WIDTH = 0.6 * FONT_SIZE
BOLD_CHAR_WIDTH = 0.69 * FONT_SIZE
# Labels up to this many characters sit to the left of their bars when all of a chart's do.
SHORT_LABEL = 14
LABEL_LINES = 2
VALUE_GAP = 6
# A bar for a positive figure is never thinner than this: it stays visible.
MIN_BAR = 2

# How a bar is drawn, beyond the plain bar: a figure reported over several years.
PERIOD = "period"


@dataclass(frozen=True)
class Bar:
    label: str
    value: float  # the bar's length, relative to the chart's largest value; >= 0
    display: str  # the figure as written on the page and in the table
    kind: str = ""  # "" or PERIOD
    note: str = ""  # said in the table after the label ("whole period, not split into years")


@dataclass(frozen=True)
class Line:
    x: float
    y: float
    text: str


@dataclass(frozen=True)
class Row:
    bar: Bar
    labels: list[Line]
    x: float
    y: float
    width: float
    height: float
    value: Line


@dataclass(frozen=True)
class BarChart:
    id: str  # unique in the page: prefixes the SVG's own ids
    title: str
    label_heading: str  # the table's first column ("Year", "Kind")
    value_heading: str  # its second ("Value", "Activities")
    note_heading: str = ""  # its third, when some bar has a note
    rows: list[Row] = field(default_factory=list)
    width: int = WIDTH
    height: int = 0
    font_size: int = FONT_SIZE

    @property
    def has_period(self):
        return any(row.bar.kind == PERIOD for row in self.rows)

    @property
    def has_notes(self):
        return any(row.bar.note for row in self.rows)

    @property
    def pattern_id(self):
        return f"{self.id}-period"

    @cached_property
    def svg(self):
        """The chart as inline SVG, hidden from screen readers (the figure's table says it all).

        Written here rather than in a template: a chart has dozens of bars of six numbers each,
        which the template language took over a millisecond a chart to write; the dashboard
        draws four. Every text is escaped; the numbers are floats written as %g."""
        pattern = escape(self.pattern_id)
        parts = [
            f'<svg class="chart" viewBox="0 0 {self.width} {self.height}" width="{self.width}" '
            f'height="{self.height}" aria-hidden="true" focusable="false" '
            f'font-size="{self.font_size}">'
        ]
        if self.has_period:
            parts.append(
                f'<defs><pattern id="{pattern}" width="6" height="6" '
                'patternUnits="userSpaceOnUse" patternTransform="rotate(45)">'
                '<rect width="6" height="6" fill="#f1d0d1"/>'
                '<rect width="3" height="6" fill="#a4161a"/></pattern></defs>'
            )
        for row in self.rows:
            period = row.bar.kind == PERIOD
            parts.append(f'<g class="row{" " + escape(row.bar.kind) if row.bar.kind else ""}">')
            parts += [
                f'<text class="label" x="{line.x:g}" y="{line.y:g}">{escape(line.text)}</text>'
                for line in row.labels
            ]
            if row.width:
                fill = f"url(#{pattern})" if period else "#a4161a"
                stroke = ' stroke="#a4161a"' if period else ""
                parts.append(
                    f'<rect class="bar" x="{row.x:g}" y="{row.y:g}" width="{row.width:g}" '
                    f'height="{row.height:g}" rx="2" fill="{fill}"{stroke}/>'
                )
            empty = "" if row.width else " empty"
            parts.append(
                f'<text class="value{empty}" x="{row.value.x:g}" y="{row.value.y:g}">'
                f"{escape(row.value.text)}</text></g>"
            )
        parts.append("</svg>")
        # Safe: every text above is escaped.
        return mark_safe("\n".join(parts))

    def __bool__(self):
        return bool(self.rows)


def text_width(text, bold=False):
    return len(text) * (BOLD_CHAR_WIDTH if bold else CHAR_WIDTH)


def wrap(text, width=WIDTH, lines=LABEL_LINES):
    """The text in at most `lines` lines that fit `width`, broken between words; two lines are
    balanced (no lone word on the second). What does not fit ends with "…" (the table under
    the chart has it whole)."""
    limit = max(2, int(width // CHAR_WIDTH))
    words = [w if len(w) <= limit else w[: limit - 1] + "…" for w in text.split()]
    if len(" ".join(words)) <= limit:
        return [" ".join(words)] if words else []
    if lines == 2:
        splits = [(" ".join(words[:n]), " ".join(words[n:])) for n in range(1, len(words))]
        fitting = [pair for pair in splits if max(map(len, pair)) <= limit]
        if fitting:
            return list(min(fitting, key=lambda pair: max(map(len, pair))))
    out, current = [], ""
    for word in words:
        candidate = f"{current} {word}" if current else word
        if len(candidate) <= limit:
            current = candidate
        else:
            out.append(current)
            current = word
    if current:
        out.append(current)
    if len(out) > lines:
        last = out[lines - 1][: limit - 1].rstrip(" ,;–-")
        out = [*out[: lines - 1], last + "…"]
    return out


def bar_chart(id, title, bars, *, label_heading, value_heading, note_heading=""):
    """Lay the bars out, top to bottom in the order given.

    The bars share one scale, the largest that still leaves each bar's figure room after it.
    """
    bars = list(bars)
    if not bars:
        return BarChart(id, title, label_heading, value_heading, note_heading)
    inline = all(len(bar.label) <= SHORT_LABEL for bar in bars)
    label_room = (max(text_width(bar.label) for bar in bars) + VALUE_GAP) if inline else 0
    room = WIDTH - label_room - VALUE_GAP
    scale = min(
        ((room - text_width(bar.display, bold=True)) / bar.value for bar in bars if bar.value > 0),
        default=0,
    )
    # Very long figures never squeeze the bars below a third of the width.
    largest = max(bar.value for bar in bars)
    if largest:
        scale = max(scale, room / 3 / largest)

    rows, y = [], 0.0
    for bar in bars:
        if inline:
            # The label's baseline sits where the bar's text would be centred.
            labels = [Line(0, y + BAR_HEIGHT - 3, bar.label)]
            bar_y = y
        else:
            lines = wrap(bar.label)
            labels = [Line(0, y + (n + 1) * LINE_HEIGHT - 4, text) for n, text in enumerate(lines)]
            bar_y = y + len(lines) * LINE_HEIGHT
        length = round(max(scale * bar.value, MIN_BAR), 1) if bar.value > 0 else 0
        # Without a bar, the figure starts where the bar would.
        value_x = label_room + (length + VALUE_GAP if length else 0)
        value = Line(value_x, bar_y + BAR_HEIGHT - 3, bar.display)
        rows.append(Row(bar, labels, label_room, bar_y, length, BAR_HEIGHT, value))
        y = bar_y + BAR_HEIGHT + ROW_GAP
    return BarChart(
        id,
        title,
        label_heading,
        value_heading,
        note_heading,
        rows=rows,
        height=int(y - ROW_GAP + 4),
    )
