/* input.c — stdin for cells: a stdio stream whose reads become input
 * requests to the front end (a prompt in the REPL, an input box in a
 * notebook). fd 0 itself is /dev/null, so raw read(0) sees end of file. */
#include "events.h"
#include "input.h"
#include "util.h"
#include "wire.h"

#include <stdio.h>
#include <stdio_ext.h>
#include <string.h>

static struct buf pending;
static size_t pending_at;
static int at_eof;

static ssize_t input_read(void *cookie, char *dst, size_t size)
{
    (void)cookie;
    if (pending_at >= pending.len && !at_eof) {
        buf_reset(&pending);
        pending_at = 0;
        fflush(stdout);
        fflush(stderr);
        const char *f[2] = {"", "0"};
        struct frame fr;
        if (rt_send_request(EV_INPUT_REQUEST, 2, f, NULL, &fr) < 0)
            at_eof = 1;
        else {
            if (fr.type == IN_TEXT && fr.nfield == 1 && fr.flen[0] > 0)
                buf_add(&pending, fr.field[0], fr.flen[0]);
            else
                at_eof = 1;
            frame_free(&fr);
        }
    }
    size_t n = pending.len - pending_at;
    if (n > size)
        n = size;
    if (n) /* at end of file nothing may have been read: no buffer at all */
        memcpy(dst, pending.data + pending_at, n);
    pending_at += n;
    return (ssize_t)n;
}

int rt_install_stdin(void)
{
    static FILE *installed;
    buf_reset(&pending);
    pending_at = 0;
    at_eof = 0;
    if (installed && stdin == installed) {
        /* Each cell starts with fresh input: drop what an earlier cell
         * read ahead or pushed back. */
        __fpurge(stdin);
        clearerr(stdin);
        return 0;
    }
    cookie_io_functions_t io = {.read = input_read};
    FILE *f = fopencookie(NULL, "r", io);
    if (!f)
        return -1;
    setvbuf(f, NULL, _IONBF, 0);
    stdin = installed = f;
    return 0;
}
