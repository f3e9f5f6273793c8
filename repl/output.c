/* output.c — see output.h. Everything goes through stdio and is flushed at
 * once, so stdout and stderr interleave in the order the cell wrote them. */
#include "output.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <termios.h>
#include <unistd.h>

#include "lines.h"
#include "util.h"

void output_init(struct output *o, struct engine *engine, struct lines *in, int tty,
                 const volatile sig_atomic_t *interrupted)
{
    memset(o, 0, sizeof *o);
    o->engine = engine;
    o->in = in;
    o->tty = tty;
    o->interrupted = interrupted;
    o->at_bol = 1;
}

static void put(struct output *o, FILE *f, const char *data, size_t len)
{
    if (!len)
        return;
    fwrite(data, 1, len, f);
    fflush(f);
    o->at_bol = data[len - 1] == '\n';
}

static void fresh_line(struct output *o, FILE *f)
{
    if (!o->at_bol)
        put(o, f, "\n", 1);
}

/* Shows text on a line of its own, ending it with a newline. */
static void put_block(struct output *o, FILE *f, const char *text, size_t len)
{
    fresh_line(o, f);
    put(o, f, text, len);
    fresh_line(o, f);
}

void output_finish_line(struct output *o)
{
    fresh_line(o, stdout);
}

void output_note(struct output *o, const char *fmt, ...)
{
    struct buf b = {0};
    va_list ap;
    va_start(ap, fmt);
    buf_adds(&b, "parc: ");
    buf_vprintf(&b, fmt, ap);
    va_end(ap);
    fflush(stdout);
    put_block(o, stderr, b.data, b.len);
    buf_free(&b);
}

static const struct engine_mime *find_mime(const struct engine_event *ev, const char *mime)
{
    for (size_t i = 0; i < ev->nmime; i++)
        if (strcmp(ev->mime[i].mime, mime) == 0)
            return &ev->mime[i];
    return NULL;
}

/* Where images go: parc's cache folder, else (none, or PARC_CACHE_DIR=off)
 * a new temporary folder. */
static const char *image_dir(struct output *o)
{
    if (o->imgdir)
        return o->imgdir;
    o->imgdir = cache_folder(NULL);
    if (!o->imgdir) {
        const char *tmp = getenv("TMPDIR");
        char *tmpl = xasprintf("%s/parc-XXXXXX", tmp && tmp[0] == '/' ? tmp : "/tmp");
        if (mkdtemp(tmpl))
            o->imgdir = tmpl;
        else
            free(tmpl);
    }
    return o->imgdir;
}

/* Writes an image to a new file and prints its path. */
static void save_image(struct output *o, const struct engine_mime *m, const char *ext)
{
    const char *dir = image_dir(o);
    if (!dir) {
        output_note(o, "cannot save %s output: no writable cache folder", m->mime);
        return;
    }
    char *path = xasprintf("%s/display-%ld-%u.%s", dir, (long)getpid(), ++o->nimages, ext);
    FILE *f = fopen(path, "wb");
    int ok = f && fwrite(m->data, 1, m->len, f) == m->len;
    if (f && fclose(f) != 0)
        ok = 0;
    if (ok) {
        char *line = xasprintf("[%s: %s]\n", m->mime, path);
        put_block(o, stdout, line, strlen(line));
        free(line);
    } else {
        output_note(o, "cannot write %s", path);
    }
    free(path);
}

/* A mime bundle: its text form, then a file for each image in it. */
static void show_bundle(struct output *o, const struct engine_event *ev)
{
    const struct engine_mime *text = find_mime(ev, "text/plain");
    if (!text)
        text = find_mime(ev, "text/markdown");
    if (text)
        put_block(o, stdout, text->data, text->len);
    const struct engine_mime *svg = find_mime(ev, "image/svg+xml");
    const struct engine_mime *png = find_mime(ev, "image/png");
    if (svg)
        save_image(o, svg, "svg");
    if (png)
        save_image(o, png, "png");
    if (!text && !svg && !png && ev->nmime)
        output_note(o, "%s output cannot be shown in a terminal", ev->mime[0].mime);
}

static void show_error(struct output *o, const struct engine_event *ev)
{
    fflush(stdout);
    o->saw_error = 1;
    if (o->tty && o->interrupted && *o->interrupted)
        o->at_bol = 0; /* the terminal echoed ^C after the last output */
    if (ev->traceback && ev->traceback[0]) {
        put_block(o, stderr, ev->traceback, strlen(ev->traceback));
    } else {
        char *line = xasprintf("%s: %s", ev->ename ? ev->ename : "Error", ev->evalue ? ev->evalue : "");
        put_block(o, stderr, line, strlen(line));
        free(line);
    }
}

/* Turns echo off on the terminal for a password; returns whether it did. */
static int echo_off(struct termios *saved)
{
    struct termios t;
    if (tcgetattr(STDIN_FILENO, saved) != 0)
        return 0;
    t = *saved;
    t.c_lflag &= ~(tcflag_t)ECHO;
    return tcsetattr(STDIN_FILENO, TCSAFLUSH, &t) == 0;
}

/* Prints the prompt, reads one line and answers the engine with it (end of
 * input, or Ctrl-C, answers end of file). */
static void answer_input(struct output *o, const struct engine_event *ev)
{
    const char *prompt = ev->prompt ? ev->prompt : "";
    fflush(stderr);
    put(o, stdout, prompt, strlen(prompt));
    struct termios saved;
    int hidden = ev->password && o->tty && echo_off(&saved);
    char *line = NULL;
    size_t len = 0;
    enum lines_result r = lines_get(o->in, &line, &len);
    if (hidden) {
        tcsetattr(STDIN_FILENO, TCSANOW, &saved);
        put(o, stdout, "\n", 1);
    }
    if (o->tty)
        o->at_bol = 1; /* the terminal echoed the newline */
    if (r == LINES_OK)
        engine_send_input(o->engine, line, len);
    else
        engine_send_input(o->engine, NULL, 0);
    free(line);
}

void output_event(void *ctx, const struct engine_event *ev)
{
    struct output *o = ctx;
    switch (ev->kind) {
    case ENGINE_EV_STDOUT:
        put(o, stdout, ev->data, ev->len);
        break;
    case ENGINE_EV_STDERR:
        put(o, stderr, ev->data, ev->len);
        break;
    case ENGINE_EV_RESULT:
    case ENGINE_EV_DISPLAY:
    case ENGINE_EV_UPDATE_DISPLAY:
        show_bundle(o, ev);
        break;
    case ENGINE_EV_CLEAR_OUTPUT:
        break; /* a terminal keeps what it showed */
    case ENGINE_EV_ERROR:
        show_error(o, ev);
        break;
    case ENGINE_EV_INPUT_REQUEST:
        answer_input(o, ev);
        break;
    }
}

void output_free(struct output *o)
{
    if (!o)
        return;
    free(o->imgdir);
    o->imgdir = NULL;
}
