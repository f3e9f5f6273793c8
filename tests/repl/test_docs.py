"""The README's magics table against the magics parc really has: every magic
`%lsmagic` lists appears in the table with the same usage (options), and the
table names no magic that does not exist."""
import pathlib
import re
import subprocess

from replharness import PARC, ROOT


def squeeze(s):
    """Usage text without Markdown escapes and spaces: `[a \\| b]` == `[a|b]`."""
    return re.sub(r"\s+", "", s.replace("\\|", "|"))


def lsmagic_text():
    r = subprocess.run([PARC, "-c", "%lsmagic"], capture_output=True, text=True, timeout=60)
    assert r.returncode == 0, r.stderr
    return r.stdout


def lsmagic_usages():
    out = lsmagic_text()
    usages = [line.strip() for line in out.splitlines() if line.startswith("    %")]
    assert len(usages) > 30, out
    return usages


def test_lsmagic_groups_line_then_cell_magics_by_topic():
    """Line magics, then cell magics; in each, a heading per topic (in one
    order), every magic under its topic, each listed once."""
    order = ["Compilers and libraries", "Files, directory, environment", "Threads, processes, OpenMP",
             "Timing, timelines, scaling", "GPUs: OpenCL, CUDA", "MPI", "The session", "Help"]
    kinds, kind, topic = {}, None, None
    for line in lsmagic_text().splitlines():
        if line.startswith(("Line magics", "Cell magics")):
            kind = line.split()[0]
            kinds[kind] = {}
        elif line.startswith("  ") and not line.startswith("    "):
            topic = line.strip().rstrip(":")
            assert topic in order, line
            assert topic not in kinds[kind], "topic listed twice: " + line
            kinds[kind][topic] = []
        elif line.startswith("    %"):
            kinds[kind][topic].append(line.split()[0])
    assert list(kinds) == ["Line", "Cell"]
    for kind, topics in kinds.items():
        assert list(topics) == [t for t in order if t in topics], (kind, list(topics))
        assert all(names for names in topics.values()), (kind, topics)
        for names in topics.values():
            assert all(n.startswith("%%") == (kind == "Cell") for n in names), (kind, names)
    where = {n: t for topics in kinds.values() for t, names in topics.items() for n in names}
    assert len(where) == sum(len(names) for topics in kinds.values() for names in topics.values())
    expect = {"%cc": "Compilers and libraries", "%%c": "Compilers and libraries",
              "%run": "Files, directory, environment", "%%writefile": "Files, directory, environment",
              "%%threads": "Threads, processes, OpenMP", "%omp_threads": "Threads, processes, OpenMP",
              "%timeit": "Timing, timelines, scaling", "%%scaling": "Timing, timelines, scaling",
              "%gpus": "GPUs: OpenCL, CUDA", "%%cuda": "GPUs: OpenCL, CUDA", "%%mpi": "MPI",
              "%reset": "The session", "%whos": "The session", "%lsmagic": "Help"}
    assert {n: where.get(n) for n in expect} == expect


def readme_magics_table():
    text = (ROOT / "README.md").read_text()
    section = text.split("\n### Magics\n", 1)[1].split("\n#", 1)[0]
    rows = [line for line in section.splitlines() if line.startswith("| `")]
    assert rows, "README.md: no magics table under ### Magics"
    spans = []
    for row in rows:
        first_cell = re.match(r"\|((?:[^|\\]|\\.)*)\|", row).group(1)
        spans += re.findall(r"`([^`]*)`", first_cell)
    return spans


def test_readme_lists_every_magic_with_its_usage():
    table = {squeeze(s) for s in readme_magics_table()}
    missing = [u for u in lsmagic_usages() if squeeze(u) not in table]
    assert not missing, "README.md's magics table lacks (or has other options for): " + ", ".join(missing)


def test_readme_lists_no_magic_that_does_not_exist():
    names = {re.match(r"%%?\w+", u).group(0) for u in lsmagic_usages()}
    extra = [s for s in readme_magics_table()
             if s.startswith("%") and s != "%NAME?" and re.match(r"%%?\w+", s).group(0) not in names]
    assert not extra, "README.md's magics table names magics parc lacks: " + ", ".join(extra)


def test_install_kernel_help_names_every_option():
    kernel = pathlib.Path(PARC).resolve().parent.parent / "kernel" / "parc-kernel"
    for prog in ([PARC, "install-kernel", "--help"], [str(kernel), "--help"]):
        r = subprocess.run(prog, capture_output=True, text=True, timeout=30)
        assert r.returncode == 0, r.stderr
        for opt in ("--user", "--sys-prefix", "--prefix DIR", "--name NAME", "--kernel PATH"):
            assert opt in r.stdout, (prog, opt)


def test_both_helps_name_the_environment_they_read():
    kernel = pathlib.Path(PARC).resolve().parent.parent / "kernel" / "parc-kernel"
    for prog in ([PARC, "--help"], [str(kernel), "--help"]):
        r = subprocess.run(prog, capture_output=True, text=True, timeout=30)
        assert r.returncode == 0, r.stderr
        for var in ("PARC_LIMITS", "PARC_CACHE_DIR"):
            assert var in r.stdout, (prog, var)
