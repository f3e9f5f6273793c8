"""parc typed at in a real pseudo-terminal: prompts, multi-line cells,
history, completion, Ctrl-C, Ctrl-D and stdin read by a cell."""
import os
import signal
import termios
import time

import pexpect

UP = "\x1b[A"


def test_multiline_function_then_call(spawn):
    s = spawn()
    assert s.prompt() == 1
    s.cell("int add(int a, int b) {")
    s.expect_exact("... ")
    s.cell("return a + b;")
    s.expect_exact("... ")
    s.cell("}")
    assert s.prompt() == 2  # the three lines ran as one cell
    s.cell("add(40, 2)")
    s.expect_exact("(int) 42")
    assert s.prompt() == 3
    assert s.exit() == 0


def test_continuation_prompt_lines_up_with_prompt(spawn):
    s = spawn()
    s.prompt(1)
    s.cell("int tens(void) {")
    # "[1] " is four columns wide; its continuation prompt too.
    s.expect(r"\r\n\.\.\. ")
    s.cell("return 10; }")
    s.prompt(2)
    s.cell("tens() * 4 + 2")
    s.expect_exact("(int) 42")


def test_cell_numbers_increase_even_after_errors(spawn):
    s = spawn()
    s.prompt(1)
    s.cell("int ok1 = 1;")
    s.prompt(2)
    s.cell("int bad = no_such_name;")
    s.expect(r"cell\[2\]\S*: error")
    s.prompt(3)


def test_empty_line_runs_an_unfinishable_cell(spawn):
    s = spawn()
    s.prompt(1)
    s.cell("int broken = (1 +")
    s.expect_exact("... ")
    s.cell("")
    s.expect(r"cell\[1\]\S*: error")
    s.prompt(2)


def test_line_ending_with_an_operator_goes_on(spawn):
    s = spawn()
    s.prompt(1)
    s.cell("int forty = 40;")
    s.prompt(2)
    s.cell("int v = forty +")
    s.expect_exact("... ")
    s.cell("2;")
    s.prompt(3)  # the two lines ran as one cell
    s.cell("v")
    s.expect_exact("(int) 42")


def test_unfinished_operator_run_by_an_empty_line(spawn):
    s = spawn()
    s.prompt(1)
    s.cell("int w = 1 *")
    s.expect_exact("... ")
    s.cell("")
    s.expect(r"cell\[1\]:1:11: error: the cell ends with '\*'")
    s.prompt(2)


def test_unterminated_string_is_an_error_at_once(spawn):
    # A C string cannot go on to the next line: no continuation prompt.
    s = spawn()
    s.prompt(1)
    s.cell('printf("abc')
    s.expect(r"cell\[1\]:1:8: error: unterminated string literal")
    s.prompt(2)


def test_history_persists_across_runs(spawn, parc_env, tmp_path):
    s = spawn()
    s.prompt(1)
    s.cell("int remembered = 7;")
    s.prompt(2)
    assert s.exit() == 0
    hist = tmp_path / "state" / "parc" / "history"
    assert "remembered" in hist.read_text()

    s = spawn()
    s.prompt(1)
    s.child.send(UP)  # recalls the previous run's cell...
    time.sleep(0.3)
    s.child.send("\r")  # ...and runs it in this new session
    s.prompt(2)
    s.cell("remembered * 6")
    s.expect_exact("(int) 42")


def test_tab_completes_session_identifier(spawn):
    s = spawn()
    s.prompt(1)
    s.cell("int my_counter_value = 21;")
    s.prompt(2)
    s.child.send("my_counter_v\t")
    time.sleep(0.5)
    s.child.send(" * 2\r")
    s.expect_exact("(int) 42")


def test_tab_completes_struct_member(spawn):
    s = spawn()
    s.prompt(1)
    s.cell("struct acct { int balance_cents; int owner; } acc = {1250, 7}, *ap = &acc;")
    s.prompt(2)
    s.child.send("ap->bal\t")
    time.sleep(0.5)
    s.child.send(" + acc.own\t")
    time.sleep(0.5)
    s.child.send("\r")
    s.expect_exact("(int) 1257")


def test_tab_completes_keyword(spawn):
    s = spawn()
    s.prompt(1)
    s.cell("int n = 0;")
    s.prompt(2)
    s.child.send("whil\t")
    time.sleep(0.5)
    s.child.send(" (n < 42) n++;\r")
    s.prompt(3)
    s.cell("n")
    s.expect_exact("(int) 42")


def test_tab_completes_magic_name(spawn):
    s = spawn()
    s.prompt(1)
    s.cell("int zz_listed_var = 1;")
    s.prompt(2)
    s.child.send("%wh\t")  # %who and %whos share "%who"
    time.sleep(0.5)
    s.child.send("\r")
    s.expect_exact("zz_listed_var")  # what %who lists
    s.prompt(3)


