/* xdg.c — see xdg.h. */
#include "xdg.h"

#include <errno.h>
#include <pwd.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "util.h"

static const char *home_dir(void)
{
    const char *home = getenv("HOME");
    if (home && home[0] == '/')
        return home;
    struct passwd *pw = getpwuid(getuid());
    return pw ? pw->pw_dir : NULL;
}

char *xdg_dir(const char *envvar, const char *fallback)
{
    const char *base = getenv(envvar);
    char *dir;
    if (base && base[0] == '/') {
        dir = xasprintf("%s/parc", base);
    } else {
        const char *home = home_dir();
        if (!home)
            return NULL;
        dir = xasprintf("%s/%s/parc", home, fallback);
    }
    if (mkdir_p(dir, 0700) != 0) {
        free(dir);
        return NULL;
    }
    return dir;
}
