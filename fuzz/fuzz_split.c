/* fuzz_split.c — libFuzzer harness for the cell splitter (jit/split.c):
 * any text, with a session that calls some names types and others
 * variables, must split without a memory error, and every item it returns
 * must be well formed. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "split.h"

/* Names starting with T are the session's types, with v its variables. */
static int is_type(void *ctx, const char *name)
{
    (void)ctx;
    return name[0] == 'T';
}

static int is_var(void *ctx, const char *name)
{
    (void)ctx;
    return name[0] == 'v';
}

static void check(const struct split *sp, size_t len)
{
    int last = 0;
    for (size_t i = 0; i < sp->nitems; i++) {
        const struct item *it = &sp->items[i];
        if (!it->text || strlen(it->text) > len || it->line < 1 || it->line < last)
            abort();
        last = it->line;
        for (size_t d = 0; d < it->ndecls; d++) /* a declarator may have no name */
            if (!it->decls[d].decl || (it->decls[d].name && !it->decls[d].name[0]))
                abort();
        for (size_t t = 0; t < it->ntype_names; t++)
            if (!it->type_names[t])
                abort();
        for (size_t t = 0; t < it->nfields; t++)
            if (!it->fields[t])
                abort();
    }
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    char *code = malloc(size + 1);
    memcpy(code, data, size);
    code[size] = 0;
    static const struct split_ctx ctx = {is_type, is_var, NULL};
    struct split sp;
    split_cell(code, size % 2 ? &ctx : NULL, &sp);
    check(&sp, strlen(code));
    split_free(&sp);
    char **ids = split_identifiers(code);
    for (size_t i = 0; ids[i]; i++)
        if (split_is_keyword(ids[i]))
            abort();
    split_strv_free(ids);
    free(code);
    return 0;
}
