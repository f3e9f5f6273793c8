/* lineedit.c — see lineedit.h. Uses libedit's own API (histedit.h), not its
 * readline emulation: completion then replaces exactly the byte range the
 * engine names, and Ctrl-C is an editing key instead of a signal. While a
 * line is edited the terminal's ISIG flag is off, so ^C reaches libedit as
 * a character and no SIGINT ever lands in the middle of libedit's state;
 * while a cell runs the terminal is back in its normal mode and ^C is a
 * signal again (see repl.c). */
#include "lineedit.h"

#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <termios.h>
#include <unistd.h>

#include <histedit.h>

#include "engine.h"
#include "histfile.h"
#include "util.h"

struct lineedit {
    EditLine *el;
    struct histfile hist;
    struct engine *engine;
    const char *prompt; /* the prompt of the current read */
    const char *before; /* the cell's earlier lines, for completion */
    int interrupted;    /* ^C was typed during the current read */
};

enum { LIST_MAX = 200, INDENT_WIDTH = 4 };

/* The terminal's mode before libedit changed it, for the handler below. */
static struct termios orig_tty;
static volatile sig_atomic_t orig_tty_saved;

/* SIGTERM or SIGHUP, maybe in the middle of editing: give the terminal its
 * mode back, then die of the signal as if there were no handler. */
static void on_fatal_signal(int sig)
{
    if (orig_tty_saved)
        tcsetattr(STDIN_FILENO, TCSANOW, &orig_tty);
    raise(sig); /* delivered with the default action once this returns */
}

static void guard_terminal(void)
{
    if (tcgetattr(STDIN_FILENO, &orig_tty) != 0)
        return;
    orig_tty_saved = 1;
    struct sigaction sa;
    memset(&sa, 0, sizeof sa);
    sa.sa_handler = on_fatal_signal;
    sa.sa_flags = SA_RESETHAND;
    sigemptyset(&sa.sa_mask);
    sigaction(SIGTERM, &sa, NULL);
    sigaction(SIGHUP, &sa, NULL);
}

static struct lineedit *owner(EditLine *el)
{
    void *p = NULL;
    el_get(el, EL_CLIENTDATA, &p);
    return p;
}

static char *prompt_fn(EditLine *el)
{
    return (char *)owner(el)->prompt;
}

/* ^C: mark the line as thrown away, show ^C at its end and finish it the
 * way Enter does (so libedit leaves the cursor on a fresh line). */
static unsigned char on_ctrl_c(EditLine *el, int ch)
{
    struct lineedit *le = owner(el);
    const LineInfo *li = el_line(el);
    le->interrupted = 1;
    el_cursor(el, (int)(li->lastchar - li->cursor));
    el_insertstr(el, "^C");
    el_push(el, "\n");
    return CC_REFRESH;
}

static int terminal_width(void)
{
    struct winsize ws;
    if (ioctl(STDOUT_FILENO, TIOCGWINSZ, &ws) == 0 && ws.ws_col > 0)
        return ws.ws_col;
    return 80;
}

/* Prints matches in columns below the line, sorted top to bottom. */
static void list_matches(char **m, size_t n)
{
    size_t shown = n > LIST_MAX ? LIST_MAX : n, width = 1;
    for (size_t i = 0; i < shown; i++)
        if (strlen(m[i]) + 2 > width)
            width = strlen(m[i]) + 2;
    size_t per_row = (size_t)terminal_width() / width;
    if (per_row == 0)
        per_row = 1;
    size_t rows = (shown + per_row - 1) / per_row;
    fputc('\n', stdout);
    for (size_t r = 0; r < rows; r++) {
        for (size_t c = 0; c < per_row; c++) {
            size_t i = c * rows + r;
            if (i >= shown)
                continue;
            int last = c + 1 == per_row || i + rows >= shown;
            if (last)
                fputs(m[i], stdout);
            else
                printf("%-*s", (int)width, m[i]);
        }
        fputc('\n', stdout);
    }
    if (shown < n)
        printf("... and %zu more\n", n - shown);
    fflush(stdout);
}

static size_t common_prefix(char **m, size_t n)
{
    size_t len = strlen(m[0]);
    for (size_t i = 1; i < n; i++) {
        size_t k = 0;
        while (k < len && m[i][k] == m[0][k])
            k++;
        len = k;
    }
    return len;
}

/* Replaces bytes [from, to) of the line (cursor at cur) with text. */
static void replace(EditLine *el, size_t cur, size_t from, size_t to, const char *text, size_t len)
{
    el_cursor(el, (int)to - (int)cur);
    el_deletestr(el, (int)(to - from));
    char *s = xstrndup(text, len);
    el_insertstr(el, s);
    free(s);
}

/* Tab: indents at the start of a line or after a blank, otherwise completes
 * the word before the cursor from the engine: one match is inserted, several
 * insert their common prefix or, when that adds nothing, are listed. */
