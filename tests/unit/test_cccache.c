/* test_cccache.c — unit tests for the object cache (jit/cccache.c): keys
 * that ignore the cell's number and the session's copies of the cell's own
 * directives but not the code, options or compiler; objects and messages
 * kept and given back under the new cell's name; the cache turned off;
 * pruning of old files; and cache folders that are not the user's alone
 * (common/util.c's cache_folder) refused. Prints each failed check, then "N passed, M
 * failed"; exits 1 if any failed. */
#include "cccache.h"
#include "util.h"
#include "check.h"

#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/time.h>
#include <time.h>
#include <unistd.h>

static const char unit3[] = "#line 1 \"<prelude>\"\n#include <stdio.h>\n#line 1 \"<session>\"\nint old;\n"
                            "#line 1 \"cell[3]\"\n#define N 4\nint f(void) { return N; }\n";
/* The same cell run again as cell[4]: its #define is in the session now. */
static const char unit4[] = "#line 1 \"<prelude>\"\n#include <stdio.h>\n#line 1 \"<session>\"\nint old;\n#define N 4\n"
                            "#line 1 \"cell[4]\"\n#define N 4\nint f(void) { return N; }\n";
static const char other[] = "#line 1 \"<prelude>\"\n#include <stdio.h>\n#line 1 \"<session>\"\nint old;\n"
                            "#line 1 \"cell[3]\"\n#define N 5\nint f(void) { return N; }\n";

static void test_keys(void)
{
    char *a = cccache_key("clang -O2", "-Wall", unit3, "cell[3]");
    char *b = cccache_key("clang -O2", "-Wall", unit4, "cell[4]");
    char *c = cccache_key("clang -O2", "-Wall", other, "cell[3]");
    char *d = cccache_key("clang -O2", "-Wall -DX", unit3, "cell[3]");
    char *e = cccache_key("clang -O3", "-Wall", unit3, "cell[3]");
    CHECK(strlen(a) == 32, "key '%s'", a);
    CHECK(!strcmp(a, b), "a re-run under a new number has the same key: %s %s", a, b);
    CHECK(strcmp(a, c) != 0, "other code, other key");
    CHECK(strcmp(a, d) != 0, "other options, other key");
    CHECK(strcmp(a, e) != 0, "other command, other key");
    free(a), free(b), free(c), free(d), free(e);
}

static char *slurp(const char *path)
{
    return read_whole_file(path, NULL);
}

static void spit(const char *path, const char *text)
{
    FILE *f = fopen(path, "w");
    if (f) {
        fputs(text, f);
        fclose(f);
    }
}

/* root is $PARC_CACHE_DIR: the objects are kept in its folder cc. */
static void test_put_get(const char *root)
{
    char *obj = xasprintf("%s/in.o", root), *out = xasprintf("%s/out.o", root);
    spit(obj, "OBJECT BYTES");
    char *key = cccache_key("clang", "", unit3, "cell[3]");
    struct buf msgs = {0};
    CHECK(cccache_get(key, out, "cell[4]", &msgs) < 0, "nothing kept yet");
    cccache_put(key, obj, "cell[3]", "cell[3]:2:5: warning: unused variable 'x'\n");
    CHECK(cccache_get(key, out, "cell[4]", &msgs) == 0, "kept");
    char *kept = xasprintf("%s/cc/%s.o", root, key);
    CHECK(access(kept, F_OK) == 0, "the object is kept in $PARC_CACHE_DIR/cc");
    free(kept);
    char *got = slurp(out);
    CHECK(got && !strcmp(got, "OBJECT BYTES"), "object '%s'", got ? got : "(none)");
    CHECK(msgs.data && !strcmp(msgs.data, "cell[4]:2:5: warning: unused variable 'x'\n"), "messages '%s'",
          msgs.data ? msgs.data : "(none)");
    setenv("PARC_CACHE_DIR", "off", 1);
    buf_free(&msgs);
    CHECK(cccache_get(key, out, "cell[4]", &msgs) < 0, "the cache turned off");
    CHECK(cccache_path(key, "pch") == NULL, "no paths when off");
    setenv("PARC_CACHE_DIR", root, 1);
    free(got);
    free(key);
    buf_free(&msgs);
    free(obj);
    free(out);
}

/* A put whose key starts with "00" prunes: files older than 30 days go, a
 * precompiled prelude's header with its .pch. */
static void test_prune(const char *dir)
{
    char *old = xasprintf("%s/aaaa.o", dir), *pch = xasprintf("%s/bbbb.pch", dir), *h = xasprintf("%s/bbbb.h", dir);
    char *fresh = xasprintf("%s/cccc.o", dir), *obj = xasprintf("%s/in.o", dir);
    spit(old, "x"), spit(pch, "x"), spit(h, "x"), spit(fresh, "x"), spit(obj, "y");
    struct timeval then[2] = {{time(NULL) - 40 * 86400, 0}, {time(NULL) - 40 * 86400, 0}};
    utimes(old, then);
    utimes(pch, then);
    cccache_put("00112233445566778899aabbccddeeff", obj, "cell[1]", "");
    CHECK(access(old, F_OK) != 0, "an object unused for 40 days is gone");
    CHECK(access(pch, F_OK) != 0 && access(h, F_OK) != 0, "an old precompiled prelude and its header are gone");
    CHECK(access(fresh, F_OK) == 0, "a recent object stays");
    char *kept = xasprintf("%s/00112233445566778899aabbccddeeff.o", dir);
    CHECK(access(kept, F_OK) == 0, "the new object is kept");
    free(kept), free(old), free(pch), free(h), free(fresh), free(obj);
}

