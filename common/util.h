/* util.h — allocation that never returns NULL, a growable byte buffer and
 * small string helpers shared by every part of parc. */
#ifndef PARC_UTIL_H
#define PARC_UTIL_H

#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>

/* Allocators that abort with a message on out-of-memory, so callers never
 * check for NULL. Memory is freed with free(). */
void *xmalloc(size_t n);
void *xcalloc(size_t n, size_t size);
void *xrealloc(void *p, size_t n);
char *xstrdup(const char *s);
char *xstrndup(const char *s, size_t n);
/* printf into a new malloc'd string, owned by the caller. */
char *xasprintf(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

/* A growable byte buffer, always NUL-terminated after len bytes.
 * Zero-initialise it ({0}) before use; free its data with buf_free. */
struct buf {
    char *data;
    size_t len, cap;
};
void buf_add(struct buf *b, const void *p, size_t n);
void buf_adds(struct buf *b, const char *s);
void buf_addc(struct buf *b, char c);
void buf_printf(struct buf *b, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
void buf_vprintf(struct buf *b, const char *fmt, va_list ap);
/* Gives up ownership: returns the data (never NULL) and empties b. */
char *buf_take(struct buf *b);
void buf_reset(struct buf *b);
void buf_free(struct buf *b);

/* Writes all n bytes to fd, retrying on EINTR and short writes. 0 or -1. */
int write_all(int fd, const void *p, size_t n);
/* Reads exactly n bytes. 0, or -1 on error or end of file. */
int read_all(int fd, void *p, size_t n);
/* Appends everything fd gives to b up to end of file (or an error other
 * than EINTR). */
void buf_read_fd(struct buf *b, int fd);
/* Appends everything the stream f gives to b, up to its end (a file, or
 * a command's output from popen). 0, or -1 on a read error (what came
 * before it is kept). */
int buf_read_stream(struct buf *b, FILE *f);
/* The contents of the regular file at path, malloc'd and NUL-terminated;
 * its size in *len unless len is NULL. NULL if it cannot be read. */
char *read_whole_file(const char *path, size_t *len);

/* Monotonic clock in nanoseconds. */
long long now_ns(void);

/* "512M", "2G", "64k", "100000" (a K, M or G suffix counts 2^10, 2^20,
 * 2^30; a B after it is allowed) -> bytes, fractions rounded down; -1 if
 * malformed, or above 0 but under one byte ("0.2"). */
long long parse_size(const char *s);

/* mkdir -p: creates path and the folders leading to it (mode for the new
 * ones). 0 when path is a folder afterwards, else -1. */
int mkdir_p(const char *path, unsigned mode);

/* parc's cache folder, or the folder sub in it (sub NULL: the folder
 * itself): $PARC_CACHE_DIR, else $XDG_CACHE_HOME/parc, else
 * ~/.cache/parc (XDG_CACHE_HOME and HOME when absolute), else
 * $TMPDIR/parc-cache-UID (/tmp without an absolute TMPDIR); created (mode
 * 0700) if needed. The folder must be the user's alone: owned by the
 * effective uid, not writable by group or others and, in TMPDIR, no
 * symbolic link; if not, one line on stderr (once per process) says so.
 * malloc'd; NULL when PARC_CACHE_DIR is "off" (no caching) or the folder
 * cannot be made or is not the user's alone. */
char *cache_folder(const char *sub);

#endif
