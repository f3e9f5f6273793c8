/* magic.c — finding and running magics (see magic.h). The magics
 * themselves live with what they do: settings in session.c, timing in
 * timing.c. */
#include "magic.h"
#include "textutil.h"
#include "diag.h"
#include "session.h"

#include <ctype.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

const struct magic *magic_find(const char *name, int cell)
{
    for (const struct magic *m = magic_table; m->name; m++)
        if (m->cell == cell && !strcmp(m->name, name))
            return m;
    return NULL;
}

/* Edit distance counting a swap of neighbours as one edit (optimal string
 * alignment), for "did you mean". */
static size_t distance(const char *a, const char *b)
{
    size_t la = strlen(a), lb = strlen(b);
    size_t w = lb + 1;
    size_t *d = xcalloc((la + 1) * w, sizeof *d);
    for (size_t i = 0; i <= la; i++)
        d[i * w] = i;
    for (size_t j = 0; j <= lb; j++)
        d[j] = j;
    for (size_t i = 1; i <= la; i++)
        for (size_t j = 1; j <= lb; j++) {
            size_t best = d[(i - 1) * w + j - 1] + (a[i - 1] != b[j - 1]);
            if (d[(i - 1) * w + j] + 1 < best)
                best = d[(i - 1) * w + j] + 1;
            if (d[i * w + j - 1] + 1 < best)
                best = d[i * w + j - 1] + 1;
            if (i > 1 && j > 1 && a[i - 1] == b[j - 2] && a[i - 2] == b[j - 1] && d[(i - 2) * w + j - 2] + 1 < best)
                best = d[(i - 2) * w + j - 2] + 1;
            d[i * w + j] = best;
        }
    size_t r = d[la * w + lb];
    free(d);
    return r;
}

static void unknown(struct buf *err, const char *cell, int line, const char *name, int is_cell)
{
    const char *pct = is_cell ? "%%" : "%";
    if (!text_word_char((unsigned char)name[!is_cell && name[0] == '%'])) {
        /* "%", "%?": no name to correct. */
        buf_printf(err, "%s:%d: error: '%s%s' names no magic: write %sNAME (%%lsmagic lists them all, %sNAME? "
                        "explains one)\n",
                   cell, line, pct, name, pct, pct);
        return;
    }
    buf_printf(err, "%s:%d: error: unknown %s magic %s%s", cell, line, is_cell ? "cell" : "line", pct, name);
    const struct magic *best = NULL;
    size_t bd = (size_t)-1;
    for (const struct magic *m = magic_table; m->name; m++) {
        size_t d = distance(name, m->name);
        /* A tie goes to the name first in alphabetical order, whatever
         * the table's order. */
        if (m->cell == is_cell && (d < bd || (d == bd && strcmp(m->name, best->name) < 0))) {
            bd = d;
            best = m;
        }
    }
    /* "%%threads" below the first line reads as the line magic "%threads". */
    const char *bare = name + (!is_cell && name[0] == '%');
    if (!is_cell && magic_find(bare, 1))
        buf_printf(err, " — %%%%%s is a cell magic: put it on the first line", bare);
    else if (best && bd <= 2 + strlen(name) / 4)
        buf_printf(err, " — did you mean %s%s?", pct, best->name);
    buf_adds(err, " (%lsmagic lists them all)\n");
}

/* "cell[3]:LINE: error: %name: " and the message, ending in a newline. */
static void report(struct magic_call *c, const char *fmt, va_list ap)
{
    buf_printf(c->err, "%s:%d: error: %s%s: ", c->cell, c->line, c->magic->cell ? "%%" : "%", c->magic->name);
    buf_vprintf(c->err, fmt, ap);
    buf_addc(c->err, '\n');
}

int magic_usage(struct magic_call *c, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    report(c, fmt, ap);
    va_end(ap);
    buf_printf(c->err, "usage: %s\n", c->magic->usage);
    return -1;
}

int magic_error(struct magic_call *c, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    report(c, fmt, ap);
    va_end(ap);
    return -1;
}

int magic_no_args(struct magic_call *c)
{
    return c->args[0] ? magic_usage(c, "unexpected argument '%s'", c->args) : 0;
}

/* Splits "name args" in place; returns the args (trimmed). */
static char *split_name(char *line, char **name)
{
    char *p = line;
    while (*p && !isspace((unsigned char)*p))
        p++;
    *name = line;
    if (*p)
        *p++ = 0;
    while (isspace((unsigned char)*p))
        p++;
    size_t n = strlen(p);
    while (n && isspace((unsigned char)p[n - 1]))
        p[--n] = 0;
    return p;
}

