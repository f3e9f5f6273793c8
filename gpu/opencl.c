/* opencl.c — OpenCL in the session (see opencl.h): device choice, kernel
 * builds with their messages at cell lines, the parc_cl_* helpers cells
 * call, and the queue's timeline from event profiling. */
#define CL_TARGET_OPENCL_VERSION 120
#include <CL/cl.h>
#include <CL/cl_ext.h>

#include "opencl.h"
#include "magic.h"
#include "parc.h"
#include "timeit.h"
#include "trace.h"
#include "textutil.h"
#include "util.h"

#include <ctype.h>
#include <fcntl.h>
#include <pthread.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>
#include <unistd.h>

/* What a kernel argument takes from parc_cl_run's variable arguments. */
enum arg_kind {
    ARG_BUFFER, /* global or constant pointer: a parc_cl_buf * */
    ARG_LOCAL,  /* local pointer: its size in bytes, a size_t */
    ARG_FLOAT,  /* float or double: a double */
    ARG_DOUBLE,
    ARG_INT,    /* char, short, int and their unsigned kinds: an int */
    ARG_LONG,   /* long, ulong: a long long */
    ARG_VALUE,  /* vector types: a pointer to the value */
};

struct arg {
    enum arg_kind kind;
    size_t size; /* bytes of the value given to clSetKernelArg */
    char *decl;  /* "global float * x", for messages */
    char *type;  /* the type as OpenCL names it: "float*", "uint" */
    char *name;  /* the parameter's name ("" if the driver gives none) */
};

struct parc_cl_kern {
    char *name;
    cl_kernel kernel;
    struct arg *args;
    unsigned nargs;
};

/* Buffers are never freed, only released, so that a use after
 * parc_cl_free is recognised instead of reading freed memory. */
struct parc_cl_buf {
    cl_mem mem; /* NULL once freed */
    size_t bytes;
};

/* A command whose profile becomes a timeline event at the cell's end. */
struct pending {
    cl_event ev;
    char *name;      /* "saxpy global 1000", or "write 4.0 MB" */
    int copy;        /* a copy: its bandwidth joins the name when known */
    int64_t host_ns; /* the trace's clock right before it was enqueued */
    int64_t a0, a1;  /* kernels: work items, items per group; copies: bytes */
};

#define MAX_PENDING 65536

/* The helpers may be called from several threads of a cell (%%threads):
 * OpenCL is thread-safe, parc's lists of pending events and of buffer
 * handles take this lock. */
static pthread_mutex_t lists_lock = PTHREAD_MUTEX_INITIALIZER;
/* Copies named with their bandwidth ("read 4.0 MB, 9.8 GB/s"), per cell;
 * later ones carry it only in their arguments, so that copies in a loop
 * do not give the legend a name each. */
#define MAX_COPY_NAMES 256

static struct ocl {
    cl_platform_id platform;
    cl_device_id device;
    cl_context ctx;
    cl_command_queue queue;
    char device_name[256];
    int device_no; /* among all devices, as %gpus numbers them */
    pid_t pid;     /* the process that opened the context: the only one that can use it */
    struct parc_cl_kern **kernels;
    size_t nkernels;
    struct pending *pending;
    size_t npending, cap;
    unsigned long dropped;
    int hooked;
} ocl;

/* ------------------------------------------------------------------ */
/* Errors                                                              */
/* ------------------------------------------------------------------ */

static const char *cl_error_name(cl_int e)
{
    switch (e) {
    case CL_DEVICE_NOT_FOUND: return "CL_DEVICE_NOT_FOUND";
    case CL_MEM_OBJECT_ALLOCATION_FAILURE: return "CL_MEM_OBJECT_ALLOCATION_FAILURE (out of device memory)";
    case CL_OUT_OF_RESOURCES: return "CL_OUT_OF_RESOURCES";
    case CL_OUT_OF_HOST_MEMORY: return "CL_OUT_OF_HOST_MEMORY";
    case CL_BUILD_PROGRAM_FAILURE: return "CL_BUILD_PROGRAM_FAILURE";
    case CL_INVALID_VALUE: return "CL_INVALID_VALUE";
    case CL_INVALID_PLATFORM: return "CL_INVALID_PLATFORM";
    case CL_INVALID_DEVICE: return "CL_INVALID_DEVICE";
    case CL_INVALID_MEM_OBJECT: return "CL_INVALID_MEM_OBJECT";
    case CL_INVALID_BUFFER_SIZE: return "CL_INVALID_BUFFER_SIZE";
    case CL_INVALID_BUILD_OPTIONS: return "CL_INVALID_BUILD_OPTIONS (unknown build option)";
    case CL_INVALID_KERNEL_NAME: return "CL_INVALID_KERNEL_NAME";
    case CL_INVALID_KERNEL: return "CL_INVALID_KERNEL";
    case CL_INVALID_ARG_INDEX: return "CL_INVALID_ARG_INDEX";
    case CL_INVALID_ARG_VALUE: return "CL_INVALID_ARG_VALUE";
    case CL_INVALID_ARG_SIZE: return "CL_INVALID_ARG_SIZE";
    case CL_INVALID_KERNEL_ARGS: return "CL_INVALID_KERNEL_ARGS";
    case CL_INVALID_WORK_DIMENSION: return "CL_INVALID_WORK_DIMENSION";
    case CL_INVALID_WORK_GROUP_SIZE: return "CL_INVALID_WORK_GROUP_SIZE (local size does not divide the global size, or is too big)";
    case CL_INVALID_WORK_ITEM_SIZE: return "CL_INVALID_WORK_ITEM_SIZE";
    case CL_INVALID_GLOBAL_WORK_SIZE: return "CL_INVALID_GLOBAL_WORK_SIZE";
    case CL_PLATFORM_NOT_FOUND_KHR: return "CL_PLATFORM_NOT_FOUND_KHR (no OpenCL platform installed)";
    default: return "OpenCL error";
    }
}

/* "parc: what: ERROR (code)" on stderr, for the helpers' misuse. */
static void fail(const char *what, cl_int e)
{
    fflush(stdout);
    if (e)
        fprintf(stderr, "parc: %s: %s (%d)\n", what, cl_error_name(e), (int)e);
    else
        fprintf(stderr, "parc: %s\n", what);
}

int ocl_lost(void)
{
    return ocl.ctx && ocl.pid != getpid();
}

/* The message for a process that holds the session's OpenCL state only
 * as a copy (a fork, or the session carried on after an in-place cell
 * died): using it would hang in the driver. */
static const char lost_text[] = "the session's OpenCL state (context, buffers, kernels) did not survive: it belongs to "
                                "a process that ended (a cell crashed, or this is a forked process); %replay rebuilds "
                                "the session";

