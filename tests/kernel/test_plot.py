"""The plot API of parc.h through the kernel: each chart is one well-formed
SVG display with its title, axis labels, a legend entry per series drawn in
the series' style, a tooltip per point or bar, decade ticks on log-log
axes, and points that a log axis cannot show left out."""
import xml.etree.ElementTree as ET

from kernelharness import run_cell

NS = "{http://www.w3.org/2000/svg}"


def shown_svgs(outputs):
    return [m["content"]["data"]["image/svg+xml"] for m in outputs
            if m["msg_type"] == "display_data" and "image/svg+xml" in m["content"]["data"]]


def texts(root):
    return ["".join(t.itertext()) for t in root.iter(NS + "text")]


def titles(root):
    return [t.text for t in root.iter(NS + "title")]


def chart(kc, code):
    reply, outputs = run_cell(kc, code)
    assert reply["status"] == "ok", outputs
    svgs = shown_svgs(outputs)
    assert len(svgs) == 1, outputs
    return ET.fromstring(svgs[0])  # raises on a malformed document


def test_lines_points_and_shading(kernel):
    _, kc = kernel
    root = chart(kc, """
double n[] = {1, 2, 4, 8}, t[] = {8.1, 4.2, 2.3, 1.9}, ideal[] = {8.1, 4.05, 2.025, 1.0125};
parc_plot *p = parc_plot_new("time <vs> workers", "workers", "seconds");
parc_plot_line(p, "measured", n, t, 4);
parc_plot_dashed(p, "ideal", n, ideal, 4);
parc_plot_points(p, "runs", n, t, 4);
parc_plot_shade_from(p, 2, "oversubscribed");
parc_plot_show(p);
parc_plot_free(p);
""")
    words = texts(root)
    for w in ("time <vs> workers", "workers", "seconds", "measured", "ideal", "runs", "oversubscribed"):
        assert w in words, (w, words)
    lines = list(root.iter(NS + "polyline"))
    assert len(lines) == 2  # line and dashed; points have none
    assert sum(1 for l in lines if l.get("stroke-dasharray")) == 1
    assert titles(root).count("measured: (4, 2.3)") == 1
    assert sum(1 for t in titles(root) if t.startswith("runs: ")) == 4
    assert not any(t.startswith("ideal: ") for t in titles(root))  # a dashed model has no markers
    legend = [c for c in root.iter(NS + "circle") if c.find(NS + "title") is None]
    assert len(legend) == 1  # the points series' legend mark


def test_loglog_decades(kernel):
    _, kc = kernel
    root = chart(kc, """
double xs[] = {0, 10, 100, 1000, 10000}, ys[] = {5, 0.001, 0.01, 0.1, 1};
parc_plot *q = parc_plot_new("matvec", "N", "seconds");
parc_plot_loglog(q, 1);
parc_plot_line(q, "serial", xs, ys, 5);
parc_plot_show(q);
parc_plot_free(q);
""")
    words = texts(root)
    for tick in ("10", "100", "1000", "10000", "0.001", "0.01", "0.1", "1"):
        assert tick in words, (tick, words)
    marks = [t for t in titles(root) if t.startswith("serial: ")]
    assert marks == ["serial: (10, 0.001)", "serial: (100, 0.01)", "serial: (1000, 0.1)", "serial: (10000, 1)"]
    (line,) = root.iter(NS + "polyline")
    assert len(line.get("points").split()) == 4  # x = 0 cannot be drawn


def test_bars_side_by_side(kernel):
    _, kc = kernel
    root = chart(kc, """
const char *labels[] = {"serial", "2", "4"};
double a[] = {1, 1.9, 2.0}, b[] = {1, 1.5, 1.6};
parc_plot *r = parc_plot_new("speedup", "workers", "speedup");
parc_plot_bar(r, "threads", labels, a, 3);
parc_plot_bar(r, "processes", labels, b, 3);
parc_plot_show(r);
parc_plot_free(r);
""")
    bars = [r for r in root.iter(NS + "rect") if r.find(NS + "title") is not None]
    assert [r.find(NS + "title").text for r in bars] == [
        "threads serial: 1", "threads 2: 1.9", "threads 4: 2",
        "processes serial: 1", "processes 2: 1.5", "processes 4: 1.6"]
    heights = [float(r.get("height")) for r in bars]
    assert heights[1] > heights[0] and abs(heights[0] - heights[3]) < 0.01
    xs = [float(r.get("x")) for r in bars]
    assert xs[0] < xs[3] < xs[1] < xs[4] < xs[2] < xs[5]  # grouped per label
    for w in ("serial", "2", "4", "threads", "processes"):
        assert w in texts(root)


def test_misuse_is_harmless(kernel):
    _, kc = kernel
    reply, outputs = run_cell(kc, """
parc_plot_line(NULL, "x", NULL, NULL, 3);
parc_plot *e = parc_plot_new(NULL, NULL, NULL);
parc_plot_line(e, NULL, NULL, NULL, 3);
parc_plot_show(e);
parc_plot_free(e);
parc_plot_free(NULL);
""")
    assert reply["status"] == "ok", outputs
    svgs = shown_svgs(outputs)
    assert len(svgs) == 1
    ET.fromstring(svgs[0])