/* "timeit?" asks for help: strips the '?' and returns 1. */
static int strip_question(char *name)
{
    size_t n = strlen(name);
    if (n > 1 && name[n - 1] == '?') {
        name[n - 1] = 0;
        return 1;
    }
    return 0;
}

static int run_magic(const struct magic *m, struct magic_call *c, int help)
{
    c->magic = m;
    if (help || c->args[0] == '?' || !strcmp(c->args, "--help") || !strcmp(c->args, "-h")) {
        /* %name? or %name --help: the magic's usage instead of running it. */
        printf("%s\n%s\n", m->usage, m->help);
        return 0;
    }
    return m->run(c);
}

/* Runs the cell magic on the first line of code, which starts at
 * pct (its "%%") after blanks. Returns its C, or NULL with err set; *line
 * is set to the magic's line as written (malloc'd, its arguments from
 * (*line)[*args_at]). */
static char *cell_magic(struct session *s, const char *code, const char *pct, int cell_no, const char *cell,
                        struct buf *err, int *no_compile, char **line, int *args_at)
{
    const char *nl = strchr(pct, '\n');
    *line = xstrndup(code, nl ? (size_t)(nl - code) : strlen(code));
    char *first = xstrdup(*line + (pct - code) + 2);
    char *name;
    char *args = split_name(first, &name);
    *args_at = (int)(pct - code) + 2 + (int)(args - name);
    int help = strip_question(name);
    const struct magic *m = magic_find(name, 1);
    if (!m) {
        unknown(err, cell, 1, name, 1);
        free(first);
        return NULL;
    }
    struct buf out = {0};
    struct magic_call c = {.s = s, .cell = cell, .cell_no = cell_no, .line = 1, .text = *line, .args = args,
                           .body = nl ? nl + 1 : "", .code = &out, .err = err};
    int rc = run_magic(m, &c, help);
    if (help)
        c.no_compile = 1;
    free(first);
    if (rc < 0) {
        buf_free(&out);
        return NULL;
    }
    *no_compile = c.no_compile;
    return buf_take(&out);
}

void magic_sources_free(struct session *s)
{
    for (size_t i = 0; i < s->nsources; i++) {
        free(s->sources[i].file);
        free(s->sources[i].text);
    }
    free(s->sources);
    s->sources = NULL;
    s->nsources = 0;
}

int magic_kept_lines(const struct session *s)
{
    for (size_t i = 0; i < s->nsources; i++)
        if (!s->sources[i].text)
            return 1;
    return 0;
}

/* Records that line first of the expanded cell was made from a magic's
 * line text (taken), its arguments at args_at; at index i of s->sources,
 * which stays in line order. */
static void add_magic_line(struct session *s, size_t i, int first, char *text, int args_at)
{
    s->sources = xrealloc(s->sources, (s->nsources + 1) * sizeof *s->sources);
    memmove(s->sources + i + 1, s->sources + i, (s->nsources - i) * sizeof *s->sources);
    s->sources[i] = (struct magic_source){first, 1, NULL, text, args_at};
    s->nsources++;
}

/* Lines in the text b holds so far, plus one: the line being written. */
static int current_line(const struct buf *b)
{
    int n = 1;
    for (size_t i = 0; i < b->len; i++)
        n += b->data[i] == '\n';
    return n;
}

/* Appends what a line magic produced: on one line so that the cell's line
 * numbers stay (recorded with the magic's line, args_at in it), unless the
 * magic keeps its lines (then recorded with their file). */
static void add_replacement(struct session *s, struct buf *out, const struct magic_call *c, int args_at)
{
    const struct buf *r = c->code;
    if (!c->keep_lines) {
        add_magic_line(s, s->nsources, current_line(out), xstrdup(c->text), args_at);
        for (size_t i = 0; i < r->len; i++)
            buf_addc(out, r->data[i] == '\n' ? ' ' : r->data[i]);
        return;
    }
    size_t len = r->len;
    while (len && r->data[len - 1] == '\n')
        len--;
    int count = 1;
    for (size_t i = 0; i < len; i++)
        count += r->data[i] == '\n';
    s->sources = xrealloc(s->sources, (s->nsources + 1) * sizeof *s->sources);
    s->sources[s->nsources++] =
        (struct magic_source){current_line(out), count, c->source ? xstrdup(c->source) : NULL, NULL, 0};
    buf_add(out, r->data, len);
}

