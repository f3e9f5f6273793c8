/* kernelspec.c — see kernelspec.h. */
#include "kernelspec.h"

#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "logo.h"
#include "util.h"

static void usage(FILE *f)
{
    fprintf(f, "usage: parc install-kernel [--user | --sys-prefix | --prefix DIR] [--name NAME] [--kernel PATH]\n"
               "Installs the Jupyter kernelspec of parc (default: for this user; --sys-prefix: into the\n"
               "active virtual or conda environment, else python3's prefix). --name: the kernel's name (default\n"
               "parc); --kernel: the parc-kernel program (default: the one beside this program).\n");
}

static int write_file(const char *dir, const char *name, const void *data, size_t n)
{
    char *path = xasprintf("%s/%s", dir, name);
    FILE *f = fopen(path, "wb");
    int rc = f && fwrite(data, 1, n, f) == n ? 0 : -1;
    if (f && fclose(f) != 0)
        rc = -1;
    if (rc < 0)
        fprintf(stderr, "parc: cannot write %s: %s\n", path, strerror(errno));
    free(path);
    return rc;
}

static int is_exec(const char *path)
{
    return access(path, X_OK) == 0;
}

/* The directory of the running program, malloc'd, or NULL. */
static char *self_dir(void)
{
    char buf[PATH_MAX];
    ssize_t n = readlink("/proc/self/exe", buf, sizeof buf - 1);
    if (n <= 0)
        return NULL;
    buf[n] = 0;
    char *slash = strrchr(buf, '/');
    if (slash)
        *slash = 0;
    return xstrdup(buf);
}

/* The absolute path of parc-kernel: next to the running program when
 * installed, or in the build tree's kernel/ folder. malloc'd or NULL. */
static char *find_kernel(void)
{
    char *dir = self_dir();
    if (!dir)
        return NULL;
    const char *cand[] = {"%s/parc-kernel", "%s/../kernel/parc-kernel", "%s/kernel/parc-kernel"};
    for (size_t i = 0; i < sizeof cand / sizeof *cand; i++) {
        char *p = xasprintf(cand[i], dir);
        char real[PATH_MAX];
        if (is_exec(p) && realpath(p, real)) {
            free(p);
            free(dir);
            return xstrdup(real);
        }
        free(p);
    }
    free(dir);
    return NULL;
}

/* In a build tree the executor is not next to parc-kernel but one folder
 * up; the kernelspec then names it in PARC_ENGINE. malloc'd or NULL. */
static char *build_tree_engine(const char *kernel)
{
    char *dir = xstrdup(kernel);
    char *slash = strrchr(dir, '/');
    char *next = NULL, *up = NULL, real[PATH_MAX];
    if (slash)
        *slash = 0;
    next = xasprintf("%s/parc-engine", dir);
    up = xasprintf("%s/../parc-engine", dir);
    char *res = NULL;
    if (!is_exec(next) && is_exec(up) && realpath(up, real))
        res = xstrdup(real);
    free(next);
    free(up);
    free(dir);
    return res;
}

/* The prefix of the Python environment whose Jupyter is in use. */
static char *sys_prefix(void)
{
    const char *env = getenv("VIRTUAL_ENV");
    if (!env || !*env)
        env = getenv("CONDA_PREFIX");
    if (env && *env)
        return xstrdup(env);
    FILE *p = popen("python3 -c 'import sys; print(sys.prefix)' 2>/dev/null", "r");
    char line[PATH_MAX] = "";
    if (p) {
        if (!fgets(line, sizeof line, p))
            line[0] = 0;
        pclose(p);
    }
    line[strcspn(line, "\n")] = 0;
    return line[0] ? xstrdup(line) : NULL;
}

/* Jupyter's per-user data directory, as jupyter_core computes it. */
static char *user_data_dir(void)
{
    const char *env = getenv("JUPYTER_DATA_DIR");
    if (env && *env)
        return xstrdup(env);
    env = getenv("XDG_DATA_HOME");
    if (env && *env)
        return xasprintf("%s/jupyter", env);
    env = getenv("HOME");
    return env ? xasprintf("%s/.local/share/jupyter", env) : NULL;
}

