/* fuzz_magic.c — libFuzzer harness for the magics' parsing (engine/magic.c:
 * magic_expand finding line and cell magics, `!` shell lines, block
 * comments, and each magic reading its arguments: %limit, %timeit, %time,
 * %%scaling, %%threads, %cflags, ...), and magic_map_lines reading the
 * input as compiler messages about the cell. Every input runs against a
 * fresh, empty session.
 *
 * Magics that act outside the session are not run: those that touch files
 * or the working directory (%cd, %%writefile, %load, %run, %timeline save),
 * start programs or load libraries (%cc, %%c, %lib, %%cuda, %%mpi,
 * %%opencl, %%vectorize, %gpus), start a fresh engine (%replay), change
 * the environment (%env) or ask the front end (%reset). An input naming
 * one of them on any line is skipped. */
#include <ctype.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "jit.h"
#include "magic.h"
#include "session.h"
#include "timeline.h"
#include "trace.h"
#include "util.h"

static const char *const skipped[] = {"cd",   "env",    "writefile", "load",   "run",       "timeline",
                                      "cc",   "c",      "lib",       "reset",  "cuda",      "mpi",
                                      "opencl", "vectorize", "gpus", "replay", NULL};

/* Whether a line of code names a magic the harness does not run. Looks at
 * every line starting with % (after blanks), a superset of what
 * magic_expand treats as magics. */
static int names_skipped_magic(const char *code)
{
    for (const char *p = code; p; p = strchr(p, '\n'), p = p ? p + 1 : NULL) {
        while (*p == ' ' || *p == '\t')
            p++;
        if (*p != '%')
            continue;
        while (*p == '%')
            p++;
        size_t n = strcspn(p, " \t\r\n\v\f?");
        for (int i = 0; skipped[i]; i++)
            if (n == strlen(skipped[i]) && !strncmp(p, skipped[i], n))
                return 1;
    }
    return 0;
}

int LLVMFuzzerInitialize(int *argc, char ***argv)
{
    (void)argc;
    (void)argv;
    /* Magics print their help and listings; nobody reads them here. */
    if (!freopen("/dev/null", "w", stdout))
        abort();
    return 0;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    char *code = xmalloc(size + 1);
    memcpy(code, data, size);
    code[size] = 0;
    if (names_skipped_magic(code)) {
        free(code);
        return 0;
    }
    struct session s = {0};
    s.req_fd = s.ev_fd = s.in_fd = -1;
    s.jit = jit_new("/nonexistent");
    struct buf err = {0};
    int no_compile = 0;
    char *out = magic_expand(&s, code, 3, &err, &no_compile);
    if (!out && !err.len)
        abort(); /* a failure always says why */
    if (out && !no_compile && !magic_kept_lines(&s)) {
        /* Line magics keep the cell's line numbers. */
        size_t in_lines = 0, out_lines = 0;
        for (const char *p = code; *p; p++)
            in_lines += *p == '\n';
        for (const char *p = out; *p; p++)
            out_lines += *p == '\n';
        if (out_lines < in_lines && code[0] != '%' && code[0] != ' ' && code[0] != '\t')
            abort();
    }
    if (err.len && err.data[err.len - 1] != '\n')
        abort(); /* messages end in a newline */
    if (err.len && (strncmp(err.data, "cell[3]:", 8) || !isdigit((unsigned char)err.data[8])))
        abort(); /* messages name the cell and the line */
    if (out) {
        /* The input read as compiler messages about the cell just expanded
         * ("cell[3]:2:5: error: ..." and diag's source and caret lines). */
        struct buf msgs = {0};
        buf_adds(&msgs, code);
        magic_map_lines(&s, "cell[3]", &msgs);
        buf_free(&msgs);
    }
    free(out);
    buf_free(&err);
    magic_sources_free(&s);
    if (s.timeline)
        trace_free(s.timeline->last);
    free(s.timeline);
    free(s.openmp);
    jit_free(s.jit);
    free(code);
    return 0;
}