/* ------------------------------------------------------------------ */
/* Platforms and devices                                               */
/* ------------------------------------------------------------------ */

struct devlist {
    cl_platform_id *platforms;
    cl_uint nplatforms;
    cl_device_id *devices; /* every device, platform by platform */
    cl_uint *owner;        /* the platform index of each device */
    cl_uint ndevices;
};

static void devlist_free(struct devlist *l)
{
    free(l->platforms);
    free(l->devices);
    free(l->owner);
}

/* Every platform and device. 0, or -1 with the reason in err. */
static int devlist_read(struct devlist *l, struct buf *err)
{
    memset(l, 0, sizeof *l);
    cl_uint n = 0;
    cl_int e = clGetPlatformIDs(0, NULL, &n);
    if (e == CL_PLATFORM_NOT_FOUND_KHR || (e == CL_SUCCESS && n == 0)) {
        buf_adds(err, "no OpenCL platform (install pocl-opencl-icd for the CPU, or a GPU vendor's OpenCL driver)");
        return -1;
    }
    if (e != CL_SUCCESS) {
        buf_printf(err, "no OpenCL platform: clGetPlatformIDs failed: %s (%d)", cl_error_name(e), (int)e);
        return -1;
    }
    l->platforms = xcalloc(n, sizeof *l->platforms);
    clGetPlatformIDs(n, l->platforms, &l->nplatforms);
    for (cl_uint p = 0; p < l->nplatforms; p++) {
        cl_uint nd = 0;
        if (clGetDeviceIDs(l->platforms[p], CL_DEVICE_TYPE_ALL, 0, NULL, &nd) != CL_SUCCESS || nd == 0)
            continue;
        l->devices = xrealloc(l->devices, (l->ndevices + nd) * sizeof *l->devices);
        l->owner = xrealloc(l->owner, (l->ndevices + nd) * sizeof *l->owner);
        clGetDeviceIDs(l->platforms[p], CL_DEVICE_TYPE_ALL, nd, l->devices + l->ndevices, NULL);
        for (cl_uint i = 0; i < nd; i++)
            l->owner[l->ndevices + i] = p;
        l->ndevices += nd;
    }
    if (!l->ndevices) {
        buf_adds(err, "no OpenCL device: the platforms installed have no devices");
        devlist_free(l);
        return -1;
    }
    return 0;
}

static void platform_str(cl_platform_id p, cl_platform_info what, char *out, size_t n)
{
    out[0] = 0;
    clGetPlatformInfo(p, what, n, out, NULL);
    out[n - 1] = 0;
}

static void device_str(cl_device_id d, cl_device_info what, char *out, size_t n)
{
    out[0] = 0;
    clGetDeviceInfo(d, what, n, out, NULL);
    out[n - 1] = 0;
    /* Some drivers pad names with spaces. */
    size_t len = strlen(out);
    while (len && out[len - 1] == ' ')
        out[--len] = 0;
}

static const char *type_name(cl_device_type t)
{
    return t & CL_DEVICE_TYPE_GPU ? "GPU" : t & CL_DEVICE_TYPE_CPU ? "CPU" : t & CL_DEVICE_TYPE_ACCELERATOR ? "accelerator" : "device";
}

static void size_str(char *out, size_t n, unsigned long long bytes)
{
    if (bytes >= 1ull << 30)
        snprintf(out, n, "%.1f GiB", (double)bytes / (1ull << 30));
    else
        snprintf(out, n, "%.0f MiB", (double)bytes / (1ull << 20));
}

void ocl_list(struct buf *out)
{
    struct devlist l;
    struct buf err = {0};
    if (ocl_lost()) {
        buf_printf(out, "OpenCL: %s\n", lost_text);
        return;
    }
    if (devlist_read(&l, &err) < 0) {
        buf_printf(out, "OpenCL: %s\n", err.data);
        buf_free(&err);
        return;
    }
    for (cl_uint p = 0, d = 0; p < l.nplatforms; p++) {
        char name[256], version[256];
        platform_str(l.platforms[p], CL_PLATFORM_NAME, name, sizeof name);
        platform_str(l.platforms[p], CL_PLATFORM_VERSION, version, sizeof version);
        buf_printf(out, "OpenCL platform %u: %s (%s)\n", p, name, version);
        for (cl_uint k = 0; d < l.ndevices && l.owner[d] == p; d++, k++) {
            char dname[256], dver[256], mem[32];
            cl_device_type t = 0;
            cl_uint units = 0;
            cl_ulong gmem = 0;
            device_str(l.devices[d], CL_DEVICE_NAME, dname, sizeof dname);
            device_str(l.devices[d], CL_DEVICE_VERSION, dver, sizeof dver);
            clGetDeviceInfo(l.devices[d], CL_DEVICE_TYPE, sizeof t, &t, NULL);
            clGetDeviceInfo(l.devices[d], CL_DEVICE_MAX_COMPUTE_UNITS, sizeof units, &units, NULL);
            clGetDeviceInfo(l.devices[d], CL_DEVICE_GLOBAL_MEM_SIZE, sizeof gmem, &gmem, NULL);
            size_str(mem, sizeof mem, gmem);
            buf_printf(out, "  %s device %u: %s — %s, %u compute units, %s (%s)\n",
                       ocl.ctx && l.devices[d] == ocl.device ? "*" : " ", k, dname, type_name(t), units, mem, dver);
        }
    }
    if (ocl.ctx)
        buf_adds(out, "  (* the session's OpenCL device)\n");
    devlist_free(&l);
}

/* The platform index platform names (a number, or part of a name), or -1
 * with a message. */
static int find_platform(const struct devlist *l, const char *platform, struct buf *err)
{
    char *end;
    long n = strtol(platform, &end, 10);
    if (*platform && !*end) {
        if (n >= 0 && n < (long)l->nplatforms)
            return (int)n;
        buf_printf(err, "no OpenCL platform %ld: there %s %u (%%gpus lists them)", n, l->nplatforms == 1 ? "is" : "are",
                   l->nplatforms);
        return -1;
    }
    for (cl_uint p = 0; p < l->nplatforms; p++) {
        char name[256], vendor[256];
        platform_str(l->platforms[p], CL_PLATFORM_NAME, name, sizeof name);
        platform_str(l->platforms[p], CL_PLATFORM_VENDOR, vendor, sizeof vendor);
        if (strcasestr(name, platform) || strcasestr(vendor, platform) ||
            (!strcasecmp(platform, "pocl") && strcasestr(name, "Portable Computing Language")))
            return (int)p;
    }
    buf_printf(err, "no OpenCL platform named '%s' on this machine (%%gpus lists them)", platform);
    return -1;
}