static unsigned char on_tab(EditLine *el, int ch)
{
    struct lineedit *le = owner(el);
    const LineInfo *li = el_line(el);
    size_t cur = (size_t)(li->cursor - li->buffer);
    if (cur == 0 || li->buffer[cur - 1] == ' ' || li->buffer[cur - 1] == '\t') {
        el_insertstr(el, "    "); /* INDENT_WIDTH */
        return CC_REFRESH;
    }
    struct buf code = {0};
    buf_adds(&code, le->before);
    size_t base = code.len;
    buf_add(&code, li->buffer, (size_t)(li->lastchar - li->buffer));
    char **m = NULL;
    size_t start = 0, end = 0;
    int n = engine_complete(le->engine, code.data, base + cur, &m, &start, &end);
    buf_free(&code);
    unsigned char rc = CC_REFRESH_BEEP;
    if (n > 0 && start >= base && start <= end && end - base <= (size_t)(li->lastchar - li->buffer)) {
        size_t from = start - base, to = end - base;
        size_t lcp = n == 1 ? strlen(m[0]) : common_prefix(m, (size_t)n);
        /* Several matches replace the word only with a longer prefix they
         * share, never with less than was typed. */
        int adds = n == 1 || lcp > to - from ||
                   (lcp == to - from && strncmp(m[0], li->buffer + from, lcp) != 0);
        if (adds) {
            replace(el, cur, from, to, m[0], lcp);
            rc = CC_REFRESH;
        } else {
            list_matches(m, (size_t)n);
            rc = CC_REDISPLAY;
        }
    }
    engine_strv_free(m);
    return rc;
}

/* '}' typed on a line that is only indentation takes one level back out. */
static unsigned char on_close_brace(EditLine *el, int ch)
{
    const LineInfo *li = el_line(el);
    size_t cur = (size_t)(li->cursor - li->buffer), blanks = 0;
    while (blanks < cur && li->buffer[blanks] == ' ')
        blanks++;
    if (blanks == cur && cur > 0)
        el_deletestr(el, (int)(cur < INDENT_WIDTH ? cur : INDENT_WIDTH));
    el_insertstr(el, "}");
    return CC_REFRESH;
}

struct lineedit *lineedit_open(struct engine *engine)
{
    struct lineedit *le = xcalloc(1, sizeof *le);
    le->engine = engine;
    guard_terminal();
    le->el = el_init("parc", stdin, stdout, stderr);
    if (!le->el) {
        free(le);
        return NULL;
    }
    histfile_open(&le->hist);
    EditLine *el = le->el;
    el_set(el, EL_CLIENTDATA, le);
    el_set(el, EL_EDITOR, "emacs");
    el_set(el, EL_PROMPT, prompt_fn);
    if (le->hist.h)
        el_set(el, EL_HIST, history, le->hist.h);
    el_set(el, EL_SETTY, "-d", "-isig", NULL);
    /* The wide form: libedit keeps these names as given, while el_set's
     * narrow form copies them and never frees the copies. */
    el_wset(el, EL_ADDFN, L"parc-complete", L"complete the name before the cursor", on_tab);
    el_wset(el, EL_ADDFN, L"parc-interrupt", L"throw the current input away", on_ctrl_c);
    el_set(el, EL_BIND, "^I", "parc-complete", NULL);
    el_wset(el, EL_ADDFN, L"parc-close-brace", L"insert } one level out", on_close_brace);
    el_set(el, EL_BIND, "^C", "parc-interrupt", NULL);
    el_set(el, EL_BIND, "}", "parc-close-brace", NULL);
    el_source(el, NULL); /* the user's ~/.editrc, if any */
    return le;
}

enum lineedit_result lineedit_read(struct lineedit *le, const char *prompt, const char *before,
                                   const char *indent, char **line)
{
    le->prompt = prompt;
    le->before = before;
    le->interrupted = 0;
    el_resize(le->el); /* the terminal may have changed size while a cell ran */
    if (indent && indent[0])
        el_push(le->el, indent);
    int count = 0;
    const char *s = el_gets(le->el, &count);
    if (le->interrupted)
        return LINEEDIT_INTERRUPT;
    if (!s || count <= 0)
        return LINEEDIT_EOF;
    size_t len = (size_t)count;
    if (s[len - 1] == '\n')
        len--;
    *line = xstrndup(s, len);
    return LINEEDIT_LINE;
}

void lineedit_remember(struct lineedit *le, const char *line)
{
    if (line[strspn(line, " \t")] != '\0') /* blank lines only clutter Up */
        histfile_add(&le->hist, line);
}

void lineedit_close(struct lineedit *le)
{
    if (!le)
        return;
    el_end(le->el);
    histfile_close(&le->hist);
    free(le);
}
