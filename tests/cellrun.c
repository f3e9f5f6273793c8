/* cellrun.c — runs the cells of a file through the engine API and prints
 * what a user would see, for the golden cell tests (tests/cells/). Cells
 * are separated by lines holding only "//---". Each cell's output is
 * printed in event order: streams as they are, a value's text/plain and an
 * error's text each on their own line, displays as "[display MIME]". A
 * line "[status NAME]" follows a cell that did not end ok. Lines read by
 * the cells come from the file given with -i (each request takes one). */
#include "engine.h"
#include "util.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static FILE *input;

static void on_event(void *ctx, const struct engine_event *ev)
{
    struct engine *e = ctx;
    switch (ev->kind) {
    case ENGINE_EV_STDOUT:
    case ENGINE_EV_STDERR:
        fwrite(ev->data, 1, ev->len, stdout);
        break;
    case ENGINE_EV_RESULT:
        for (size_t i = 0; i < ev->nmime; i++)
            if (!strcmp(ev->mime[i].mime, "text/plain"))
                printf("%s\n", ev->mime[i].data);
        break;
    case ENGINE_EV_DISPLAY:
    case ENGINE_EV_UPDATE_DISPLAY:
        for (size_t i = 0; i < ev->nmime; i++)
            printf("[%s %s%s%s]\n", ev->kind == ENGINE_EV_DISPLAY ? "display" : "update", ev->mime[i].mime,
                   ev->display_id ? " id=" : "", ev->display_id ? ev->display_id : "");
        break;
    case ENGINE_EV_CLEAR_OUTPUT:
        printf("[clear_output wait=%d]\n", ev->wait);
        break;
    case ENGINE_EV_ERROR:
        printf("%s\n", ev->traceback && ev->traceback[0] ? ev->traceback : ev->evalue);
        break;
    case ENGINE_EV_INPUT_REQUEST: {
        char line[4096];
        fputs(ev->prompt ? ev->prompt : "", stdout); /* as the REPL shows it */
        if (input && fgets(line, sizeof line, input))
            engine_send_input(e, line, strlen(line));
        else
            engine_send_input(e, NULL, 0);
        break;
    }
    }
    fflush(stdout);
}

int main(int argc, char **argv)
{
    const char *path = NULL;
    for (int i = 1; i < argc; i++) {
        if (!strcmp(argv[i], "-i") && i + 1 < argc)
            input = fopen(argv[++i], "r");
        else
            path = argv[i];
    }
    if (!path) {
        fprintf(stderr, "usage: cellrun [-i INPUT] FILE\n");
        return 2;
    }
    FILE *f = fopen(path, "r");
    if (!f) {
        perror(path);
        return 2;
    }
    char err[512];
    struct engine *e = engine_start(NULL, err, sizeof err);
    if (!e) {
        fprintf(stderr, "cellrun: %s\n", err);
        return 1;
    }
    struct buf cell = {0};
    char line[65536];
    int n = 0, more = 1;
    while (more) {
        more = fgets(line, sizeof line, f) != NULL;
        if (more && strcmp(line, "//---\n") != 0) {
            buf_adds(&cell, line);
            continue;
        }
        n++;
        struct engine_exec ex = {.cell_no = n, .on_event = on_event, .ctx = e};
        enum engine_status st = engine_execute(e, cell.data ? cell.data : "", &ex);
        if (st != ENGINE_OK)
            printf("[status %s]\n", engine_status_name(st));
        buf_reset(&cell);
    }
    buf_free(&cell);
    fclose(f);
    engine_free(e);
    return 0;
}
