/* main.c — the parc command: options, then the REPL, a file or a -c cell. */
#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "config.h"
#include "engine.h"
#ifdef PARC_HAVE_KERNELSPEC
#include "kernel/kernelspec.h"
#endif
#include "repl.h"
#include "util.h"

static const char usage[] =
    "usage: parc [-i] [FILE.c | -c CODE]\n"
    "       parc install-kernel [OPTIONS]\n"
    "       parc --help | --version\n"
    "\n"
    "A REPL for C: every cell is compiled at once, and what it declares\n"
    "(variables, functions, types, #includes) stays for the cells after it.\n"
    "A cell that crashes, calls exit() or is interrupted leaves the session as\n"
    "it was before the cell.\n"
    "\n"
    "  FILE.c          run the file as one cell, then exit\n"
    "  -c CODE         run CODE as one cell, then exit\n"
    "  -i              after FILE.c or -c, stay in the REPL\n"
    "  install-kernel  install the Jupyter kernel spec for parc-kernel\n"
    "                  (parc install-kernel --help tells more)\n"
    "  -h, --help      show this help\n"
    "  -V, --version   show the version\n"
    "\n"
    "Cells: after each line parc asks the compiler whether the cell is finished.\n"
    "An unfinished one (open brace or parenthesis, unfinished statement or\n"
    "comment, a line ending with an operator or a comma) goes on at the\n"
    "continuation prompt; a finished or wrong one runs (a string cut by the end\n"
    "of a line is wrong, as in C). An empty line runs what is pending. A last\n"
    "expression without ';' shows its value and type, e.g. (int) 42. ?NAME (or\n"
    "NAME?) describes a name: declaration, value and cell, or a C library\n"
    "prototype; ??NAME adds the source of its definition. Input from a pipe is\n"
    "split into cells the same way, without prompts.\n"
    "\n"
    "Magics: a line %NAME ARGS (or a first line %%NAME ARGS for the whole cell)\n"
    "chooses compilers, limits and timelines, or makes OpenMP, GPU and MPI cells;\n"
    "%lsmagic lists them, %NAME? explains one; !COMMAND runs a shell command.\n"
    "\n"
    "Keys: Tab completes names, keywords and magics; Up/Down walk the history\n"
    "(kept in $XDG_STATE_HOME/parc/history); Ctrl-C interrupts a running cell or\n"
    "throws away the input; Ctrl-D on an empty line exits. Images a cell\n"
    "displays are written to parc's cache folder and their paths printed.\n"
    "\n"
    "Limits: a cell may run 600 s, allocate 4 GB, have 256 processes and show\n"
    "10 MB of output; %limit shows and changes them, PARC_LIMITS sets them for\n"
    "new sessions (e.g. PARC_LIMITS=time=60,mem=2G,procs=64,output=1M).\n"
    "\n"
    "Cache: parc's cache folder, $PARC_CACHE_DIR (default $XDG_CACHE_HOME/parc or\n"
    "~/.cache/parc), keeps the objects of cells built by clang, gcc and nvcc;\n"
    "PARC_CACHE_DIR=off keeps none (and images go to a temporary folder).\n"
    "\n"
    "Exit status: 0; 1 when a cell run from a file, -c or a pipe failed (or the\n"
    "engine could not start); 2 for bad usage; 130 when Ctrl-C stopped piped input.\n";

struct options {
    const char *code; /* -c */
    const char *file; /* FILE.c */
    int interactive;  /* -i */
};

static int bad_usage(const char *fmt, const char *arg)
{
    fprintf(stderr, "parc: ");
    fprintf(stderr, fmt, arg);
    fprintf(stderr, "\nTry 'parc --help'.\n");
    return 2;
}

/* Parses argv into o. Returns -1 to go on, or the exit status when the
 * command is already done (help, version, a usage error). */
static int parse_options(int argc, char **argv, struct options *o)
{
    for (int i = 1; i < argc; i++) {
        const char *a = argv[i];
        if (!strcmp(a, "-h") || !strcmp(a, "--help")) {
            fputs(usage, stdout);
            return 0;
        } else if (!strcmp(a, "-V") || !strcmp(a, "--version")) {
            printf("parc %s\n", PARC_VERSION);
            return 0;
        } else if (!strcmp(a, "-i")) {
            o->interactive = 1;
        } else if (!strcmp(a, "-c")) {
            if (i + 1 >= argc)
                return bad_usage("%s needs an argument", a);
            if (o->code || o->file)
                return bad_usage("%s: only one of FILE.c and -c CODE", a);
            o->code = argv[++i];
        } else if (a[0] == '-' && a[1]) {
            return bad_usage("unknown option %s", a);
        } else {
            if (o->code || o->file)
                return bad_usage("%s: only one of FILE.c and -c CODE", a);
            o->file = a;
        }
    }
    return -1;
}

/* Reads a whole file into a malloc'd string; NULL with errno set. */
static char *read_file(const char *path)
{
    FILE *f = strcmp(path, "-") ? fopen(path, "rb") : stdin;
    if (!f)
        return NULL;
    struct buf b = {0};
    int err = buf_read_stream(&b, f);
    if (f != stdin)
        fclose(f);
    if (err) {
        buf_free(&b);
        errno = EIO;
        return NULL;
    }
    return buf_take(&b);
}

static int run_session(const struct options *o)
{
    char *code = NULL;
    if (o->file && !(code = read_file(o->file))) {
        fprintf(stderr, "parc: cannot read %s: %s\n", o->file, strerror(errno));
        return 1;
    }
    char err[512] = "";
    struct engine *e = engine_start(NULL, err, sizeof err);
    if (!e) {
        fprintf(stderr, "parc: cannot start the engine: %s\n", err[0] ? err : "unknown error");
        free(code);
        return 1;
    }
    struct repl r;
    repl_init(&r, e);
    int batch = o->file || o->code;
    if (batch)
        repl_run(&r, o->code ? o->code : code);
    free(code);
    int status = r.failed;
    if (!batch || o->interactive) {
        int tty = isatty(STDIN_FILENO);
        if (tty && !batch)
            printf("parc %s: C cells that keep their state. Tab completes, Ctrl-C interrupts, "
                   "Ctrl-D exits.\n", PARC_VERSION);
        repl_loop(&r);
        /* At a terminal the user saw every error; Ctrl-D is a normal end. */
        status = r.stopped ? 130 : tty ? 0 : r.failed;
    }
    repl_free(&r);
    engine_free(e);
    return status;
}

/* `parc install-kernel ...`: the kernelspec writer lives with the kernel. */
static int install_kernel(int argc, char **argv)
{
#ifdef PARC_HAVE_KERNELSPEC
    return kernelspec_main(argc, argv);
#else
    (void)argc;
    (void)argv;
    fprintf(stderr, "parc: install-kernel is not available: this parc was built without the "
                    "Jupyter kernel (kernel/)\n");
    return 1;
#endif
}

int main(int argc, char **argv)
{
    if (argc > 1 && !strcmp(argv[1], "install-kernel"))
        return install_kernel(argc - 1, argv + 1);
    struct options o = {0};
    int done = parse_options(argc, argv, &o);
    if (done >= 0)
        return done;
    /* A lost engine must show up as ENGINE_LOST, not kill the REPL. */
    signal(SIGPIPE, SIG_IGN);
    return run_session(&o);
}
