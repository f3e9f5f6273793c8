/* parc.h — what every parc cell can use without an #include: pools of
 * threads and processes, futures, shared memory, locks, atomics that work
 * in TinyCC cells, trace spans, rich display, and the helpers parc uses to
 * show a cell's value. */
#ifndef PARC_H
#define PARC_H

#include <stddef.h>

#ifdef __cplusplus
extern "C" {
#endif

/* ---- Rich display ---------------------------------------------------
 * Each call sends a mime bundle to the front end while the cell runs: a
 * notebook shows it under the cell, the terminal prints text and writes
 * images to files. */

/* Shows len bytes of data of type mime ("image/svg+xml", "text/html",
 * "text/markdown", "image/png", "application/json", "text/plain"). */
void parc_display(const char *mime, const void *data, size_t len);
void parc_display_svg(const char *svg);
void parc_display_html(const char *html);
void parc_display_markdown(const char *md);
void parc_display_png(const void *png, size_t len);
/* Shows data and names the output id, so that parc_update_display(id, ...)
 * can replace it in place later. */
void parc_display_id(const char *id, const char *mime, const void *data, size_t len);
void parc_update_display(const char *id, const char *mime, const void *data, size_t len);
/* Clears the cell's output; with wait, only when new output arrives. */
void parc_clear_output(int wait);

/* ---- Pools of threads and of processes --------------------------------
 * One API for both. A pool keeps its workers only while a cell runs: they
 * start when the pool is made (or first used in a later cell) and stop at
 * the end of the cell, after every task has finished. So a pool made in
 * one cell can be used in the next (its workers start again, and process
 * workers then see the newest functions and data); a pool that is never
 * freed costs no threads or processes between cells. Every misuse prints
 * "parc: ..." to stderr and returns an error value; nothing waits forever.
 *
 * Process workers are forked from the cell: they see the cell's memory as
 * it was when they started (a copy, never shared) and call functions
 * defined in any cell. Results of parc_map come back through shared
 * memory; the void * argument and result of a submitted task travel as
 * pointer values, so in a process pool they must be numbers cast to
 * pointers or point into parc_shared_alloc memory. Memory given out by
 * parc_shared_alloc (and locks) after the workers started makes them
 * restart, between tasks, so that they see it. */

typedef struct parc_pool parc_pool;     /* a handle: never dereferenced */
typedef struct parc_future parc_future; /* a handle: never dereferenced */

/* Schedules of parc_map. count items, n workers, chunk c:
 * PARC_STATIC: items are cut into chunks of c consecutive items (c = 0:
 *   ceil(count / n), one block per worker); chunk k, items [k*c, k*c+c),
 *   runs on worker k % n. Item i thus runs on worker (i / c) % n.
 * PARC_DYNAMIC: a free worker takes the next c items (c = 0: 1).
 * PARC_GUIDED: a free worker takes max(c, ceil(remaining / n)) items
 *   (c = 0: 1): big chunks first, smaller ones at the end.
 * Within a chunk items run in increasing order. */
enum { PARC_STATIC = 0, PARC_DYNAMIC = 1, PARC_GUIDED = 2 };

/* Makes a pool of n worker threads, at most 256; n <= 0 means
 * parc_default_workers(): the number of cores, or under %%scaling the count
 * being measured. Returns NULL after a message if they cannot start. */
parc_pool *parc_threads(int n);
/* Makes a pool of n worker processes forked from the cell (n <= 0: as for
 * parc_threads), at most 256. NULL after a message (fork failed...). */
parc_pool *parc_procs(int n);
/* Waits for the pool's tasks, stops its workers and frees it with its
 * futures; a later use of the pool or its futures is an error. NULL is
 * allowed. */
void parc_pool_free(parc_pool *pool);
/* The number of workers of pool, or -1. */
int parc_pool_size(parc_pool *pool);

/* Calls fn(in + i*in_size, out + i*out_size) for every i < count on the
 * pool's workers, by schedule (see above) and chunk, and returns when all
 * are done: 0, or -1 (zero tasks, NULL fn, bad schedule, a process worker
 * died). With in_size 0 every call gets in itself (NULL allowed); the
 * same for out. In a process pool in and out are copied through shared
 * memory. Each chunk is one task in the trace (its args: the item range). */
int parc_map(parc_pool *pool, void (*fn)(void *in, void *out), const void *in, void *out, size_t count,
             size_t in_size, size_t out_size, int schedule, size_t chunk);

/* Runs fn(arg) on a worker; returns its future, or NULL after a message.
 * The future belongs to the pool and lives until parc_pool_free. Tasks
 * reach the workers whenever the cell calls the pool (any function here),
 * at most 65,536 at a time. Futures are numbered from 0 per pool in
 * submission order (the trace shows the number and when it was queued). */
parc_future *parc_submit(parc_pool *pool, void *(*fn)(void *), void *arg);
/* Like parc_submit, but fn starts only after every future in deps[0..ndeps)
 * (futures of the same pool) has finished. If one of them failed, this one
 * fails without running. */
parc_future *parc_submit_after(parc_pool *pool, void *(*fn)(void *), void *arg, parc_future **deps,
                               size_t ndeps);
/* Waits until the task has finished and returns what fn returned; NULL
 * (with a message) if it failed or f is not a live future. */
void *parc_get(parc_future *f);
/* 1 if the task has finished (or failed), 0 if not yet, -1 if f is not a
 * live future. Never waits. */
int parc_done(parc_future *f);
/* Waits until every task submitted to pool has finished: 0, or -1 if one
 * failed or pool is not a live pool. */
int parc_wait_all(parc_pool *pool);
/* Each future submitted to pool once, in the order the tasks finished,
 * waiting for the next one if needed; NULL when every one was returned
 * (Python's as_completed). */
parc_future *parc_next_completed(parc_pool *pool);

/* Inside a task or an SPMD worker (%%threads, %%procs): this worker's id,
 * 0 .. count-1, and the number of workers. Elsewhere 0 and 1. */
int parc_worker_id(void);
int parc_worker_count(void);
/* Monotonic clock in nanoseconds. */
long parc_now(void);
/* Cores this process may run on. */
int parc_cpu_count(void);

/* ---- Shared memory and locks -------------------------------------------
 * Visible to the cell, its threads and every process it forks afterwards
 * (process pool workers included), and kept for later cells. Shared memory
 * is not rolled back when a cell fails. */

/* size zeroed bytes of shared memory, 64-byte aligned; NULL after a
 * message. Free with parc_shared_free (or keep it for the session). */
void *parc_shared_alloc(size_t size);
void parc_shared_free(void *p);

/* A mutex that works across threads and processes (it lives in shared
 * memory). Waiting for it and holding it show in the trace. If a holder
 * dies, the next acquire takes it over with a message. */
typedef struct parc_lock parc_lock;
parc_lock *parc_lock_new(void);
void parc_lock_acquire(parc_lock *l);
void parc_lock_release(parc_lock *l);
void parc_lock_free(parc_lock *l);

/* ---- Spans and markers in the trace ----------------------------------- */

/* Opens a span named name on the calling thread's lane; spans nest. */
void parc_span_begin(const char *name);
/* Closes the innermost open span of the calling thread. */
void parc_span_end(void);
/* PARC_SPAN("name") { ... } — the block as a span. Leave it by its end,
 * not by break, goto or return (the span would stay open). */
#define PARC_SPAN(name) \
    for (int __parc_span_once = (parc_span_begin(name), 1); __parc_span_once; \
         __parc_span_once = (parc_span_end(), 0))
/* An instant marker named name. */
void parc_mark(const char *name);

/* Used by %%threads and %%procs: runs body on n workers (threads, or
 * processes when procs is set) and waits for them; their stdio output is
 * labelled "[id] ". 0, or -1 after a message. */
int parc__spmd(int procs, int n, void (*body)(void));

/* ---- Atomics ---------------------------------------------------------
 * Sequentially consistent operations on a long, callable from every
 * compiler parc uses (TinyCC has no atomics of its own). */

/* Adds v to *p; returns the value *p had before. */
long parc_atomic_add(long *p, long v);
/* If *p equals expected, stores desired and returns 1; else returns 0. */
int parc_atomic_cas(long *p, long expected, long desired);
long parc_atomic_load(const long *p);
void parc_atomic_store(long *p, long v);

/* ---- Timing ---------------------------------------------------------- */

/* What %timeit -o NAME keeps: times in seconds, as IPython's TimeitResult. */
typedef struct {
    long loops;        /* loops per run */
    int repeat;        /* runs */
    double best;       /* fastest run, per loop */
    double worst;      /* slowest run, per loop */
    double average;    /* mean over runs, per loop */
    double stdev;      /* population standard deviation, per loop */
    double compile_time; /* compiling the cell */
    double *all_runs;  /* repeat totals, each for `loops` loops */
} parc_timeit_result;

/* Monotonic clock in nanoseconds. */
long long parc__clock_ns(void);
/* Used by %timeit: fn(n) runs the statement n times and returns the ns it
 * took. loops 0 = calibrate. Prints unless quiet; returns the result. */
parc_timeit_result parc__timeit(long long (*fn)(long), long loops, int repeat, int precision, int quiet);
/* Used by %time and %%time. */
void parc__time_begin(void);
void parc__time_end(void);

/* ---- Shell ------------------------------------------------------------ */

/* Runs command with /bin/sh -c; its output goes where the cell's goes, live.
 * Returns its exit status (128 + N when signal N ended it, 127 when no shell
 * could start) and keeps it for parc_shell_status. A cell line `!COMMAND`
 * calls parc_shell("COMMAND"). */
int parc_shell(const char *command);
/* The exit status of the last shell command (`!` line or parc_shell), as $?
 * in a shell; 0 before any. It is kept from cell to cell. */
int parc_shell_status(void);

/* ---- Plots ------------------------------------------------------------
 * Small SVG charts: build one, add series, show it. Series get colours in
 * order; each has a legend entry and a tooltip per point.
 *
 *     double n[] = {1, 2, 4, 8}, t[] = {8.1, 4.2, 2.3, 1.9};
 *     parc_plot *p = parc_plot_new("time vs workers", "workers", "seconds");
 *     parc_plot_line(p, "measured", n, t, 4);
 *     parc_plot_show(p);
 *     parc_plot_free(p);
 */
typedef struct parc_plot parc_plot;

/* A new empty chart; the strings are copied (NULL = none). Free it with
 * parc_plot_free. */
parc_plot *parc_plot_new(const char *title, const char *xlabel, const char *ylabel);
/* Adds a series of n points (xs[i], ys[i]); the arrays are copied. xs NULL
 * means 0, 1, 2, ... line: joined with markers; points: markers only;
 * dashed: a dashed line (a model, an ideal). */
void parc_plot_line(parc_plot *p, const char *name, const double *xs, const double *ys, size_t n);
void parc_plot_points(parc_plot *p, const char *name, const double *xs, const double *ys, size_t n);
void parc_plot_dashed(parc_plot *p, const char *name, const double *xs, const double *ys, size_t n);
/* Adds a bar series: one bar per label (categories on the x axis; several
 * bar series stand side by side). */
void parc_plot_bar(parc_plot *p, const char *name, const char *const *labels, const double *ys, size_t n);
/* Logarithmic x and y axes (decades); points <= 0 are left out. */
void parc_plot_loglog(parc_plot *p, int on);
/* Shades the part of the chart right of x, with a label ("oversubscribed"). */
void parc_plot_shade_from(parc_plot *p, double x, const char *label);
/* The chart as an SVG document (malloc'd; free it), and shown under the cell. */
char *parc_plot_svg(const parc_plot *p);
void parc_plot_show(const parc_plot *p);
void parc_plot_free(parc_plot *p);
/* Used by %%scaling: draws point i of series as a hollow marker. */
void parc_plot__hollow(parc_plot *p, size_t series, size_t i);

/* ---- Scaling experiments ----------------------------------------------
 * %%scaling [-w 1,2,4,8] [--threads|--procs|--omp] [-r R] runs the cell once
 * per worker count. The cell reads the count with parc_default_workers()
 * and creates its pool with it (parc_threads(parc_default_workers())); with
 * --omp the count is the OpenMP thread count of its parallel regions. */

/* Workers the cell should use: the count %%scaling is measuring, or else
 * the number of cores. */
int parc_default_workers(void);
/* 1 when %%scaling runs with --procs (process workers), 0 otherwise. */
int parc_default_use_procs(void);
/* Used by %%scaling: runs body once, then R times per worker count in ws
 * ("1,2,4"), prints the table and shows the plot. procs: 0 threads, 1
 * processes, 2 OpenMP threads. */
void parc__scaling_run(void (*body)(void), const char *ws, int procs, int repeat);

/* ---- GPUs and OpenCL ----------------------------------------------------
 * %%opencl cells build OpenCL C kernels; later cells run them with these
 * helpers (or with the plain OpenCL API: #include <CL/cl.h>, and
 * parc_cl_context() / parc_cl_queue() / parc_cl_mem() give the session's
 * objects). Every command is profiled and drawn on the cell's timeline, a
 * lane per queue. Misuse prints "parc: ..." and returns an error value. */

/* 1 if this machine has a GPU parc can use (a CUDA device, or an OpenCL
 * GPU), else 0; asking never starts a GPU runtime in the session.
 * Notebooks skip GPU parts with a note when it is 0. */
int parc_gpu_available(void);

typedef struct parc_cl_buf parc_cl_buf;   /* device memory: a handle */
typedef struct parc_cl_kern parc_cl_kern; /* a kernel: a handle */

/* Device memory of bytes bytes; with init, bytes copied from init (a
 * transfer on the timeline). NULL after a message. */
parc_cl_buf *parc_cl_buffer(size_t bytes, const void *init);
/* Blocking copies between host memory and b: 0, or -1 after a message. */
int parc_cl_write(parc_cl_buf *b, const void *src, size_t bytes);
int parc_cl_read(parc_cl_buf *b, void *dst, size_t bytes);
size_t parc_cl_size(const parc_cl_buf *b); /* bytes; 0 if freed */
void parc_cl_free(parc_cl_buf *b);         /* NULL is fine; later use is reported */
/* The kernel called name, built by the latest %%opencl cell defining it;
 * NULL after a message. */
parc_cl_kern *parc_cl_kernel(const char *name);
/* Enqueues k over global work items (1-D; the device picks the local
 * size), then its arguments in order, as the kernel declares them:
 * global/constant pointers: a parc_cl_buf *; local pointers: the size in
 * bytes (size_t); float/double: a floating value; char..int, uchar..uint:
 * an int; long/ulong: a long long; vector types (float4...): a pointer to
 * the value. Returns at once (0), or -1 after a message. */
int parc_cl_run(parc_cl_kern *k, size_t global, ...);
/* Each kernel K of a %%opencl cell is also a C function
 *     int cl_K(size_t items, ARGS);
 * taking the kernel's arguments with their own types (parc_cl_buf * for
 * global/constant pointers, a size in bytes for local ones), so that C
 * converts what it is given: cl_saxpy(n, 2, dx, dy) passes 2.0f. It
 * calls parc_cl_run; kernels with vector arguments have none. */
/* The same over dims (1-3) dimensions; local may be NULL. */
int parc_cl_run_nd(parc_cl_kern *k, unsigned dims, const size_t *global, const size_t *local, ...);
/* Waits for every enqueued command. 0, or -1 after a message. */
int parc_cl_finish(void);
/* The session's OpenCL device (opened on first use: the first GPU, else
 * the first device) and its objects for the plain OpenCL API (cl_context,
 * cl_command_queue, cl_mem). NULL after a message. */
const char *parc_cl_device(void);
void *parc_cl_context(void);
void *parc_cl_queue(void);
void *parc_cl_mem(parc_cl_buf *b);

/* ---- CUDA ---------------------------------------------------------------
 * A %%cuda cell's extern "C" functions are called from C cells like any
 * function. A %%cuda cell of kernels only (no host code) is compiled by
 * NVRTC in tens of milliseconds; C cells launch its kernels by name:
 *   float *dx = parc_cuda_malloc(n * sizeof *dx);
 *   parc_cuda_to_device(dx, x, n * sizeof *dx);
 *   parc_cuda_launch("scale", (n + 255) / 256, 256, (void *[]){&dx, &a, &n});
 *   parc_cuda_to_host(x, dx, n * sizeof *dx);
 * args points to each argument of the kernel, in order. Memory and kernels
 * are the session's (the CUDA runtime's device pointers work too). Every
 * failure prints "parc: ..." and returns -1 (NULL). */
int parc_cuda_available(void); /* 1 if a CUDA device is there (starts CUDA) */
void *parc_cuda_malloc(size_t bytes);
int parc_cuda_free(void *device_ptr);
int parc_cuda_to_device(void *device_dst, const void *host_src, size_t bytes);
int parc_cuda_to_host(void *host_dst, const void *device_src, size_t bytes);
/* Launches kernel on grid blocks of block threads (1-D); returns at once. */
int parc_cuda_launch(const char *kernel, unsigned grid, unsigned block, void **args);
/* The same in 3-D with shared_bytes of dynamic shared memory. */
int parc_cuda_launch3(const char *kernel, unsigned gx, unsigned gy, unsigned gz, unsigned bx, unsigned by,
                      unsigned bz, size_t shared_bytes, void **args);
int parc_cuda_sync(void); /* waits for every launch and copy */

/* ---- Values of expressions (used by code parc generates) ------------- */
void __parc_value_begin(void);
void __parc_value_end(void);
/* Like __parc_value_begin, but the text (without the "(type) " prefix) is
 * kept for __parc_value_take instead of sent as the cell's result. */
void __parc_value_capture(void);
/* The text shown since __parc_value_capture, malloc'd (caller frees). */
char *__parc_value_take(void);
/* Used by %whos: a row of its table (value NULL: the text captured since
 * __parc_value_capture), then the table. */
void parc__whos_row(const char *name, const char *kind, const char *type, int cell, const char *value);
void parc__whos_print(void);
void __parc_show_bool(const char *tn, size_t sz, _Bool v);
void __parc_show_char(const char *tn, size_t sz, char v);
void __parc_show_schar(const char *tn, size_t sz, signed char v);
void __parc_show_uchar(const char *tn, size_t sz, unsigned char v);
void __parc_show_short(const char *tn, size_t sz, short v);
void __parc_show_ushort(const char *tn, size_t sz, unsigned short v);
void __parc_show_int(const char *tn, size_t sz, int v);
void __parc_show_uint(const char *tn, size_t sz, unsigned v);
void __parc_show_long(const char *tn, size_t sz, long v);
void __parc_show_ulong(const char *tn, size_t sz, unsigned long v);
void __parc_show_llong(const char *tn, size_t sz, long long v);
void __parc_show_ullong(const char *tn, size_t sz, unsigned long long v);
void __parc_show_float(const char *tn, size_t sz, float v);
void __parc_show_double(const char *tn, size_t sz, double v);
void __parc_show_ldouble(const char *tn, size_t sz, long double v);
#ifdef __SIZEOF_INT128__ /* clang and gcc cells */
void __parc_show_i128(const char *tn, size_t sz, __int128 v);
void __parc_show_u128(const char *tn, size_t sz, unsigned __int128 v);
#define __PARC_INT128 __int128: __parc_show_i128, unsigned __int128: __parc_show_u128,
#else
#define __PARC_INT128
#endif
void __parc_show_str(const char *tn, size_t sz, const char *v);
void __parc_show_ptr(const char *tn, size_t sz, const void *v);
void __parc_show_pbool(const char *tn, size_t sz, const _Bool *v);
void __parc_show_pschar(const char *tn, size_t sz, const signed char *v);
void __parc_show_puchar(const char *tn, size_t sz, const unsigned char *v);
void __parc_show_pshort(const char *tn, size_t sz, const short *v);
void __parc_show_pushort(const char *tn, size_t sz, const unsigned short *v);
void __parc_show_pint(const char *tn, size_t sz, const int *v);
void __parc_show_puint(const char *tn, size_t sz, const unsigned *v);
void __parc_show_plong(const char *tn, size_t sz, const long *v);
void __parc_show_pulong(const char *tn, size_t sz, const unsigned long *v);
void __parc_show_pllong(const char *tn, size_t sz, const long long *v);
void __parc_show_pullong(const char *tn, size_t sz, const unsigned long long *v);
void __parc_show_pfloat(const char *tn, size_t sz, const float *v);
void __parc_show_pdouble(const char *tn, size_t sz, const double *v);
void __parc_show_pldouble(const char *tn, size_t sz, const long double *v);
void __parc_show_opaque(const char *tn, size_t sz, ...);
void __parc_show_void(const char *tn, size_t sz, ...);
void __parc_struct_begin(const char *tn, const char *name, size_t sz);
void __parc_field(const char *name);
void __parc_struct_end(void);
size_t __parc_array_begin(const char *tn, const char *elem, size_t sz, size_t esz, const void *p);
int __parc_array_elem(size_t i); /* 0: show no more of the array */
void __parc_array_end(size_t n);

#define __PARC_SCALARS \
    _Bool: __parc_show_bool, char: __parc_show_char, signed char: __parc_show_schar, \
    unsigned char: __parc_show_uchar, short: __parc_show_short, unsigned short: __parc_show_ushort, \
    int: __parc_show_int, unsigned: __parc_show_uint, long: __parc_show_long, \
    unsigned long: __parc_show_ulong, long long: __parc_show_llong, \
    unsigned long long: __parc_show_ullong, float: __parc_show_float, double: __parc_show_double, \
    long double: __parc_show_ldouble, char *: __parc_show_str, const char *: __parc_show_str, \
    void *: __parc_show_ptr, const void *: __parc_show_ptr, \
    _Bool *: __parc_show_pbool, signed char *: __parc_show_pschar, unsigned char *: __parc_show_puchar, \
    short *: __parc_show_pshort, unsigned short *: __parc_show_pushort, int *: __parc_show_pint, \
    const int *: __parc_show_pint, unsigned *: __parc_show_puint, long *: __parc_show_plong, \
    unsigned long *: __parc_show_pulong, long long *: __parc_show_pllong, \
    unsigned long long *: __parc_show_pullong, float *: __parc_show_pfloat, \
    double *: __parc_show_pdouble, const double *: __parc_show_pdouble, \
    long double *: __parc_show_pldouble, __PARC_INT128

#ifdef __cplusplus
}
#endif

#endif
