"""A cell's input prompt, completion and inspection through jupyter_client:
what a notebook user sees when a cell reads stdin, presses Tab or asks
`?name`."""
from kernelharness import TIMEOUT, run_cell, stream_text


def ok(kc, code):
    reply, outs = run_cell(kc, code)
    assert reply["status"] == "ok", outs
    return outs


# ---------------------------------------------------------------------------
# stdin: the prompt a cell prints becomes the input box's prompt
# ---------------------------------------------------------------------------

def test_printed_prompt_is_the_input_prompt(kernel):
    km, kc = kernel
    requests = []

    def answer(msg):
        requests.append(msg["content"])
        kc.input("Ada")

    code = ('char name[32];\nprintf("before\\n");\nprintf("name? ");\n'
            'scanf("%31s", name);\nprintf("hello %s\\n", name);')
    reply, outs = run_cell(kc, code, allow_stdin=True, stdin_hook=answer)
    assert reply["status"] == "ok"
    assert [r["prompt"] for r in requests] == ["name? "]
    # Printed once: as the prompt, not also as output.
    assert stream_text(outs) == "before\nhello Ada\n"


def test_flushed_prompt_and_two_reads(kernel):
    km, kc = kernel
    requests = []
    answers = iter(["3", "4"])

    def answer(msg):
        requests.append(msg["content"]["prompt"])
        kc.input(next(answers))

    code = ('int a, b;\nprintf("a = "); fflush(stdout); scanf("%d", &a);\n'
            'printf("b = "); scanf("%d", &b);\nprintf("a + b = %d\\n", a + b);')
    reply, outs = run_cell(kc, code, allow_stdin=True, stdin_hook=answer)
    assert reply["status"] == "ok"
    assert requests == ["a = ", "b = "]
    assert stream_text(outs) == "a + b = 7\n"


def test_prompt_kept_as_output_without_stdin(kernel):
    km, kc = kernel
    reply, outs = run_cell(kc, 'int v = -5;\nprintf("value? ");\nscanf("%d", &v);\nprintf("v=%d\\n", v);',
                           allow_stdin=False)
    assert reply["status"] == "ok"
    assert stream_text(outs) == "value? v=-5\n"


def test_partial_line_without_input_still_streams(kernel):
    km, kc = kernel
    outs = ok(kc, 'printf("no newline at the end")')
    assert stream_text(outs) == "no newline at the end"


# ---------------------------------------------------------------------------
# Completion of struct members
# ---------------------------------------------------------------------------

def complete(kc, code, cursor=None):
    cursor = len(code) if cursor is None else cursor
    msg_id = kc.complete(code, cursor)
    reply = kc.get_shell_msg(timeout=TIMEOUT)
    assert reply["parent_header"]["msg_id"] == msg_id
    return reply["content"]


STRUCTS = ('typedef struct { double x, y; } vec;\n'
           'struct body { vec pos, vel; double mass; int id; };\n'
           'struct body sun = {{0, 0}, {0, 0}, 2e30, 1};\n'
           'struct body *bp = &sun;\n'
           'struct body bodies[3];\n'
           'vec origin = {1.5, -2};')


def test_members_after_dot_and_arrow(kernel):
    km, kc = kernel
    ok(kc, STRUCTS)
    c = complete(kc, "sun.")
    assert c["status"] == "ok"
    assert sorted(c["matches"]) == ["id", "mass", "pos", "vel"]
    assert c["cursor_start"] == c["cursor_end"] == 4
    c = complete(kc, "double m = bp->ma")
    assert c["matches"] == ["mass"]
    assert (c["cursor_start"], c["cursor_end"]) == (len("double m = bp->"), len("double m = bp->ma"))


def test_members_of_nested_and_indexed_operands(kernel):
    km, kc = kernel
    ok(kc, STRUCTS)
    assert sorted(complete(kc, "sun.pos.")["matches"]) == ["x", "y"]
    assert sorted(complete(kc, "bodies[1].v")["matches"]) == ["vel"]
    assert sorted(complete(kc, "bp->vel.")["matches"]) == ["x", "y"]
    # In the middle of a line: the cursor, not the end of the code, counts.
    code = "origin.y + 1"
    c = complete(kc, code, cursor=len("origin.y"))
    assert c["matches"] == ["y"]
    assert (c["cursor_start"], c["cursor_end"]) == (7, 8)


def test_members_of_a_standard_header_struct(kernel):
    km, kc = kernel
    ok(kc, "struct timespec ts = {1, 500};\nstruct timespec *tp = &ts;")
    assert sorted(complete(kc, "ts.")["matches"]) == ["tv_nsec", "tv_sec"]
    c = complete(kc, "long ns = tp->tv_n")
    assert c["matches"] == ["tv_nsec"]
    assert c["cursor_start"] == len("long ns = tp->")


def test_members_of_an_unnamed_struct_variable(kernel):
    km, kc = kernel
    ok(kc, "struct { double lo, hi; int count; } range = {0, 1, 5};")
    assert sorted(complete(kc, "range.")["matches"]) == ["count", "hi", "lo"]


