/* histfile.c — see histfile.h. The file is rewritten after every entry, so
 * a REPL killed by its terminal still leaves its history behind. */
#include "histfile.h"

#include <stdlib.h>
#include <string.h>

#include "util.h"
#include "xdg.h"

enum { HISTFILE_SIZE = 1000 };

int histfile_open(struct histfile *hf)
{
    HistEvent ev;
    memset(hf, 0, sizeof *hf);
    hf->h = history_init();
    if (!hf->h)
        return -1;
    history(hf->h, &ev, H_SETSIZE, HISTFILE_SIZE);
    history(hf->h, &ev, H_SETUNIQUE, 1);
    char *dir = xdg_dir("XDG_STATE_HOME", ".local/state");
    if (dir) {
        hf->path = xasprintf("%s/history", dir);
        free(dir);
        history(hf->h, &ev, H_LOAD, hf->path); /* fails harmlessly on a first run */
    }
    return 0;
}

void histfile_add(struct histfile *hf, const char *line)
{
    HistEvent ev;
    if (!hf->h || !line[0])
        return;
    history(hf->h, &ev, H_ENTER, line);
    if (hf->path)
        history(hf->h, &ev, H_SAVE, hf->path);
}

void histfile_close(struct histfile *hf)
{
    if (hf->h)
        history_end(hf->h);
    free(hf->path);
    memset(hf, 0, sizeof *hf);
}
