"""parc without a terminal: piped cells, -c, FILE.c, -i, --help, --version
and exit statuses."""
import json
import re
import shutil
import signal
import subprocess

import pytest

from replharness import PARC, ROOT


def test_pipe_example(run):
    r = run(input="int x = 41;\nx + 1\n")
    assert r.returncode == 0, r.stderr
    assert r.stdout == "(int) 42\n"
    assert "[1]" not in r.stdout  # no prompts


def test_pipe_groups_lines_into_cells_like_typed_input(run):
    r = run(input="int twice(int v) {\n    return 2 * v;\n}\ntwice(21)\n")
    assert r.returncode == 0, r.stderr
    assert r.stdout.strip() == "(int) 42"


def test_pipe_line_ending_with_an_operator_goes_on(run):
    r = run(input="int a = 40,\n    b = 2;\nint *\np = &a;\nint s = *p +\n b;\ns\n#define ADD(x) x +\nADD(1) 2\n")
    assert r.returncode == 0, r.stderr
    assert r.stdout == "(int) 42\n(int) 3\n"


def test_pipe_failed_cell_gives_status_1_and_later_cells_run(run):
    r = run(input="int x = no_such_name;\n40 + 2\n")
    assert r.returncode == 1
    assert re.search(r"cell\[1\]\S*: error", r.stderr), r.stderr
    assert "(int) 42" in r.stdout


def test_pipe_crash_gives_status_1(run):
    r = run(input="int keep = 5;\n*(volatile int *)0 = 1;\nkeep\n")
    assert r.returncode == 1
    assert "(int) 5" in r.stdout  # the session survived the crash


def test_question_mark_describes_a_name(run):
    r = run(input="int hits = 6 * 7;\n?hits\nstrlen?\n?not_a_name\nhits\n")
    assert r.returncode == 0, r.stderr
    assert "int hits;\ntype: int\nvalue: 42\ndefined in cell[1]\n" in r.stdout
    assert "size_t strlen(const char *" in r.stdout
    assert "Object `not_a_name` not found." in r.stdout
    assert r.stdout.endswith("(int) 42\n")


def test_question_mark_on_a_member(run):
    r = run(input="struct { int a; double b[2]; } rec = {1, {2.5, 3}};\n?rec.b\n")
    assert r.returncode == 0, r.stderr
    assert r.stdout == "rec.b\nvalue: { 2.5, 3 }\n"


def test_double_question_mark_shows_the_source(run):
    r = run(input="int twice(int v) {\n    return 2 * v;\n}\n??twice\n")
    assert r.returncode == 0, r.stderr
    assert "source:\nint twice(int v) {\n    return 2 * v;\n}\n" in r.stdout


def test_pipe_last_cell_without_newline_runs(run):
    r = run(input="6 * 7")
    assert r.returncode == 0, r.stderr
    assert "(int) 42" in r.stdout


def test_pipe_cell_reads_following_line(run):
    r = run(input='int a = 0; scanf("%d", &a);\n21\na * 2\n')
    assert r.returncode == 0, r.stderr
    assert "(int) 42" in r.stdout


def test_c_option(run):
    r = run("-c", "int v = 6; v * 7")
    assert r.returncode == 0, r.stderr
    assert "(int) 42" in r.stdout


def test_c_option_failure_status(run):
    r = run("-c", "int v = ;")
    assert r.returncode == 1
    assert "error" in r.stderr


def test_file_runs_as_one_cell(run, tmp_path):
    f = tmp_path / "prog.c"
    f.write_text(
        "#include <stdio.h>\n"
        "static int square(int v) { return v * v; }\n"
        "\n"  # an empty line does not split a file
        "int main_value = 0;\n"
        "main_value = square(6) + 6;\n"
        'printf("value %d\\n", main_value);\n')
    r = run(str(f))
    assert r.returncode == 0, r.stderr
    assert "value 42" in r.stdout


def test_file_failure_status(run, tmp_path):
    f = tmp_path / "bad.c"
    f.write_text("int x = ;\n")
    r = run(str(f))
    assert r.returncode == 1
    assert "error" in r.stderr


def test_missing_file(run, tmp_path):
    r = run(str(tmp_path / "nope.c"))
    assert r.returncode == 1
    assert "nope.c" in r.stderr


def test_i_after_file_reads_piped_cells(run, tmp_path):
    f = tmp_path / "start.c"
    f.write_text("int answer = 41;\n")
    r = run("-i", str(f), input="answer + 1\n")
    assert r.returncode == 0, r.stderr
    assert "(int) 42" in r.stdout


def test_i_after_c_reads_piped_cells(run):
    r = run("-i", "-c", "int base = 40;", input="base + 2\n")
    assert r.returncode == 0, r.stderr
    assert "(int) 42" in r.stdout


def test_i_exit_status_counts_piped_cells(run):
    r = run("-i", "-c", "int base = 40;", input="base + no_such_name\n")
    assert r.returncode == 1


def test_without_i_file_does_not_read_stdin(run, tmp_path):
    f = tmp_path / "start.c"
    f.write_text("int answer = 41;\n")
    r = run(str(f), input="answer + 1\n")
    assert r.returncode == 0, r.stderr
    assert "(int) 42" not in r.stdout