/* The device index (into l->devices) that platform and device choose, or
 * -1 with a message. */
static int choose(const struct devlist *l, const char *platform, int device, struct buf *err)
{
    int p = -1;
    if (platform && (p = find_platform(l, platform, err)) < 0)
        return -1;
    int k = 0;
    for (cl_uint d = 0; d < l->ndevices; d++) {
        if (p >= 0 && l->owner[d] != (cl_uint)p)
            continue;
        if (device >= 0 && k++ == device)
            return (int)d;
        if (device < 0) {
            cl_device_type t = 0;
            clGetDeviceInfo(l->devices[d], CL_DEVICE_TYPE, sizeof t, &t, NULL);
            if (t & CL_DEVICE_TYPE_GPU)
                return (int)d;
        }
    }
    if (device < 0) /* no GPU: the first device */
        for (cl_uint d = 0; d < l->ndevices; d++)
            if (p < 0 || l->owner[d] == (cl_uint)p)
                return (int)d;
    buf_printf(err, "no OpenCL device %d%s%s (%%gpus lists them)", device, platform ? " on platform " : "",
               platform ? platform : "");
    return -1;
}

static void cell_end(void)
{
    ocl_flush_trace();
}


int ocl_open(const char *platform, int device, struct buf *err)
{
    struct devlist l;
    if (devlist_read(&l, err) < 0)
        return -1;
    int d = choose(&l, platform, device, err);
    if (d < 0) {
        devlist_free(&l);
        return -1;
    }
    if (ocl_lost()) {
        buf_adds(err, lost_text);
        devlist_free(&l);
        return -1;
    }
    if (ocl.ctx) {
        int same = l.devices[d] == ocl.device;
        if (!same && (platform || device >= 0))
            buf_printf(err, "this session already uses OpenCL device %s; a session uses one OpenCL device (%%reset does not "
                            "change it: restart the kernel to choose another)",
                       ocl.device_name);
        devlist_free(&l);
        return same || (!platform && device < 0) ? 0 : -1;
    }
    cl_int e;
    cl_context_properties props[] = {CL_CONTEXT_PLATFORM, (cl_context_properties)l.platforms[l.owner[d]], 0};
    cl_context ctx = clCreateContext(props, 1, &l.devices[d], NULL, NULL, &e);
    if (!ctx) {
        buf_printf(err, "cannot create an OpenCL context: %s (%d)", cl_error_name(e), (int)e);
        devlist_free(&l);
        return -1;
    }
    cl_command_queue q = clCreateCommandQueue(ctx, l.devices[d], CL_QUEUE_PROFILING_ENABLE, &e);
    if (!q) {
        buf_printf(err, "cannot create an OpenCL queue: %s (%d)", cl_error_name(e), (int)e);
        clReleaseContext(ctx);
        devlist_free(&l);
        return -1;
    }
    ocl.platform = l.platforms[l.owner[d]];
    ocl.device = l.devices[d];
    ocl.device_no = d;
    ocl.ctx = ctx;
    ocl.queue = q;
    ocl.pid = getpid();
    device_str(ocl.device, CL_DEVICE_NAME, ocl.device_name, sizeof ocl.device_name);
    if (!ocl.hooked) {
        rt_on_cell_end(cell_end);
        ocl.hooked = 1;
    }
    devlist_free(&l);
    return 0;
}

const char *ocl_device_name(void)
{
    return ocl.ctx ? ocl.device_name : NULL;
}

/* ------------------------------------------------------------------ */
/* Building                                                            */
/* ------------------------------------------------------------------ */

/* Parses one build-log line in either form compilers use:
 *   "PATH:L:C: error: MESSAGE"   (clang, NVIDIA)
 *   "error: PATH:L:C: MESSAGE"   (PoCL)
 * Sets *sev, *line, *col, *msg; returns 0, or -1 if it is neither. */
static int parse_diag(const char *l, char *sev, size_t nsev, int *line, int *col, const char **msg)
{
    static const char *sevs[] = {"fatal error", "error", "warning", "note"};
    for (size_t i = 0; i < 4; i++) {
        size_t n = strlen(sevs[i]);
        if (!strncmp(l, sevs[i], n) && l[n] == ':' && l[n + 1] == ' ') {
            const char *p = l + n + 2;
            const char *c = strchr(p, ':'); /* after PATH */
            if (c && sscanf(c, ":%d:%d:", line, col) == 2) {
                const char *m = strchr(c + 1, ':');
                m = m ? strchr(m + 1, ':') : NULL;
                if (!m)
                    return -1;
                snprintf(sev, nsev, "%s", sevs[i]);
                *msg = m + 1 + (m[1] == ' ');
                return 0;
            }
        }
    }
    for (const char *c = strchr(l, ':'); c; c = strchr(c + 1, ':')) {
        int n = 0;
        if (sscanf(c, ":%d:%d: %n", line, col, &n) == 2 && n) {
            const char *p = c + n;
            for (size_t i = 0; i < 4; i++) {
                size_t k = strlen(sevs[i]);
                if (!strncmp(p, sevs[i], k) && p[k] == ':') {
                    snprintf(sev, nsev, "%s", sevs[i]);
                    *msg = p + k + 1 + (p[k + 1] == ' ');
                    return 0;
                }
            }
        }
    }
    return -1;
}

/* Appends the build log rewritten to cell lines (see ocl_build). Lines
 * that are not messages at a line (counts, "failed to build", NVIDIA's
 * "(): Warning: Function k is a kernel, so overriding noinline
 * attribute") are dropped, unless the build failed and no line was such
 * a message: then the log is kept as it is. */
static void map_log(const char *log, const char *src, const char *cell, int failed, struct buf *diag)
{
    struct buf out = {0};
    for (const char *p = log; *p;) {
        const char *eol = strchr(p, '\n');
        char *l = xstrndup(p, eol ? (size_t)(eol - p) : strlen(p));
        char sev[16];
        int line, col;
        const char *msg;
        if (parse_diag(l, sev, sizeof sev, &line, &col, &msg) == 0) {
            buf_printf(&out, "%s:%d:%d: %s: %s\n", cell, line, col, sev, msg);
            size_t len;
            const char *s = text_line(src, line, &len);
            if (s) {
                buf_printf(&out, "%5d | %.*s\n      | ", line, (int)len, s);
                for (int i = 1; i < col && (size_t)i <= len; i++)
                    buf_addc(&out, s[i - 1] == '\t' ? '\t' : ' ');
                buf_adds(&out, "^\n");
            }
        }
        free(l);
        p = eol ? eol + 1 : p + strlen(p);
    }
    if (out.len)
        buf_add(diag, out.data, out.len);
    else if (failed && log[strspn(log, " \n")])
        buf_printf(diag, "%s: %s%s", cell, log, log[strlen(log) - 1] == '\n' ? "" : "\n");
    buf_free(&out);
}

