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


def lsmagic_usages():
    r = subprocess.run([PARC, "-c", "%lsmagic"], capture_output=True, text=True, timeout=60)
    assert r.returncode == 0, r.stderr
    usages = [line.strip() for line in r.stdout.splitlines() if line.startswith("  %")]
    assert len(usages) > 30, r.stdout
    return usages


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