def test_tab_lists_several_matches(spawn):
    s = spawn()
    s.prompt(1)
    s.cell("int alpha_one = 1, alpha_two = 2;")
    s.prompt(2)
    s.child.send("alpha_\t")
    s.expect(r"alpha_one\s+alpha_two")
    s.child.sendintr()
    s.prompt(2)


def test_ctrl_c_interrupts_running_cell_and_keeps_state(spawn):
    s = spawn()
    s.prompt(1)
    s.cell("int kept = 123;")
    s.prompt(2)
    s.cell("while (1);")
    time.sleep(1.0)
    s.child.sendintr()
    s.prompt(3)  # the REPL survived and goes on
    s.cell("kept")
    s.expect_exact("(int) 123")
    s.prompt(4)


def test_ctrl_c_at_prompt_discards_input(spawn):
    s = spawn()
    s.prompt(1)
    s.child.send("int discarded = 1;")
    time.sleep(0.2)
    s.child.sendintr()
    s.prompt(1)  # a fresh prompt; nothing ran
    s.cell("int f(void) {")
    s.expect_exact("... ")
    s.child.sendintr()
    s.prompt(1)  # the unfinished cell is gone too
    s.cell("discarded")
    s.expect(r"cell\[1\]\S*: error")
    s.prompt(2)


def test_ctrl_d_exits_zero(spawn):
    s = spawn()
    s.prompt(1)
    s.cell("int x = no_such_name;")  # a failed cell does not change Ctrl-D's status
    s.prompt(2)
    assert s.exit() == 0


def test_scanf_reads_the_terminal(spawn):
    s = spawn()
    s.prompt(1)
    s.cell('int got = 0; scanf("%d", &got); printf("twice=%d\\n", got * 2);')
    time.sleep(0.5)
    s.cell("21")
    s.expect_exact("twice=42")
    s.prompt(2)
    s.cell("got")
    s.expect_exact("(int) 21")


def test_ctrl_d_at_input_request_is_end_of_file(spawn):
    s = spawn()
    s.prompt(1)
    s.cell('int ch = getchar(); printf("eof=%d\\n", ch == EOF);')
    time.sleep(0.5)
    s.child.sendcontrol("d")
    s.expect_exact("eof=1")
    s.prompt(2)  # and the REPL itself goes on


def test_i_runs_file_then_stays(spawn, tmp_path):
    f = tmp_path / "start.c"
    f.write_text("int answer = 41;\nprintf(\"loaded\\n\");\n")
    s = spawn("-i", str(f))
    s.expect_exact("loaded")
    s.prompt(2)  # the file was cell 1
    s.cell("answer + 1")
    s.expect_exact("(int) 42")
    s.prompt(3)
    assert s.exit() == 0


def _descendants(pid):
    """Process ids below pid (from /proc)."""
    parent = {}
    for entry in os.listdir("/proc"):
        if not entry.isdigit():
            continue
        try:
            with open("/proc/%s/stat" % entry) as f:
                parent[int(entry)] = int(f.read().rsplit(")", 1)[1].split()[1])
        except OSError:
            continue
    found, todo = [], [pid]
    while todo:
        p = todo.pop()
        kids = [k for k, v in parent.items() if v == p]
        found += kids
        todo += kids
    return found


def test_lost_session_is_reported_and_repl_goes_on(spawn):
    s = spawn()
    s.prompt(1)
    s.cell("int before_loss = 1;")
    s.prompt(2)
    # The engine's processes die behind the REPL's back. Twice: right after
    # a cell, its process is still becoming the new executor.
    assert _descendants(s.child.pid)
    for _ in range(2):
        for pid in _descendants(s.child.pid):
            try:
                os.kill(pid, signal.SIGKILL)
            except ProcessLookupError:
                pass
        time.sleep(0.3)
    s.cell("before_loss")
    s.expect(r"new, empty session")
    s.prompt(3)
    s.cell("40 + 2")
    s.expect_exact("(int) 42")


def test_displayed_images_are_written_to_cache(spawn, tmp_path):
    s = spawn()
    s.prompt(1)
    s.cell('parc_display_svg("<svg xmlns=\\"http://www.w3.org/2000/svg\\"/>");')
    m = s.expect(r"\[image/svg\+xml: (\S+\.svg)\]")
    path = m.group(1)
    assert path.startswith(str(tmp_path / "cache" / "parc"))
    assert "<svg" in open(path).read()
    s.prompt(2)


def test_sigterm_while_editing_restores_terminal(spawn):
    s = spawn()
    s.prompt(1)
    s.child.send("int half_typed")
    time.sleep(0.3)
    lflag = termios.tcgetattr(s.child.child_fd)[3]
    assert not lflag & termios.ICANON  # libedit's editing mode
    os.kill(s.child.pid, signal.SIGTERM)
    s.child.expect(pexpect.EOF)
    lflag = termios.tcgetattr(s.child.child_fd)[3]
    assert lflag & termios.ICANON and lflag & termios.ECHO and lflag & termios.ISIG
