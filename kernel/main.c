/* main.c — parc-kernel: the Jupyter kernel process. Started by a front
 * end with a connection file; also installs its own kernelspec. */
#include <stdio.h>
#include <string.h>

#include "config.h"
#include "kernel.h"
#include "kernelspec.h"

static void usage(FILE *f)
{
    fprintf(f,
            "usage: parc-kernel [-f] CONNECTION_FILE\n"
            "       parc-kernel install-kernel [--user | --sys-prefix | --prefix DIR] [--name NAME] [--kernel PATH]\n"
            "       parc-kernel --help | --version\n"
            "The Jupyter kernel of parc " PARC_VERSION ". Front ends (JupyterLab, jupyter\n"
            "console, nbclient) start it with the connection file they wrote.\n"
            "Environment: PARC_LIMITS sets the cell limits of new sessions (e.g.\n"
            "time=60,mem=2G,procs=64,output=1M); PARC_KERNEL_HISTORY names the input\n"
            "history file (empty: history in memory only); PARC_KERNEL_MAX_FRAME is the\n"
            "largest message frame read from a client (default 256M, at least 64K;\n"
            "0: no limit); PARC_CACHE_DIR is parc's cache folder (default\n"
            "$XDG_CACHE_HOME/parc or ~/.cache/parc), which keeps the objects of cells\n"
            "built by clang, gcc and nvcc (off: none).\n");
}

int main(int argc, char **argv)
{
    if (argc >= 2 && strcmp(argv[1], "install-kernel") == 0)
        return kernelspec_main(argc - 1, argv + 1);
    if (argc >= 2 && (strcmp(argv[1], "--help") == 0 || strcmp(argv[1], "-h") == 0)) {
        usage(stdout);
        return 0;
    }
    if (argc >= 2 && strcmp(argv[1], "--version") == 0) {
        printf("parc-kernel %s\n", PARC_VERSION);
        return 0;
    }
    const char *path = NULL;
    if (argc == 2)
        path = argv[1];
    else if (argc == 3 && strcmp(argv[1], "-f") == 0)
        path = argv[2];
    if (!path) {
        usage(stderr);
        return 2;
    }
    struct kernel k;
    char err[1024];
    if (kernel_init(&k, path, err, sizeof err) < 0) {
        kernel_log("%s", err);
        kernel_fini(&k);
        return 1;
    }
    kernel_run(&k);
    kernel_fini(&k);
    return 0;
}