static char *json_quote(const char *s)
{
    struct buf b = {0};
    buf_addc(&b, '"');
    for (; *s; s++) {
        unsigned char c = (unsigned char)*s;
        if (c == '"' || c == '\\')
            buf_printf(&b, "\\%c", c);
        else if (c < 0x20)
            buf_printf(&b, "\\u%04x", c);
        else
            buf_addc(&b, (char)c);
    }
    buf_addc(&b, '"');
    return buf_take(&b);
}

static int install(const char *dir, const char *kernel)
{
    if (mkdir_p(dir, 0755) < 0) {
        fprintf(stderr, "parc: cannot create %s: %s\n", dir, strerror(errno));
        return -1;
    }
    char *engine = build_tree_engine(kernel);
    char *qk = json_quote(kernel);
    struct buf j = {0};
    buf_printf(&j,
               "{\n"
               "  \"argv\": [%s, \"{connection_file}\"],\n"
               "  \"display_name\": \"C (parc)\",\n"
               "  \"language\": \"c\",\n"
               "  \"interrupt_mode\": \"message\",\n",
               qk);
    if (engine) {
        char *qe = json_quote(engine);
        buf_printf(&j, "  \"env\": {\"PARC_ENGINE\": %s},\n", qe);
        free(qe);
    }
    buf_adds(&j, "  \"metadata\": {\"debugger\": false}\n}\n");
    struct buf p32 = {0}, p64 = {0};
    klogo_png(32, &p32);
    klogo_png(64, &p64);
    int rc = write_file(dir, "kernel.json", j.data, j.len);
    rc |= write_file(dir, "logo-32x32.png", p32.data, p32.len);
    rc |= write_file(dir, "logo-64x64.png", p64.data, p64.len);
    rc |= write_file(dir, "logo-svg.svg", klogo_svg(), strlen(klogo_svg()));
    buf_free(&j);
    buf_free(&p32);
    buf_free(&p64);
    free(qk);
    free(engine);
    return rc ? -1 : 0;
}

int kernelspec_main(int argc, char **argv)
{
    enum { USER, SYS_PREFIX, PREFIX } where = USER;
    const char *prefix = NULL, *name = "parc", *kernel_opt = NULL;
    for (int i = 1; i < argc; i++) {
        const char *a = argv[i];
        if (strcmp(a, "--user") == 0) {
            where = USER;
        } else if (strcmp(a, "--sys-prefix") == 0) {
            where = SYS_PREFIX;
        } else if (strcmp(a, "--prefix") == 0 && i + 1 < argc) {
            where = PREFIX;
            prefix = argv[++i];
        } else if (strncmp(a, "--prefix=", 9) == 0) {
            where = PREFIX;
            prefix = a + 9;
        } else if (strcmp(a, "--name") == 0 && i + 1 < argc) {
            name = argv[++i];
        } else if (strcmp(a, "--kernel") == 0 && i + 1 < argc) {
            kernel_opt = argv[++i];
        } else if (strcmp(a, "--help") == 0 || strcmp(a, "-h") == 0) {
            usage(stdout);
            return 0;
        } else {
            usage(stderr);
            return 2;
        }
    }
    if (!*name || strchr(name, '/')) {
        fprintf(stderr, "parc: bad kernel name '%s'\n", name);
        return 2;
    }
    char *kernel = kernel_opt ? xstrdup(kernel_opt) : find_kernel();
    if (!kernel) {
        fprintf(stderr, "parc: cannot find parc-kernel next to this program; "
                        "build it first (ninja -C build)\n");
        return 1;
    }
    char *base = NULL;
    if (where == PREFIX)
        base = xasprintf("%s/share/jupyter", prefix);
    else if (where == SYS_PREFIX) {
        char *sp = sys_prefix();
        base = sp ? xasprintf("%s/share/jupyter", sp) : NULL;
        free(sp);
    } else
        base = user_data_dir();
    if (!base) {
        fprintf(stderr, "parc: cannot tell where to install (no HOME or Python prefix)\n");
        free(kernel);
        return 1;
    }
    char *dir = xasprintf("%s/kernels/%s", base, name);
    int rc = install(dir, kernel);
    if (rc == 0)
        printf("Installed the parc kernelspec in %s\n", dir);
    free(dir);
    free(base);
    free(kernel);
    return rc == 0 ? 0 : 1;
}