def test_no_members_for_wrong_operator_or_unknown_type(kernel):
    km, kc = kernel
    ok(kc, STRUCTS)
    assert complete(kc, "sun->")["matches"] == []   # sun is not a pointer
    assert complete(kc, "bp.")["matches"] == []     # bp is
    assert complete(kc, "nosuch.")["matches"] == []
    # A number is not a member access: ordinary completion goes on.
    assert "sun" in complete(kc, "1.5 + su")["matches"]


def test_complete_magic_names_in_alphabetical_order(kernel):
    # The magic table is grouped by topic; front ends show matches as given.
    km, kc = kernel
    line = complete(kc, "%")["matches"]
    assert {"%cc", "%lsmagic", "%timeit", "%whos"} <= set(line)
    assert line == sorted(line) and len(set(line)) == len(line)
    c = complete(kc, "%%")
    cell = c["matches"]   # the word after the cell magic's first %
    assert {"%c", "%mpi", "%writefile"} <= set(cell) and cell == sorted(cell)
    assert c["cursor_start"] == 1
    assert complete(kc, "%ti")["matches"] == ["%time", "%timeit", "%timeline"]
    assert complete(kc, "%%c")["matches"] == ["%c", "%cuda"]


# ---------------------------------------------------------------------------
# Inspection
# ---------------------------------------------------------------------------

def inspect(kc, code, cursor=None, detail=0):
    cursor = len(code) if cursor is None else cursor
    msg_id = kc.inspect(code, cursor, detail)
    reply = kc.get_shell_msg(timeout=TIMEOUT)
    assert reply["parent_header"]["msg_id"] == msg_id
    return reply["content"]


def test_inspect_libc_function_prototypes(kernel):
    km, kc = kernel
    r = inspect(kc, "printf")
    assert r["status"] == "ok" and r["found"]
    text = r["data"]["text/plain"]
    assert text.startswith("int printf(const char *")
    assert "...);" in text
    r = inspect(kc, "size_t n = strlen(s)", cursor=len("size_t n = strl"))
    assert r["found"]
    assert "size_t strlen(const char *" in r["data"]["text/plain"]
    # A macro from the standard headers.
    r = inspect(kc, "M_PI")
    assert r["found"] and "#define M_PI" in r["data"]["text/plain"]


def test_inspect_variable_shows_value_declaration_and_cell(kernel):
    km, kc = kernel
    ok(kc, "int counter = 41;")
    ok(kc, "counter++;")
    text = inspect(kc, "counter")["data"]["text/plain"]
    assert "int counter;" in text
    assert "value: 42" in text
    assert "defined in cell[1]" in text
    ok(kc, STRUCTS)
    text = inspect(kc, "origin")["data"]["text/plain"]
    assert "vec origin;" in text
    assert "value: " in text and "1.5" in text and "-2" in text


def test_inspect_member_access_shows_its_value(kernel):
    km, kc = kernel
    ok(kc, STRUCTS)
    ok(kc, "sun.mass = 3.5; bp->pos.y = -1;")
    r = inspect(kc, "x = sun.mass + 1", cursor=len("x = sun.ma"))
    assert r["found"] and r["data"]["text/plain"] == "sun.mass\nvalue: 3.5\n"
    assert inspect(kc, "bp->pos")["data"]["text/plain"] == "bp->pos\nvalue: { x = 0, y = -1 }\n"
    # Nothing is called to answer.
    assert not inspect(kc, "make().x")["found"]


def test_detail_shows_the_definition_source(kernel):
    km, kc = kernel
    ok(kc, "double sq(double x) {\n    return x * x;\n}\nint n = 10;")
    text = inspect(kc, "sq", detail=1)["data"]["text/plain"]
    assert "source:\ndouble sq(double x) {\n    return x * x;\n}" in text
    assert "source:" not in inspect(kc, "sq", detail=0)["data"]["text/plain"]
    reply, outs = run_cell(kc, "n??")
    assert "source:\nint n = 10;" in reply["payload"][0]["data"]["text/plain"]


def test_question_mark_pages_the_same(kernel):
    km, kc = kernel
    ok(kc, "double half(double v) { return v / 2; }")
    reply, outs = run_cell(kc, "?half")
    assert reply["status"] == "ok"
    pages = [p for p in reply["payload"] if p["source"] == "page"]
    assert pages and "double half(double v);" in pages[0]["data"]["text/plain"]
    assert "defined in cell[1]" in pages[0]["data"]["text/plain"]
    reply, outs = run_cell(kc, "?strlen")
    assert "strlen" in reply["payload"][0]["data"]["text/plain"]
    reply, outs = run_cell(kc, "?no_such_thing")
    assert not reply["payload"]
    assert "not found" in stream_text(outs)
    # The same help requests as the REPL's (engine_help_name): an indexed
    # name is asked about, not compiled as C.
    reply, outs = run_cell(kc, "?half[1]")
    assert reply["status"] == "ok" and "not found" in stream_text(outs)