/* A shell line "!COMMAND" as a C statement: parc_shell("COMMAND"); */
static void add_shell(struct buf *out, const char *cmd, size_t n)
{
    buf_adds(out, "parc_shell(\"");
    for (size_t i = 0; i < n; i++) {
        if (cmd[i] == '"' || cmd[i] == '\\')
            buf_addc(out, '\\');
        buf_addc(out, cmd[i]);
    }
    buf_adds(out, "\");");
}

/* Whether a statement may start on the line after one ending in c (the
 * last non-blank character of a line of C; 0 for a line that was a magic,
 * a shell command or a directive). */
static int ends_statement(char c)
{
    return c == 0 || c == ';' || c == '{' || c == '}';
}

/* Whether the line at q (starting with '%') reads as a magic wherever it
 * stands: '%' then a name, '?' or '%' (jit/split.c's magic_at). "% b;" or
 * "%2;" after a line that does not end a statement is C's remainder
 * operator going on. */
static int looks_like_magic(const char *q)
{
    return isalpha((unsigned char)q[1]) || q[1] == '_' || q[1] == '?' || q[1] == '%';
}

char *magic_expand(struct session *s, const char *code, int cell_no, struct buf *err, int *no_compile)
{
    char *cell = cell_no > 0 ? xasprintf("cell[%d]", cell_no) : xstrdup("cell");
    *no_compile = 0;
    magic_sources_free(s);
    const char *p = code;
    while (*p == ' ' || *p == '\t')
        p++;
    if (p[0] == '%' && p[1] == '%') {
        char *line;
        int args_at;
        char *r = cell_magic(s, code, p, cell_no, cell, err, no_compile, &line, &args_at);
        if (r && !*no_compile) {
            /* The cell magic's C may hold line magics of its own. */
            char *again = magic_expand(s, r, cell_no, err, no_compile);
            free(r);
            r = again;
        }
        if (r && !*no_compile && !(s->nsources && s->sources[0].first == 1))
            add_magic_line(s, 0, 1, line, args_at);
        else
            free(line);
        free(cell);
        return r;
    }
    struct buf out = {0};
    int in_comment = 0, line = 1, ok = 1;
    char last = 0; /* last character of the previous line of C (see ends_statement) */
    for (p = code; *p && ok; line++) {
        const char *eol = strchr(p, '\n');
        const char *end = eol ? eol : p + strlen(p);
        const char *q = p;
        while (q < end && (*q == ' ' || *q == '\t'))
            q++;
        const char *e = end;
        while (e > q && isspace((unsigned char)e[-1]))
            e--;
        int was_comment = in_comment;
        if (!in_comment && q < end && *q == '!' && ends_statement(last)) {
            add_shell(&out, q + 1, (size_t)(e - q - 1));
            last = 0;
        } else if (!in_comment && q < end && *q == '%' && (ends_statement(last) || looks_like_magic(q))) {
            char *text = xstrndup(q + 1, (size_t)(end - q - 1));
            char *name;
            char *args = split_name(text, &name);
            int help = strip_question(name);
            const struct magic *m = magic_find(name, 0);
            if (!m && help)
                m = magic_find(name, 1); /* %timeit? explains %%timeit too */
            if (!m) {
                unknown(err, cell, line, name, 0);
                ok = 0;
            } else {
                struct buf repl = {0};
                char *whole = xstrndup(p, (size_t)(end - p));
                struct magic_call c = {.s = s, .cell = cell, .cell_no = cell_no, .line = line, .text = whole,
                                       .args = args, .code = &repl, .err = err};
                if (run_magic(m, &c, help) < 0)
                    ok = 0;
                else
                    add_replacement(s, &out, &c, (int)(q + 1 - p) + (int)(args - text));
                free(whole);
                buf_free(&repl);
            }
            free(text);
            last = 0;
        } else {
            buf_add(&out, p, (size_t)(end - p));
            /* Comment-only lines leave the statement state as it was. */
            if (e > q && !was_comment && strncmp(q, "//", 2) != 0)
                last = *q == '#' ? 0 : e[-1];
        }
        /* A % inside a block comment is not a magic. */
        for (const char *c = p; c < end; c++) {
            if (!in_comment && c[0] == '/' && c[1] == '*')
                in_comment = 1, c++;
            else if (in_comment && c[0] == '*' && c[1] == '/')
                in_comment = 0, c++;
        }
        if (eol)
            buf_addc(&out, '\n');
        p = eol ? eol + 1 : end;
    }
    free(cell);
    if (!ok) {
        buf_free(&out);
        return NULL;
    }
    return buf_take(&out);
}

