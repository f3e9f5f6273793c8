/* replay.c — %replay's history file (see replay.h). The executor does the
 * rest (engine/executor.c): exec, and running the cells again unseen. */
#include "replay.h"
#include "magic.h"
#include "session.h"
#include "util.h"

#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

int replay_magic(struct magic_call *c)
{
    if (magic_no_args(c) < 0)
        return -1;
    c->s->replay_pending = 1;
    return 0;
}

char *replay_save(const struct session *s)
{
    char tmpl[] = "/tmp/parc-replay-XXXXXX";
    int fd = mkstemp(tmpl);
    if (fd < 0)
        return NULL;
    struct buf b = {0};
    size_t n = s->nhistory ? s->nhistory - 1 : 0;
    for (size_t i = 0; i < n; i++)
        buf_printf(&b, "%d %zu\n%s", s->history_cells[i], strlen(s->history[i]), s->history[i]);
    int rc = write_all(fd, b.data ? b.data : "", b.len);
    close(fd);
    buf_free(&b);
    if (rc < 0) {
        unlink(tmpl);
        return NULL;
    }
    return xstrdup(tmpl);
}

int replay_load(const char *path, char ***codes, int **cells, size_t *n)
{
    *codes = NULL;
    *cells = NULL;
    *n = 0;
    FILE *f = fopen(path, "r");
    if (!f)
        return -1;
    unlink(path);
    int cell;
    size_t len;
    while (fscanf(f, "%d %zu", &cell, &len) == 2 && fgetc(f) == '\n') {
        char *code = xmalloc(len + 1);
        if (fread(code, 1, len, f) != len) {
            free(code);
            break;
        }
        code[len] = 0;
        *codes = xrealloc(*codes, (*n + 1) * sizeof **codes);
        *cells = xrealloc(*cells, (*n + 1) * sizeof **cells);
        (*codes)[*n] = code;
        (*cells)[(*n)++] = cell;
    }
    fclose(f);
    return 0;
}