/* The kind of an argument from its address qualifier and type name. */
static void classify(struct arg *a, cl_kernel_arg_address_qualifier aq, const char *type)
{
    static const struct {
        const char *name;
        enum arg_kind kind;
        size_t size;
    } scalars[] = {
        {"float", ARG_FLOAT, 4},  {"double", ARG_DOUBLE, 8}, {"char", ARG_INT, 1},  {"uchar", ARG_INT, 1},
        {"short", ARG_INT, 2},    {"ushort", ARG_INT, 2},    {"int", ARG_INT, 4},   {"uint", ARG_INT, 4},
        {"long", ARG_LONG, 8},    {"ulong", ARG_LONG, 8},    {"bool", ARG_INT, 1},  {"unsigned char", ARG_INT, 1},
        {"unsigned short", ARG_INT, 2}, {"unsigned int", ARG_INT, 4}, {"unsigned long", ARG_LONG, 8},
    };
    size_t n = strlen(type);
    if (n && type[n - 1] == '*') {
        a->kind = aq == CL_KERNEL_ARG_ADDRESS_LOCAL ? ARG_LOCAL : ARG_BUFFER;
        a->size = sizeof(cl_mem);
        return;
    }
    for (size_t i = 0; i < sizeof scalars / sizeof *scalars; i++)
        if (!strcmp(type, scalars[i].name)) {
            a->kind = scalars[i].kind;
            a->size = scalars[i].size;
            return;
        }
    /* Vector types: float4, int2, uchar16... (3 takes the room of 4). */
    a->kind = ARG_VALUE;
    a->size = 0;
    for (size_t i = 0; i < sizeof scalars / sizeof *scalars; i++) {
        size_t k = strlen(scalars[i].name);
        if (!strncmp(type, scalars[i].name, k) && isdigit((unsigned char)type[k])) {
            int w = atoi(type + k);
            a->size = scalars[i].size * (size_t)(w == 3 ? 4 : w);
        }
    }
}

static struct parc_cl_kern *kern_new(cl_kernel k, const char *name)
{
    struct parc_cl_kern *r = xcalloc(1, sizeof *r);
    r->name = xstrdup(name);
    r->kernel = k;
    cl_uint n = 0;
    clGetKernelInfo(k, CL_KERNEL_NUM_ARGS, sizeof n, &n, NULL);
    r->nargs = n;
    r->args = xcalloc(n ? n : 1, sizeof *r->args);
    for (cl_uint i = 0; i < n; i++) {
        char type[128] = "", aname[128] = "";
        cl_kernel_arg_address_qualifier aq = CL_KERNEL_ARG_ADDRESS_PRIVATE;
        clGetKernelArgInfo(k, i, CL_KERNEL_ARG_TYPE_NAME, sizeof type, type, NULL);
        clGetKernelArgInfo(k, i, CL_KERNEL_ARG_NAME, sizeof aname, aname, NULL);
        clGetKernelArgInfo(k, i, CL_KERNEL_ARG_ADDRESS_QUALIFIER, sizeof aq, &aq, NULL);
        type[sizeof type - 1] = aname[sizeof aname - 1] = 0;
        classify(&r->args[i], aq, type);
        const char *q = aq == CL_KERNEL_ARG_ADDRESS_GLOBAL     ? "global "
                        : aq == CL_KERNEL_ARG_ADDRESS_CONSTANT ? "constant "
                        : aq == CL_KERNEL_ARG_ADDRESS_LOCAL    ? "local "
                                                               : "";
        r->args[i].decl = xasprintf("%s%s %s", q, type, aname);
        r->args[i].type = xstrdup(type);
        r->args[i].name = xstrdup(aname);
    }
    return r;
}

/* Keeps k under its name; an older kernel of that name stays valid for
 * handles already taken, but lookups find the new one. */
static void kern_add(struct parc_cl_kern *k)
{
    ocl.kernels = xrealloc(ocl.kernels, (ocl.nkernels + 1) * sizeof *ocl.kernels);
    ocl.kernels[ocl.nkernels++] = k;
}

/* clBuildProgram with the compiler's own stderr chatter ("1 error
 * generated.") kept out of the cell's output: the log says it all. */
static cl_int build_quietly(cl_program prog, const char *opts)
{
    fflush(stderr);
    int saved = dup(2);
    int null = open("/dev/null", O_WRONLY | O_CLOEXEC);
    if (saved >= 0 && null >= 0)
        dup2(null, 2);
    cl_int e = clBuildProgram(prog, 1, &ocl.device, opts, NULL, NULL);
    if (saved >= 0) {
        dup2(saved, 2);
        close(saved);
    }
    if (null >= 0)
        close(null);
    return e;
}

int ocl_build(const char *src, const char *lines, const char *opts, const char *cell, struct buf *diag,
              struct buf *names)
{
    cl_int e;
    cl_program prog = clCreateProgramWithSource(ocl.ctx, 1, &src, NULL, &e);
    if (!prog) {
        buf_printf(diag, "%s: cannot create the program: %s (%d)\n", cell, cl_error_name(e), (int)e);
        return -1;
    }
    char *all = xasprintf("-cl-kernel-arg-info %s", opts ? opts : "");
    e = build_quietly(prog, all);
    free(all);
    size_t n = 0;
    clGetProgramBuildInfo(prog, ocl.device, CL_PROGRAM_BUILD_LOG, 0, NULL, &n);
    char *log = xcalloc(n + 1, 1);
    clGetProgramBuildInfo(prog, ocl.device, CL_PROGRAM_BUILD_LOG, n, log, NULL);
    map_log(log, lines ? lines : src, cell, e != CL_SUCCESS, diag);
    free(log);
    if (e != CL_SUCCESS) {
        if (e != CL_BUILD_PROGRAM_FAILURE || !diag->len)
            buf_printf(diag, "%s: the OpenCL build failed: %s (%d)\n", cell, cl_error_name(e), (int)e);
        clReleaseProgram(prog);
        return -1;
    }
    cl_uint nk = 0;
    clCreateKernelsInProgram(prog, 0, NULL, &nk);
    cl_kernel *ks = xcalloc(nk ? nk : 1, sizeof *ks);
    clCreateKernelsInProgram(prog, nk, ks, NULL);
    for (cl_uint i = 0; i < nk; i++) {
        char name[256] = "";
        clGetKernelInfo(ks[i], CL_KERNEL_FUNCTION_NAME, sizeof name, name, NULL);
        name[sizeof name - 1] = 0;
        kern_add(kern_new(ks[i], name));
        buf_printf(names, "%s%s", names->len ? " " : "", name);
    }
    free(ks);
    clReleaseProgram(prog); /* the kernels keep it */
    return 0;
}