/* Where line n of the expanded cell came from: *file (NULL for the cell)
 * and the line there. */
static int source_line(const struct session *s, int n, const char **file)
{
    int extra = 0;
    *file = NULL;
    for (size_t i = 0; i < s->nsources; i++) {
        const struct magic_source *m = &s->sources[i];
        if (n < m->first)
            break;
        if (n < m->first + m->count) {
            if (m->file) {
                *file = m->file;
                return n - m->first + 1;
            }
            return n - extra; /* counted as the cell's, from the magic's line on */
        }
        if (m->file)
            extra += m->count - 1;
    }
    return n - extra;
}

/* One line of a message rewritten onto out (see magic_map_lines). */
static void map_line(const struct session *s, const char *cell, const char *l, size_t n, struct buf *out)
{
    size_t cl = strlen(cell);
    const char *file;
    char *end;
    if (n > cl + 1 && !strncmp(l, cell, cl) && l[cl] == ':' && isdigit((unsigned char)l[cl + 1])) {
        long line = strtol(l + cl + 1, &end, 10);
        int at = source_line(s, (int)line, &file);
        buf_printf(out, "%s:%d", file ? file : cell, at);
        buf_add(out, end, n - (size_t)(end - l));
        return;
    }
    const char *d = l + strspn(l, " ");
    if (d < l + n && isdigit((unsigned char)*d)) {
        long line = strtol(d, &end, 10);
        if (!strncmp(end, " | ", 3)) {
            buf_printf(out, "%5d", source_line(s, (int)line, &file));
            buf_add(out, end, n - (size_t)(end - l));
            return;
        }
    }
    buf_add(out, l, n);
}

/* The magic whose line became line n of the expanded cell, or NULL. */
static const struct magic_source *magic_line(const struct session *s, int n)
{
    for (size_t i = 0; i < s->nsources; i++)
        if (s->sources[i].text && s->sources[i].first == n)
            return &s->sources[i];
    return NULL;
}

/* The column in m's line of what a message (msg: its text after the
 * place) is about, placed by the compiler at column col (0: none) of gen
 * (n characters), the C made from the line; 0 when not known. The part of
 * the arguments that gen holds as written (a statement, an expression,
 * without the options before it) is where the message's quoted word is
 * looked for first, then all the arguments; else a column inside that
 * part as it stands in gen moves with it. */
static int user_column(const struct magic_source *m, const char *msg, const char *gen, size_t n, int col)
{
    const char *args = m->text + m->args_at, *kept = NULL, *hit = NULL;
    for (const char *k = args; *k && gen && !hit; k++)
        if (k == args || k[-1] == ' ' || k[-1] == '\t')
            if ((hit = memmem(gen, n, k, strlen(k))))
                kept = k;
    int at = kept ? diag_column(kept, msg) : 0;
    if (at)
        return (int)(kept - m->text) + at;
    if ((at = diag_column(args, msg)))
        return m->args_at + at;
    size_t kn = kept ? strlen(kept) : 0;
    if (hit && col > hit - gen && (size_t)(col - (hit - gen)) <= kn + 1)
        return (int)(kept - m->text) + col - (int)(hit - gen);
    return 0;
}

/* Whether l (n characters) starts a message about a line of the cell:
 * "cell:LINE[:COL]: rest". */
static int message_head(const char *cell, const char *l, size_t n, int *line, int *col, const char **rest)
{
    size_t cl = strlen(cell);
    if (n <= cl + 1 || strncmp(l, cell, cl) || l[cl] != ':' || !isdigit((unsigned char)l[cl + 1]))
        return 0;
    char *end;
    *line = (int)strtol(l + cl + 1, &end, 10);
    *col = 0;
    if (*end == ':' && isdigit((unsigned char)end[1])) {
        char *e2;
        long c = strtol(end + 1, &e2, 10);
        if (*e2 == ':')
            *col = (int)c, end = e2;
    }
    if (*end != ':')
        return 0;
    *rest = end + 1 + (end[1] == ' ');
    return 1;
}

/* Length of the line at p, without its newline. */
static size_t line_len(const char *p)
{
    const char *e = strchr(p, '\n');
    return e ? (size_t)(e - p) : strlen(p);
}

/* Whether the line at p (n characters) is diag's source line for line
 * number line ("%5d | TEXT"); *gen is set to TEXT. */
static int source_of(const char *p, size_t n, int line, const char **gen)
{
    char *end;
    const char *d = p + strspn(p, " ");
    if (d >= p + n || !isdigit((unsigned char)*d) || strtol(d, &end, 10) != line || strncmp(end, " | ", 3))
        return 0;
    *gen = end + 3;
    return 1;
}

