"""The data card's SVG charts: values drawn to scale, labels escaped, any script kept."""
import re

from curate.charts import grouped_bars, nice_ticks, stacked_hbars


def _bar_heights(svg: str) -> list[float]:
    return [float(h) for h in re.findall(r'<rect x="[\d.]+" y="[\d.]+" width="[\d.]+" height="([\d.]+)"', svg)]


def test_ticks_are_round_and_cover_the_maximum():
    assert nice_ticks(824) == [0, 250, 500, 750, 1000]
    assert nice_ticks(300) == [0, 100, 200, 300]
    assert nice_ticks(0.37) == [0, 0.1, 0.2, 0.3, 0.4]
    assert nice_ticks(0) == [0.0, 1.0]


def test_grouped_bars_are_drawn_to_scale_with_labels_escaped():
    svg = grouped_bars(["card<lost>", "भुगतान"], {"train": [300, 150], "test": [30, 0]}, xlabel="label")
    assert _bar_heights(svg)[:4] == [170.0, 17.0, 85.0, 0.0]   # 300 fills the 0..300 axis
    assert "card&lt;lost&gt;" in svg and "<lost>" not in svg
    assert ">भुगतान</text>" in svg and "<title>भुगतान, train: 150</title>" in svg


def test_percent_axis_and_empty_input():
    svg = grouped_bars(["≥8", "≥16"], {"train": [0.25, 0.75]}, xlabel="characters", percent=True)
    assert ">80%</text>" in svg and "<title>≥16, train: 75%</title>" in svg
    assert grouped_bars([], {"train": []}, xlabel="x") == "" and stacked_hbars([], {}) == ""


def test_funnel_stacks_rejected_after_kept():
    svg = stacked_hbars(["read", "dedup_exact"], {"kept": [100, 80], "rejected": [0, 20]})
    widths = [float(w) for w in re.findall(r'<rect x="[\d.]+" y="[\d.]+" width="([\d.]+)"', svg)]
    assert widths[:4] == [520.0, 0.0, 416.0, 104.0]       # then the two legend keys
    assert "<title>dedup_exact, rejected: 20</title>" in svg