/* ------------------------------------------------------------------ */
/* Timeline                                                            */
/* ------------------------------------------------------------------ */

/* ns on the trace's clock (0 when no recording is linked in). */
static int64_t host_now(void)
{
    return trace_rec_now();
}

/* Keeps ev to become a timeline event named name (copied). */
static void pend(cl_event ev, const char *name, int copy, int64_t host_ns, int64_t a0, int64_t a1)
{
    pthread_mutex_lock(&lists_lock);
    if (ocl.npending >= MAX_PENDING) {
        clReleaseEvent(ev);
        ocl.dropped++;
        pthread_mutex_unlock(&lists_lock);
        return;
    }
    if (ocl.npending == ocl.cap) {
        ocl.cap = ocl.cap ? ocl.cap * 2 : 64;
        ocl.pending = xrealloc(ocl.pending, ocl.cap * sizeof *ocl.pending);
    }
    ocl.pending[ocl.npending++] = (struct pending){ev, xstrdup(name), copy, host_ns, a0, a1};
    pthread_mutex_unlock(&lists_lock);
}

/* The device's name cut to fit a lane label (at a space or dash):
 * "NVIDIA H200" stays, "pthread-skylake-avx512-Intel(R) Xeon(R) Processor"
 * becomes "pthread-skylake-avx512". */
static const char *short_name(const char *name)
{
    static char out[24];
    size_t n = strlen(name);
    if (n < sizeof out)
        return name;
    n = sizeof out - 1;
    while (n > 8 && name[n] != ' ' && name[n] != '-')
        n--;
    while (n > 8 && (name[n - 1] == ' ' || name[n - 1] == '-'))
        n--;
    size_t cut = strcspn(name, " -");
    if (cut < n && n == 8)
        n = cut;
    memcpy(out, name, n);
    out[n] = 0;
    return out;
}

void ocl_flush_trace(void)
{
    if (!ocl.queue || ocl_lost())
        return;
    clFinish(ocl.queue);
    if (!ocl.npending)
        return;
    /* Device times are on the device's clock: shift them so that no
     * command seems queued before the host enqueued it. */
    cl_ulong (*t)[3] = xcalloc(ocl.npending, sizeof *t);
    int64_t offset = INT64_MIN;
    for (size_t i = 0; i < ocl.npending; i++) {
        struct pending *p = &ocl.pending[i];
        cl_ulong q = 0;
        if (clGetEventProfilingInfo(p->ev, CL_PROFILING_COMMAND_QUEUED, sizeof q, &q, NULL) != CL_SUCCESS ||
            clGetEventProfilingInfo(p->ev, CL_PROFILING_COMMAND_START, sizeof t[i][1], &t[i][1], NULL) != CL_SUCCESS ||
            clGetEventProfilingInfo(p->ev, CL_PROFILING_COMMAND_END, sizeof t[i][2], &t[i][2], NULL) != CL_SUCCESS)
            continue;
        t[i][0] = q;
        if (p->host_ns - (int64_t)q > offset)
            offset = p->host_ns - (int64_t)q;
    }
    char *label = xasprintf("OpenCL %s", short_name(ocl.device_name));
    int lane = offset == INT64_MIN ? -1 : trace_rec_new_lane(label);
    free(label);
    int copy_names = 0;
    for (size_t i = 0; i < ocl.npending; i++) {
        struct pending *p = &ocl.pending[i];
        if (lane >= 0 && t[i][0]) {
            int64_t start = (int64_t)t[i][1] + offset, end = (int64_t)t[i][2] + offset;
            int64_t a1 = p->a1;
            char *name = NULL;
            if (p->copy) {
                /* args: bytes, MB/s */
                double gbs = end > start ? (double)p->a0 / (double)(end - start) : 0;
                a1 = (int64_t)(gbs * 1000);
                if (copy_names++ < MAX_COPY_NAMES)
                    name = xasprintf("%s, %.1f GB/s", p->name, gbs);
            }
            trace_rec_event(lane, TRACE_TASK, trace_rec_name(name ? name : p->name), start, end, p->a0, a1);
            free(name);
        }
        clReleaseEvent(p->ev);
        free(p->name);
    }
    free(t);
    free(ocl.pending);
    ocl.pending = NULL;
    ocl.npending = ocl.cap = 0;
}

/* A copy's event name before its bandwidth is known: "write 4.0 MB". */
static char *transfer_name(const char *dir, size_t bytes)
{
    if (bytes >= 1 << 20)
        return xasprintf("%s %.1f MB", dir, (double)bytes / 1e6);
    if (bytes >= 1 << 10)
        return xasprintf("%s %.1f kB", dir, (double)bytes / 1e3);
    return xasprintf("%s %zu B", dir, bytes);
}

/* Records the host's wait for the device on the calling thread's lane. */
static void host_wait(const char *what, int64_t t0)
{
    trace_rec_event(trace_rec_lane(NULL), TRACE_WAIT, trace_rec_name(what), t0, host_now(), TRACE_NO_ARG,
                    TRACE_NO_ARG);
}

/* ------------------------------------------------------------------ */
/* The helpers of parc.h                                               */
/* ------------------------------------------------------------------ */

/* The session's queue for the helper called what; opens the default
 * device when no %%opencl cell did. 0, or -1 after a message. */
static int ready(const char *what)
{
    if (ocl_lost()) {
        char *m = xasprintf("%s: %s", what, lost_text);
        fail(m, 0);
        free(m);
        return -1;
    }
    if (ocl.ctx)
        return 0;
    struct buf err = {0};
    int rc = ocl_open(NULL, -1, &err);
    if (rc < 0) {
        char *m = xasprintf("%s: %s", what, err.data);
        fail(m, 0);
        free(m);
    }
    buf_free(&err);
    return rc;
}

/* Every buffer handle ever given out, so that a pointer that is none (a
 * host array, arguments in the wrong order) is refused before it is read:
 * an open-addressing set of pointers that only grows (handles are never
 * freed, see struct parc_cl_buf). */
static struct {
    const parc_cl_buf **slot;
    size_t cap, n; /* cap: 0 or a power of two */
} handles;