/* Whether the line at p (n characters) is a caret line ("      |   ^"). */
static int caret_of(const char *p, size_t n)
{
    return n > 8 && !strncmp(p, "      | ", 8) && strspn(p + 8, " \t") == n - 9 && p[n - 1] == '^';
}

/* A message about the line of magic m (head: "cell:LINE[:COL]: rest",
 * head_len characters, then the source line and caret diag_format shows
 * for the C made from it) onto out as about the magic's line as written.
 * Returns where the text after what it consumed starts. */
static const char *map_magic_message(const struct session *s, const struct magic_source *m, const char *cell,
                                     const char *head, size_t head_len, struct buf *out)
{
    int line, col;
    const char *rest, *gen = NULL, *file;
    message_head(cell, head, head_len, &line, &col, &rest);
    const char *p = head + head_len + (head[head_len] == '\n');
    size_t n = line_len(p), gen_len = 0;
    if (*p && source_of(p, n, line, &gen)) {
        gen_len = n - (size_t)(gen - p);
        p += n + (p[n] == '\n');
        n = line_len(p);
        if (*p && caret_of(p, n))
            p += n + (p[n] == '\n');
    }
    int at = source_line(s, line, &file);
    /* The message alone: the words it quotes are on its own line, not on
     * the source line or the messages after it. */
    char *msg = xstrndup(rest, head_len - (size_t)(rest - head));
    int ucol = user_column(m, msg, gen, gen_len, col);
    free(msg);
    buf_printf(out, "%s:%d", cell, at);
    if (ucol)
        buf_printf(out, ":%d", ucol);
    buf_adds(out, ": ");
    buf_add(out, rest, head_len - (size_t)(rest - head));
    buf_printf(out, "\n%5d | %s\n", at, m->text);
    if (ucol > 0 && (size_t)ucol <= strlen(m->text) + 1) {
        buf_adds(out, "      | ");
        for (int i = 1; i < ucol; i++)
            buf_addc(out, m->text[i - 1] == '\t' ? '\t' : ' ');
        buf_adds(out, "^\n");
    }
    return p;
}

void magic_map_lines(const struct session *s, const char *cell, struct buf *text)
{
    if (!s->nsources || !text->len)
        return;
    struct buf out = {0};
    for (const char *p = text->data; *p;) {
        size_t n = line_len(p);
        int line, col;
        const char *rest;
        const struct magic_source *m = NULL;
        if (message_head(cell, p, n, &line, &col, &rest) && (m = magic_line(s, line))) {
            p = map_magic_message(s, m, cell, p, n, &out);
            continue;
        }
        map_line(s, cell, p, n, &out);
        if (p[n])
            buf_addc(&out, '\n');
        p += n + (p[n] != 0);
    }
    buf_free(text);
    *text = out;
}

/* Headings of the topics, in enum magic_topic's order. */
static const char *const topic_names[MAGIC_NTOPICS] = {
    [MAGIC_COMPILING] = "Compilers and libraries",
    [MAGIC_FILES] = "Files, directory, environment",
    [MAGIC_PARALLEL] = "Threads, processes, OpenMP",
    [MAGIC_TIMING] = "Timing, timelines, scaling",
    [MAGIC_GPU] = "GPUs: OpenCL, CUDA",
    [MAGIC_MPI] = "MPI",
    [MAGIC_SESSION] = "The session",
    [MAGIC_HELP] = "Help",
};

/* The line (cell 0) or cell magics, by topic, each in table order. */
static void list_kind(struct buf *out, int cell)
{
    for (int t = 0; t < MAGIC_NTOPICS; t++) {
        int heading = 0;
        for (const struct magic *m = magic_table; m->name; m++) {
            if (m->cell != cell || (int)m->topic != t)
                continue;
            if (!heading++)
                buf_printf(out, "  %s:\n", topic_names[t]);
            buf_printf(out, "    %s\n", m->usage);
        }
    }
}

void magic_list(struct buf *out)
{
    buf_adds(out, "Line magics (a line starting with %, anywhere in a cell):\n");
    list_kind(out, 0);
    buf_adds(out, "Cell magics (%% on the first line of a cell):\n");
    list_kind(out, 1);
    buf_adds(out, "Also: !COMMAND runs a shell command; ?NAME (??NAME with its source) describes a name.\n"
                  "%NAME? (or %NAME --help) shows what a magic does.\n");
}