def test_help_describes_every_option(run):
    r = run("--help")
    assert r.returncode == 0
    out = r.stdout
    assert out.startswith("usage: parc")
    for opt in ("FILE.c", "-c CODE", "-i", "--help", "-h", "--version", "-V",
                "install-kernel"):
        assert opt in out, opt
    assert "empty line" in out  # the cell rules
    assert "%lsmagic" in out and "%NAME?" in out  # where magics are explained
    assert "PARC_CACHE_DIR" in out and "PARC_LIMITS" in out  # the environment it reads
    assert run("-h").stdout == out


def test_version_matches_project(run):
    meson = (ROOT / "meson.build").read_text()
    version = re.search(r"version:\s*'([^']+)'", meson).group(1)
    r = run("--version")
    assert r.returncode == 0
    assert r.stdout == "parc %s\n" % version


def test_bad_option(run):
    r = run("--no-such-option")
    assert r.returncode == 2
    assert "--no-such-option" in r.stderr


def test_engine_start_failure(parc_env, tmp_path):
    # A copy of parc with no parc-engine beside it, pointed at an engine
    # that does not exist, cannot start a session.
    lonely = tmp_path / "bin" / "parc"
    lonely.parent.mkdir()
    shutil.copy(PARC, lonely)
    env = dict(parc_env, PARC_ENGINE=str(tmp_path / "bin" / "no-such-engine"))
    r = subprocess.run([str(lonely)], input="1\n", env=env, capture_output=True, text=True,
                       timeout=30)
    assert r.returncode == 1
    assert "parc: cannot start the engine" in r.stderr


def test_install_kernel_writes_kernelspec(run, tmp_path):
    r = run("install-kernel", "--prefix", str(tmp_path / "prefix"))
    if "not available" in r.stderr:
        pytest.skip("parc was built without kernel/ (meson must read kernel/ before repl/)")
    assert r.returncode == 0, r.stderr
    spec = tmp_path / "prefix" / "share" / "jupyter" / "kernels" / "parc" / "kernel.json"
    assert json.loads(spec.read_text())["language"] == "c"


def test_install_kernel_bad_usage(run):
    r = run("install-kernel", "--no-such-option")
    assert r.returncode != 0


def test_pipe_display_text_and_image(run, tmp_path):
    r = run(input='parc_display_markdown("# Title");\nparc_display_png("\\x89PNG", 4);\n')
    assert r.returncode == 0, r.stderr
    assert "# Title" in r.stdout
    m = re.search(r"\[image/png: (\S+\.png)\]", r.stdout)
    assert m, r.stdout
    with open(m.group(1), "rb") as f:
        assert f.read() == b"\x89PNG"


def test_sigint_interrupts_piped_cell_and_stops(parc_env):
    p = subprocess.Popen([PARC], stdin=subprocess.PIPE, stdout=subprocess.PIPE,
                         stderr=subprocess.PIPE, env=parc_env, text=True)
    p.stdin.write('printf("started\\n"); fflush(stdout); while (1);\n1 + 1\n')
    p.stdin.flush()
    assert p.stdout.readline() == "started\n"
    p.send_signal(signal.SIGINT)
    out, err = p.communicate(timeout=20)
    assert p.returncode == 130
    assert "(int) 2" not in out  # input after Ctrl-C is not run
    assert "interrupted" in err


@pytest.mark.skipif(not shutil.which("clang"), reason="clang is not installed (Debian: clang)")
def test_objects_are_cached_in_parc_cache_dir(run, parc_env, tmp_path):
    cell = "%%c --cc clang\nint twice(int x) { return 2 * x; }\ntwice(21)\n"
    cache = tmp_path / "parc-cache"
    r = run("-c", cell, env=dict(parc_env, PARC_CACHE_DIR=str(cache)))
    assert r.returncode == 0, r.stderr
    assert "(int) 42" in r.stdout
    assert list((cache / "cc").glob("*.o")), "no object in $PARC_CACHE_DIR/cc"
    assert not (tmp_path / "cache" / "parc").exists(), "the default folder was used too"
    r = run("-c", cell, env=dict(parc_env, PARC_CACHE_DIR="off"))
    assert r.returncode == 0 and "(int) 42" in r.stdout, r.stderr
    assert not (tmp_path / "cache" / "parc").exists(), "off still kept objects"


def test_images_go_to_parc_cache_dir(run, parc_env, tmp_path):
    cell = 'parc_display_png("\\x89PNG", 4);\n'
    cache = tmp_path / "parc-cache"
    r = run(input=cell, env=dict(parc_env, PARC_CACHE_DIR=str(cache)))
    assert r.returncode == 0, r.stderr
    m = re.search(r"\[image/png: (\S+\.png)\]", r.stdout)
    assert m and m.group(1).startswith(str(cache) + "/"), r.stdout
    # off: a new temporary folder (in $TMPDIR) holds them.
    r = run(input=cell, env=dict(parc_env, PARC_CACHE_DIR="off", TMPDIR=str(tmp_path)))
    m = re.search(r"\[image/png: (\S+\.png)\]", r.stdout)
    assert r.returncode == 0 and m, r.stdout + r.stderr
    assert m.group(1).startswith(str(tmp_path / "parc-")), r.stdout
    assert not (tmp_path / "cache" / "parc").exists(), "off still used the cache folder"
    with open(m.group(1), "rb") as f:
        assert f.read() == b"\x89PNG"