/* cache_folder(sub) with stderr caught: its result, and in *said what it
 * printed (malloc'd). */
static char *folder_said(const char *sub, char **said, const char *scratch)
{
    char *log = xasprintf("%s/stderr", scratch);
    fflush(stderr);
    int saved = dup(2), fd = open(log, O_WRONLY | O_CREAT | O_TRUNC, 0600);
    dup2(fd, 2);
    close(fd);
    char *dir = cache_folder(sub);
    fflush(stderr);
    dup2(saved, 2);
    close(saved);
    *said = read_whole_file(log, NULL);
    free(log);
    return dir;
}

static int mode_of(const char *path)
{
    struct stat st;
    return lstat(path, &st) == 0 ? (int)(st.st_mode & 07777) : -1;
}

/* Objects in the cache are loaded and run: a folder that another user
 * could have made or can write to is refused (nothing cached, one line on
 * stderr, once); links are refused in TMPDIR, whose name is predictable. */
static void test_private_folder(const char *scratch)
{
    char *said;
    unsetenv("PARC_CACHE_DIR");
    unsetenv("HOME");
    char *xdg = xasprintf("%s/xdg", scratch), *parc = xasprintf("%s/xdg/parc", scratch);
    setenv("XDG_CACHE_HOME", xdg, 1);
    char *dir = folder_said("cc", &said, scratch);
    CHECK(dir && !strcmp(dir + strlen(dir) - 11, "xdg/parc/cc"), "$XDG_CACHE_HOME/parc/cc: %s", dir);
    CHECK(mode_of(parc) == 0700, "made with mode 0700: %o", mode_of(parc));
    free(dir), free(said);

    chmod(parc, 0770);
    dir = folder_said("cc", &said, scratch);
    CHECK(!dir, "a group-writable cache folder is refused");
    CHECK(said && strstr(said, "caching nothing") && strstr(said, "writable by other users") &&
              !strchr(strchr(said, '\n') + 1, '\n'),
          "one line says why: '%s'", said ? said : "");
    free(dir), free(said);
    chmod(parc, 0707);
    dir = folder_said(NULL, &said, scratch);
    CHECK(!dir, "an others-writable one too");
    CHECK(said && !*said, "said once: '%s'", said ? said : "");
    free(dir), free(said);
    chmod(parc, 0700);
    dir = cache_folder(NULL);
    CHECK(dir != NULL, "the user's alone again: used");
    free(dir);

    /* A link the user made to a folder of theirs counts as the folder. */
    char *mine = xasprintf("%s/mine", scratch), *link = xasprintf("%s/xdg2", scratch);
    mkdir(mine, 0700);
    mkdir(link, 0700);
    char *linked = xasprintf("%s/parc", link);
    CHECK(symlink(mine, linked) == 0, "link made");
    setenv("XDG_CACHE_HOME", link, 1);
    dir = cache_folder(NULL);
    CHECK(dir != NULL, "a link to the user's own folder under $XDG_CACHE_HOME is used");
    free(dir);
    if (geteuid() == 0) {
        CHECK(chown(mine, 65534, 65534) == 0, "chown");
        dir = cache_folder(NULL);
        CHECK(!dir, "another user's cache folder is refused");
        free(dir);
    }

    /* The last resort: $TMPDIR/parc-cache-UID. */
    unsetenv("XDG_CACHE_HOME");
    char *tmp = xasprintf("%s/tmp", scratch), *last = xasprintf("%s/tmp/parc-cache-%d", scratch, (int)getuid());
    mkdir(tmp, 0777);
    setenv("TMPDIR", tmp, 1);
    dir = cache_folder("cc");
    CHECK(dir && !strncmp(dir, last, strlen(last)) && mode_of(last) == 0700, "%s made with mode 0700: %s %o",
          last, dir, mode_of(last));
    free(dir);
    chmod(last, 0770);
    dir = cache_folder("cc");
    CHECK(!dir, "a group-writable one found there is refused");
    free(dir);
    char *cc = xasprintf("%s/cc", last);
    rmdir(cc), rmdir(last);
    CHECK(symlink(mine, last) == 0, "link planted");
    chmod(mine, 0700);
    if (geteuid() == 0)
        CHECK(chown(mine, geteuid(), getegid()) == 0, "chown back");
    dir = cache_folder(NULL);
    CHECK(!dir, "a link by its name, even to the user's own folder, is refused");
    free(dir);
    unlink(last);
    CHECK(symlink("/nonexistent/parc", last) == 0, "dangling link planted");
    dir = cache_folder(NULL);
    CHECK(!dir && access("/nonexistent/parc", F_OK) != 0, "a dangling link is refused, nothing made");
    free(dir);
    unsetenv("TMPDIR");
    free(xdg), free(parc), free(mine), free(link), free(linked), free(tmp), free(last), free(cc);
}

int main(void)
{
    char dir[] = "/tmp/parc-test-cccache-XXXXXX";
    if (!mkdtemp(dir))
        return 1;
    /* The cache of compiled cells is the folder cc in parc's cache folder. */
    setenv("PARC_CACHE_DIR", dir, 1);
    char *cc = xasprintf("%s/cc", dir);
    test_keys();
    test_put_get(dir);
    test_prune(cc);
    free(cc);
    test_private_folder(dir);
    char *rm = xasprintf("rm -rf '%s'", dir);
    if (system(rm) != 0)
        printf("cannot remove %s\n", dir);
    free(rm);
    return check_report();
}