static size_t handle_hash(const parc_cl_buf *b, size_t cap)
{
    return (size_t)(((uintptr_t)b >> 4) * 0x9E3779B97F4A7C15ull) & (cap - 1);
}

static void handle_add(const parc_cl_buf *b)
{
    pthread_mutex_lock(&lists_lock);
    if ((handles.n + 1) * 2 > handles.cap) {
        size_t cap = handles.cap ? handles.cap * 2 : 64;
        const parc_cl_buf **slot = xcalloc(cap, sizeof *slot);
        for (size_t i = 0; i < handles.cap; i++)
            if (handles.slot[i]) {
                size_t h = handle_hash(handles.slot[i], cap);
                while (slot[h])
                    h = (h + 1) & (cap - 1);
                slot[h] = handles.slot[i];
            }
        free(handles.slot);
        handles.slot = slot;
        handles.cap = cap;
    }
    size_t h = handle_hash(b, handles.cap);
    while (handles.slot[h])
        h = (h + 1) & (handles.cap - 1);
    handles.slot[h] = b;
    handles.n++;
    pthread_mutex_unlock(&lists_lock);
}

static int handle_known(const parc_cl_buf *b)
{
    int found = 0;
    pthread_mutex_lock(&lists_lock);
    for (size_t h = handles.cap ? handle_hash(b, handles.cap) : 0; handles.cap && handles.slot[h] && !found;
         h = (h + 1) & (handles.cap - 1))
        found = handles.slot[h] == b;
    pthread_mutex_unlock(&lists_lock);
    return found;
}

static int live_buffer(const parc_cl_buf *b, const char *what)
{
    if (!b) {
        char *m = xasprintf("%s: the buffer is NULL", what);
        fail(m, 0);
        free(m);
        return 0;
    }
    if (!handle_known(b)) {
        char *m = xasprintf("%s: %p is not a buffer made by parc_cl_buffer (a host array? arguments in the wrong "
                            "order?)",
                            what, (const void *)b);
        fail(m, 0);
        free(m);
        return 0;
    }
    if (!b->mem) {
        char *m = xasprintf("%s: the buffer was freed (parc_cl_free)", what);
        fail(m, 0);
        free(m);
        return 0;
    }
    return 1;
}

parc_cl_buf *parc_cl_buffer(size_t bytes, const void *init)
{
    if (ready("parc_cl_buffer") < 0)
        return NULL;
    if (!bytes) {
        fail("parc_cl_buffer: a buffer needs at least one byte", 0);
        return NULL;
    }
    cl_int e;
    cl_mem m = clCreateBuffer(ocl.ctx, CL_MEM_READ_WRITE, bytes, NULL, &e);
    if (!m) {
        char *w = xasprintf("parc_cl_buffer(%zu bytes)", bytes);
        fail(w, e);
        free(w);
        return NULL;
    }
    parc_cl_buf *b = xcalloc(1, sizeof *b);
    b->mem = m;
    b->bytes = bytes;
    handle_add(b);
    if (init && parc_cl_write(b, init, bytes) < 0) {
        parc_cl_free(b);
        return NULL;
    }
    return b;
}

/* A blocking transfer of bytes between b and host; write or read. */
static int transfer(parc_cl_buf *b, void *host, size_t bytes, int write, const char *what)
{
    if (ready(what) < 0 || !live_buffer(b, what))
        return -1;
    if (!host) {
        char *m = xasprintf("%s: the host pointer is NULL", what);
        fail(m, 0);
        free(m);
        return -1;
    }
    if (bytes > b->bytes) {
        char *m = xasprintf("%s: %zu bytes asked for, the buffer has %zu", what, bytes, b->bytes);
        fail(m, 0);
        free(m);
        return -1;
    }
    cl_event ev = NULL;
    int64_t t0 = host_now();
    cl_int e = write ? clEnqueueWriteBuffer(ocl.queue, b->mem, CL_TRUE, 0, bytes, host, 0, NULL, &ev)
                     : clEnqueueReadBuffer(ocl.queue, b->mem, CL_TRUE, 0, bytes, host, 0, NULL, &ev);
    if (e != CL_SUCCESS) {
        fail(what, e);
        return -1;
    }
    char *name = transfer_name(write ? "write" : "read", bytes);
    host_wait(name, t0);
    pend(ev, name, 1, t0, (int64_t)bytes, TRACE_NO_ARG);
    free(name);
    return 0;
}

int parc_cl_write(parc_cl_buf *b, const void *src, size_t bytes)
{
    return transfer(b, (void *)src, bytes, 1, "parc_cl_write");
}

int parc_cl_read(parc_cl_buf *b, void *dst, size_t bytes)
{
    return transfer(b, dst, bytes, 0, "parc_cl_read");
}

size_t parc_cl_size(const parc_cl_buf *b)
{
    return b && b->mem ? b->bytes : 0;
}

void parc_cl_free(parc_cl_buf *b)
{
    if (!b || !b->mem || ocl_lost())
        return;
    clReleaseMemObject(b->mem);
    b->mem = NULL;
}

parc_cl_kern *parc_cl_kernel(const char *name)
{
    for (size_t i = ocl.nkernels; i-- > 0;)
        if (!strcmp(ocl.kernels[i]->name, name ? name : ""))
            return ocl.kernels[i];
    fflush(stdout);
    fprintf(stderr, "parc: parc_cl_kernel: no OpenCL kernel named '%s'%s\n", name ? name : "(null)",
            ocl.nkernels ? "" : " (build kernels in a %%opencl cell first)");
    return NULL;
}

/* Sets k's arguments from ap, each as its kind says. 0, or -1 after a
 * message naming the argument. */
