/* test_cccache.c — unit tests for the object cache (jit/cccache.c): keys
 * that ignore the cell's number and the session's copies of the cell's own
 * directives but not the code, options or compiler; objects and messages
 * kept and given back under the new cell's name; the cache turned off; and
 * pruning of old files. Prints each failed check, then "N passed, M
 * failed"; exits 1 if any failed. */
#include "cccache.h"
#include "util.h"
#include "check.h"

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
    char *rm = xasprintf("rm -rf '%s'", dir);
    if (system(rm) != 0)
        printf("cannot remove %s\n", dir);
    free(rm);
    return check_report();
}
