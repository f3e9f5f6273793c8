/* cccache.h — objects made by clang and gcc for cells, kept on disk by a
 * hash of what made them (the compiler, its options and the translation
 * unit), so that running an unchanged cell again links the object it had
 * instead of compiling (tens of ms -> well under one). The cell's name
 * (cell[N]) is left out of the hash: a re-run under a new number hits, and
 * the compiler's messages, kept with the object, are given the new name. */
#ifndef PARC_CCCACHE_H
#define PARC_CCCACHE_H

struct buf;

/* The key of the object that `cmd opts` makes of unit, malloc'd: 32 hex
 * digits. name is the cell's name as #line directives spell it. */
char *cccache_key(const char *cmd, const char *opts, const char *unit, const char *name);

/* Copies the object kept under key to obj and appends its messages, named
 * after name, to msgs. 0, or -1 if there is none (or the cache is off:
 * PARC_CACHE_DIR=off). */
int cccache_get(const char *key, const char *obj, const char *name, struct buf *msgs);

/* The path of file KEY.EXT in the cache folder, malloc'd; NULL when the
 * cache is off. (Precompiled preludes are kept there: KEY.pch.) */
char *cccache_path(const char *key, const char *ext);

/* Marks the cached file at path as just used (NULL is fine): the folder
 * is pruned of what was not used for 30 days, and of the oldest files while
 * it holds more than 256 MB. */
void cccache_touch(const char *path);

/* Keeps a copy of obj and of msgs (the compiler's messages, which name the
 * cell name) under key. Failures are ignored: the cache is only a cache. */
void cccache_put(const char *key, const char *obj, const char *name, const char *msgs);

#endif