static int set_args(parc_cl_kern *k, va_list ap)
{
    for (unsigned i = 0; i < k->nargs; i++) {
        const struct arg *a = &k->args[i];
        cl_int e = CL_SUCCESS;
        union {
            cl_float f;
            cl_double d;
            cl_char c;
            cl_short s;
            cl_int i;
            cl_long l;
        } v;
        switch (a->kind) {
        case ARG_BUFFER: {
            parc_cl_buf *b = va_arg(ap, parc_cl_buf *);
            char *what = xasprintf("parc_cl_run(%s): argument %u (%s)", k->name, i + 1, a->decl);
            int ok = live_buffer(b, what);
            free(what);
            if (!ok)
                return -1;
            e = clSetKernelArg(k->kernel, i, sizeof(cl_mem), &b->mem);
            break;
        }
        case ARG_LOCAL:
            e = clSetKernelArg(k->kernel, i, va_arg(ap, size_t), NULL);
            break;
        case ARG_FLOAT:
            v.f = (cl_float)va_arg(ap, double);
            e = clSetKernelArg(k->kernel, i, 4, &v);
            break;
        case ARG_DOUBLE:
            v.d = va_arg(ap, double);
            e = clSetKernelArg(k->kernel, i, 8, &v);
            break;
        case ARG_INT: {
            int x = va_arg(ap, int);
            if (a->size == 1)
                v.c = (cl_char)x;
            else if (a->size == 2)
                v.s = (cl_short)x;
            else
                v.i = (cl_int)x;
            e = clSetKernelArg(k->kernel, i, a->size, &v);
            break;
        }
        case ARG_LONG:
            v.l = (cl_long)va_arg(ap, long long);
            e = clSetKernelArg(k->kernel, i, 8, &v);
            break;
        case ARG_VALUE: {
            const void *p = va_arg(ap, const void *);
            if (!a->size || !p) {
                fflush(stdout);
                fprintf(stderr, "parc: parc_cl_run(%s): argument %u (%s): %s\n", k->name, i + 1, a->decl,
                        a->size ? "pass a pointer to the value" : "parc_cl_run cannot pass this type");
                return -1;
            }
            e = clSetKernelArg(k->kernel, i, a->size, p);
            break;
        }
        }
        if (e != CL_SUCCESS) {
            char *what = xasprintf("parc_cl_run(%s): argument %u (%s)", k->name, i + 1, a->decl);
            fail(what, e);
            free(what);
            return -1;
        }
    }
    return 0;
}

static int run(parc_cl_kern *k, unsigned dims, const size_t *global, const size_t *local, va_list ap)
{
    if (!k) {
        fail("parc_cl_run: the kernel is NULL (parc_cl_kernel found none)", 0);
        return -1;
    }
    if (ready("parc_cl_run") < 0 || set_args(k, ap) < 0)
        return -1;
    if (dims < 1 || dims > 3) {
        fail("parc_cl_run_nd: dims must be 1, 2 or 3", 0);
        return -1;
    }
    size_t items = 1;
    for (unsigned d = 0; d < dims; d++)
        items *= global[d];
    if (!items)
        return 0; /* nothing to do, as for an empty loop */
    cl_event ev = NULL;
    int64_t t0 = host_now();
    cl_int e = clEnqueueNDRangeKernel(ocl.queue, k->kernel, dims, NULL, global, local, 0, NULL, &ev);
    if (e != CL_SUCCESS) {
        char *what = xasprintf("parc_cl_run(%s)", k->name);
        fail(what, e);
        free(what);
        return -1;
    }
    /* "saxpy global 1000", "matmul global (256,256) local (16,16)" */
    struct buf name = {0};
    buf_printf(&name, "%s global ", k->name);
    for (int l = 0; l < (local ? 2 : 1); l++) {
        const size_t *v = l ? local : global;
        buf_adds(&name, l ? " local " : "");
        buf_adds(&name, dims > 1 ? "(" : "");
        for (unsigned d = 0; d < dims; d++)
            buf_printf(&name, "%s%zu", d ? "," : "", v[d]);
        buf_adds(&name, dims > 1 ? ")" : "");
    }
    size_t group = 1;
    for (unsigned d = 0; local && d < dims; d++)
        group *= local[d];
    pend(ev, name.data, 0, t0, (int64_t)items, local ? (int64_t)group : TRACE_NO_ARG);
    buf_free(&name);
    return 0;
}

int parc_cl_run(parc_cl_kern *k, size_t global, ...)
{
    va_list ap;
    va_start(ap, global);
    int rc = run(k, 1, &global, NULL, ap);
    va_end(ap);
    return rc;
}

int parc_cl_run_nd(parc_cl_kern *k, unsigned dims, const size_t *global, const size_t *local, ...)
{
    if (!global) {
        fail("parc_cl_run_nd: global is NULL", 0);
        return -1;
    }
    va_list ap;
    va_start(ap, local);
    int rc = run(k, dims, global, local, ap);
    va_end(ap);
    return rc;
}

int parc_cl_finish(void)
{
    if (ready("parc_cl_finish") < 0)
        return -1;
    int64_t t0 = host_now();
    cl_int e = clFinish(ocl.queue);
    host_wait("clFinish", t0);
    if (e != CL_SUCCESS) {
        fail("parc_cl_finish", e);
        return -1;
    }
    return 0;
}

const char *parc_cl_device(void)
{
    return ready("parc_cl_device") < 0 ? NULL : ocl.device_name;
}

void *parc_cl_context(void)
{
    return ready("parc_cl_context") < 0 ? NULL : ocl.ctx;
}

void *parc_cl_queue(void)
{
    return ready("parc_cl_queue") < 0 ? NULL : ocl.queue;
}

void *parc_cl_mem(parc_cl_buf *b)
{
    return ready("parc_cl_mem") == 0 && live_buffer(b, "parc_cl_mem") ? b->mem : NULL;
}

/* ------------------------------------------------------------------ */
/* %%vectorize --target opencl                                         */
/* ------------------------------------------------------------------ */

/* Device buffers of the array functions, kept between calls (grown when
 * too small): inputs, then the output. */
#define VEC_MAX_BUFS 33
static parc_cl_buf *vec_bufs[VEC_MAX_BUFS];

static parc_cl_buf *vec_buffer(int slot, size_t bytes)
{
    if (vec_bufs[slot] && vec_bufs[slot]->bytes >= bytes)
        return vec_bufs[slot];
    if (vec_bufs[slot]) {
        parc_cl_free(vec_bufs[slot]); /* the handle stays known, see handles */
    }
    return vec_bufs[slot] = parc_cl_buffer(bytes, NULL);
}

/* Called by the array functions %%vectorize --target opencl generates:
 * copies the nin input arrays (in[i], n elements of size[i] bytes) to the
 * device, runs the kernel over n items and copies n elements of out_size
 * bytes back to out. 0, or -1 after a message. */
int parc__cl_vectorize(const char *kernel, size_t n, int nin, const void *const *in, const size_t *size, void *out,
                       size_t out_size)
{
    parc_cl_kern *k = parc_cl_kernel(kernel);
    if (!k || nin >= VEC_MAX_BUFS)
        return -1;
    if (!n)
        return 0;
    for (int i = 0; i <= nin; i++) {
        size_t bytes = n * (i < nin ? size[i] : out_size);
        parc_cl_buf *b = vec_buffer(i, bytes);
        if (!b || (i < nin && parc_cl_write(b, in[i], bytes) < 0))
            return -1;
        cl_int e = clSetKernelArg(k->kernel, (cl_uint)i, sizeof(cl_mem), &b->mem);
        if (e != CL_SUCCESS) {
            fail(kernel, e);
            return -1;
        }
    }
    cl_ulong count = n;
    clSetKernelArg(k->kernel, (cl_uint)nin + 1, sizeof count, &count);
    cl_event ev = NULL;
    int64_t t0 = host_now();
    cl_int e = clEnqueueNDRangeKernel(ocl.queue, k->kernel, 1, NULL, &n, NULL, 0, NULL, &ev);
    if (e != CL_SUCCESS) {
        fail(kernel, e);
        return -1;
    }
    char *name = xasprintf("%s global %zu", k->name, n);
    pend(ev, name, 0, t0, (int64_t)n, TRACE_NO_ARG);
    free(name);
    return parc_cl_read(vec_bufs[nin], out, n * out_size);
}

/* ------------------------------------------------------------------ */
/* Launchers                                                           */
/* ------------------------------------------------------------------ */

/* The C type a launcher takes for argument a, or NULL if it has none. */
static const char *c_type(const struct arg *a)
{
    static const char *map[][2] = {
        {"char", "signed char"}, {"uchar", "unsigned char"}, {"unsigned char", "unsigned char"},
        {"short", "short"},      {"ushort", "unsigned short"}, {"unsigned short", "unsigned short"},
        {"int", "int"},          {"uint", "unsigned"},       {"unsigned int", "unsigned"},
        {"long", "long long"},   {"ulong", "unsigned long long"}, {"unsigned long", "unsigned long long"},
        {"float", "float"},      {"double", "double"},
    };
    if (a->kind == ARG_BUFFER)
        return "parc_cl_buf *";
    if (a->kind == ARG_LOCAL)
        return "size_t ";
    for (size_t i = 0; i < sizeof map / sizeof *map; i++)
        if (!strcmp(a->type, map[i][0]))
            return map[i][1];
    return NULL;
}

/* A parameter name for argument i of k that C code can use. */
static char *c_param(const struct parc_cl_kern *k, unsigned i)
{
    static const char *taken[] = {"items", "errno", "stdin", "stdout", "stderr", "assert", "NULL", "EOF",
                                  "true", "false", "bool", "I", NULL};
    const char *n = k->args[i].name;
    if (!n[0])
        return xasprintf("arg%u", i + 1);
    for (int t = 0; taken[t]; t++)
        if (!strcmp(n, taken[t]))
            return xasprintf("%s_", n);
    return k->args[i].kind == ARG_LOCAL ? xasprintf("%s_bytes", n) : xstrdup(n);
}

/* Appends to code, one line per kernel from the kernel registry's index
 * first on, a C function cl_NAME(size_t items, ARGS) that runs the
 * kernel over items work items with its arguments typed as the kernel
 * declares them, so that C converts them (2 becomes 2.0f for a float). A
 * kernel with an argument C cannot spell (float4...) gets none. */
static void add_launchers(struct buf *code, size_t first)
{
    for (size_t i = first; i < ocl.nkernels; i++) {
        const struct parc_cl_kern *k = ocl.kernels[i];
        int ok = 1;
        for (unsigned a = 0; a < k->nargs; a++)
            ok &= c_type(&k->args[a]) != NULL;
        if (!ok)
            continue;
        struct buf params = {0}, call = {0};
        for (unsigned a = 0; a < k->nargs; a++) {
            char *n = c_param(k, a);
            const char *t = c_type(&k->args[a]);
            buf_printf(&params, ", %s%s%s", t, t[strlen(t) - 1] == '*' || t[strlen(t) - 1] == ' ' ? "" : " ", n);
            buf_printf(&call, ", %s", n);
            free(n);
        }
        buf_printf(code, "int cl_%s(size_t items%s) { return parc_cl_run(parc_cl_kernel(\"%s\"), items%s); }\n",
                   k->name, params.data ? params.data : "", k->name, call.data ? call.data : "");
        buf_free(&params);
        buf_free(&call);
    }
}

/* ------------------------------------------------------------------ */
/* %%opencl                                                            */
/* ------------------------------------------------------------------ */

int ocl_magic_opencl(struct magic_call *c)
{
    const char *platform = NULL;
    int device = -1;
    struct buf opts = {0};
    char *save = NULL;
    for (char *t = strtok_r(c->args, " \t", &save); t; t = strtok_r(NULL, " \t", &save)) {
        const char *v = NULL;
        int is_dev = !strcmp(t, "--device") || !strncmp(t, "--device=", 9);
        int is_plat = !strcmp(t, "--platform") || !strncmp(t, "--platform=", 11);
        if (is_dev || is_plat) {
            v = strchr(t, '=') ? strchr(t, '=') + 1 : strtok_r(NULL, " \t", &save);
            if (!v || !*v) {
                buf_free(&opts);
                return magic_usage(c, is_dev ? "--device needs a number (%%gpus lists the devices)"
                                             : "--platform needs a name or a number (%%gpus lists them)");
            }
            char *end;
            long d = is_dev ? strtol(v, &end, 10) : 0;
            if (is_dev && (!isdigit((unsigned char)v[0]) || *end || d > 1 << 20)) {
                buf_free(&opts);
                return magic_usage(c, "--device '%s' is not a device number (%%gpus lists the devices)", v);
            }
            if (is_dev)
                device = (int)d;
            else
                platform = v;
        } else if (!strncmp(t, "--", 2)) {
            buf_free(&opts);
            return magic_usage(c, "unknown option '%s'", t);
        } else {
            buf_printf(&opts, "%s%s", opts.len ? " " : "", t);
        }
    }
    struct buf err = {0};
    int rc = ocl_open(platform, device, &err);
    if (rc < 0)
        magic_error(c, "%s", err.data);
    buf_free(&err);
    if (rc == 0) {
        /* Line k of the cell is line k of the program. */
        char *src = xasprintf("\n%s", c->body);
        struct buf diag = {0}, names = {0};
        size_t first = ocl.nkernels;
        rc = ocl_build(src, NULL, opts.data, c->cell, &diag, &names);
        if (rc < 0)
            buf_add(c->err, diag.data, diag.len);
        else if (diag.len)
            fputs(diag.data, stderr); /* warnings */
        else if (!names.len)
            fprintf(stderr, "%s: note: the cell defines no kernel\n", c->cell);
        if (rc == 0) {
            /* The cell's lines stay empty lines of C; the launchers follow. */
            for (const char *p = src; *p; p++)
                if (*p == '\n')
                    buf_addc(c->code, '\n');
            buf_addc(c->code, '\n');
            add_launchers(c->code, first);
        }
        buf_free(&diag);
        buf_free(&names);
        free(src);
    }
    buf_free(&opts);
    return rc;
}
