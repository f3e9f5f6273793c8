/* nvrtc.c — kernel-only %%cuda cells through NVRTC, and the parc_cuda_*
 * functions C cells launch them with (see nvrtc.h and parc.h). NVRTC and
 * the driver are loaded with dlopen: parc runs without them. */
#include "nvrtc.h"
#include "cuda.h"
#include "cudadev.h"
#include "diag.h"
#include "magic.h"
#include "jit.h"
#include "session.h"
#include "parc.h"
#include "textutil.h"
#include "util.h"

#include <dlfcn.h>
#include <fcntl.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

/* NVRTC's functions, spelled without its header. */
typedef int (*create_fn)(void **, const char *, const char *, int, const char *const *, const char *const *);
typedef int (*compile_fn)(void *, int, const char *const *);
typedef int (*size_fn)(void *, size_t *);
typedef int (*get_fn)(void *, char *);
typedef int (*name_fn)(void *, const char *);
typedef int (*lowered_fn)(void *, const char *, const char **);
typedef int (*destroy_fn)(void **);

/* A kernel the session can launch. The table lives in the process, like
 * the CUDA context its functions belong to. */
struct kernel {
    char *name;
    void *fn; /* CUfunction */
};
static struct kernel *kernels;
static size_t nkernels;

static void *nvrtc_lib(void)
{
    static void *lib;
    if (!lib)
        lib = dlopen("libnvrtc.so.13", RTLD_NOW | RTLD_GLOBAL);
    if (!lib) {
        char *p = xasprintf("%s/lib64/libnvrtc.so", cudadev_home());
        lib = dlopen(p, RTLD_NOW | RTLD_GLOBAL);
        free(p);
    }
    return lib;
}

int nvrtc_accepts(const char *flags)
{
    static const char *const ok[] = {"-D", "-U", "-I", "-std=", "--std=", "--use_fast_math", "-use_fast_math",
                                     "-lineinfo", "-G", "-arch=", "--gpu-architecture=", NULL};
    char *copy = xstrdup(flags);
    char *save = NULL;
    int good = 1;
    for (char *t = strtok_r(copy, " \t", &save); t && good; t = strtok_r(NULL, " \t", &save)) {
        int any = 0;
        for (int i = 0; ok[i] && !any; i++)
            any = !strncmp(t, ok[i], strlen(ok[i]));
        good = any;
    }
    free(copy);
    return good;
}

/* ------------------------------------------------------------------ */
/* Files of the cache                                                  */
/* ------------------------------------------------------------------ */

/* Writes len bytes to path through a temporary file (another process may
 * read the cache meanwhile). */
static void put(const char *path, const void *data, size_t len)
{
    char *tmp = xasprintf("%s.%d", path, (int)getpid());
    int fd = open(tmp, O_WRONLY | O_CREAT | O_TRUNC, 0644);
    int ok = fd >= 0 && write_all(fd, data, len) == 0;
    if (fd >= 0)
        close(fd);
    if (!ok || rename(tmp, path) < 0)
        unlink(tmp);
    free(tmp);
}

/* ------------------------------------------------------------------ */
/* Compiling                                                           */
/* ------------------------------------------------------------------ */

/* Compiles src with NVRTC. On success returns the image (CUBIN for an sm_
 * architecture, else PTX), malloc'd, its size in *len, and the lowered
 * names of names[] as "name\tlowered\n" lines in *lowered. On failure
 * NULL with the log in log. */
static char *compile(const char *src, const char *cell, const char *const *names, size_t n, char **opts,
                     size_t nopts, int cubin, size_t *len, struct buf *lowered, struct buf *log)
{
    void *lib = nvrtc_lib();
    if (!lib) {
        buf_printf(log, "error: NVRTC (libnvrtc.so.13) was not found in %s/lib64\n", cudadev_home());
        return NULL;
    }
    create_fn create = (create_fn)dlsym(lib, "nvrtcCreateProgram");
    compile_fn comp = (compile_fn)dlsym(lib, "nvrtcCompileProgram");
    size_fn logsize = (size_fn)dlsym(lib, "nvrtcGetProgramLogSize");
    get_fn getlog = (get_fn)dlsym(lib, "nvrtcGetProgramLog");
    size_fn imgsize = (size_fn)dlsym(lib, cubin ? "nvrtcGetCUBINSize" : "nvrtcGetPTXSize");
    get_fn getimg = (get_fn)dlsym(lib, cubin ? "nvrtcGetCUBIN" : "nvrtcGetPTX");
    name_fn addname = (name_fn)dlsym(lib, "nvrtcAddNameExpression");
    lowered_fn getlow = (lowered_fn)dlsym(lib, "nvrtcGetLoweredName");
    destroy_fn destroy = (destroy_fn)dlsym(lib, "nvrtcDestroyProgram");
    if (!create || !comp || !logsize || !getlog || !imgsize || !getimg || !addname || !getlow || !destroy) {
        buf_adds(log, "error: NVRTC lacks the functions parc needs\n");
        return NULL;
    }
    void *prog = NULL;
    if (create(&prog, src, cell, 0, NULL, NULL) != 0) {
        buf_adds(log, "error: NVRTC could not take the program\n");
        return NULL;
    }
    for (size_t i = 0; i < n; i++)
        addname(prog, names[i]);
    int rc = comp(prog, (int)nopts, (const char *const *)opts);
    size_t ls = 0;
    if (logsize(prog, &ls) == 0 && ls > 1) {
        char *l = xmalloc(ls + 1);
        if (getlog(prog, l) == 0)
            buf_adds(log, l);
        free(l);
    }
    char *img = NULL;
    if (rc == 0 && imgsize(prog, len) == 0) {
        img = xmalloc(*len + 1);
        if (getimg(prog, img) != 0) {
            free(img);
            img = NULL;
        }
        for (size_t i = 0; img && i < n; i++) {
            const char *low = NULL;
            if (getlow(prog, names[i], &low) == 0 && low)
                buf_printf(lowered, "%s\t%s\n", names[i], low);
        }
    }
    destroy(&prog);
    return img;
}

/* ------------------------------------------------------------------ */
/* Loading                                                             */
/* ------------------------------------------------------------------ */

typedef int (*retain_fn)(void **, int);
typedef int (*setcur_fn)(void *);

/* Makes the device's primary context (the one the CUDA runtime uses too)
 * current in the calling thread. 0 or the driver's error. */
static int use_context(void)
{
    static void *ctx;
    if (!ctx) {
        retain_fn retain = (retain_fn)cudadev_sym("cuDevicePrimaryCtxRetain");
        int rc = retain ? retain(&ctx, 0) : -1;
        if (rc != 0) {
            ctx = NULL;
            return rc;
        }
    }
    setcur_fn set = (setcur_fn)cudadev_sym("cuCtxSetCurrent");
    return set ? set(ctx) : -1;
}

static const char *cu_error(int rc)
{
    int (*str)(int, const char **) = (int (*)(int, const char **))cudadev_sym("cuGetErrorString");
    const char *s = NULL;
    return str && str(rc, &s) == 0 && s ? s : "unknown error";
}

static void add_kernel(const char *name, void *fn)
{
    for (size_t i = 0; i < nkernels; i++)
        if (!strcmp(kernels[i].name, name)) {
            kernels[i].fn = fn;
            return;
        }
    kernels = xrealloc(kernels, (nkernels + 1) * sizeof *kernels);
    kernels[nkernels++] = (struct kernel){xstrdup(name), fn};
}

/* Loads image and registers its kernels (lowered: "name\tlowered\n"
 * lines). 0, or -1 with a message in err. */
static int load(const char *cell, const char *image, const char *lowered, struct buf *err)
{
    int rc = use_context();
    void *mod = NULL;
    int (*modload)(void **, const void *) = (int (*)(void **, const void *))cudadev_sym("cuModuleLoadData");
    int (*getfn)(void **, void *, const char *) =
        (int (*)(void **, void *, const char *))cudadev_sym("cuModuleGetFunction");
    if (rc == 0)
        rc = modload && getfn ? modload(&mod, image) : -1;
    if (rc != 0) {
        buf_printf(err, "%s: error: the GPU did not load the compiled kernels: %s\n", cell, cu_error(rc));
        return -1;
    }
    for (const char *l = lowered; *l;) {
        const char *tab = strchr(l, '\t'), *nl = strchr(l, '\n');
        if (!tab || !nl)
            break;
        char *name = xstrndup(l, (size_t)(tab - l));
        char *low = xstrndup(tab + 1, (size_t)(nl - tab - 1));
        void *fn = NULL;
        if (getfn(&fn, mod, low) == 0)
            add_kernel(name, fn);
        free(name);
        free(low);
        l = nl + 1;
    }
    return 0;
}

int nvrtc_cell(struct magic_call *c, const char *const *names, size_t n, const char *flags,
               const struct cudadev_info *dev)
{
    char *text = xasprintf("#line 2 \"%s\"\n%s\n", CUDA_CELL_NAME, c->body);
    int rc = nvrtc_program(c, text, names, n, flags, dev);
    free(text);
    return rc;
}

int nvrtc_program(struct magic_call *c, const char *text, const char *const *names, size_t n, const char *flags,
                  const struct cudadev_info *dev)
{
    struct buf src = {0}, key = {0};
    buf_adds(&src, text);
    /* Options: the cell's, then the architecture. */
    char **opts = NULL;
    size_t nopts = 0;
    char *copy = xstrdup(flags);
    char *save = NULL;
    int arch = 0;
    for (char *t = strtok_r(copy, " \t", &save); t; t = strtok_r(NULL, " \t", &save)) {
        arch |= !strncmp(t, "-arch=", 6) || !strncmp(t, "--gpu-architecture=", 19);
        opts = xrealloc(opts, (nopts + 1) * sizeof *opts);
        opts[nopts++] = xstrdup(t);
    }
    free(copy);
    if (!arch) {
        opts = xrealloc(opts, (nopts + 1) * sizeof *opts);
        opts[nopts++] = dev ? xasprintf("--gpu-architecture=sm_%d%d", dev->major, dev->minor)
                            : xstrdup("--gpu-architecture=compute_75");
    }
    opts = xrealloc(opts, (nopts + 1) * sizeof *opts);
    opts[nopts++] = xasprintf("-I%s", c->s->jit->runtime_include);
    int cubin = 0; /* a real architecture (sm_XY) gives machine code, a virtual one PTX */
    for (size_t i = 0; i < nopts; i++)
        cubin |= (!strncmp(opts[i], "-arch=", 6) || !strncmp(opts[i], "--gpu-architecture=", 19)) &&
                 strstr(opts[i], "=sm_");
    for (size_t i = 0; i < nopts; i++)
        buf_printf(&key, "%s\n", opts[i]);
    buf_add(&key, src.data, src.len);
    unsigned long long h = cuda_hash(CUDA_HASH_START, key.data, key.len);
    char *cache = cache_folder(NULL);
    char *img_path = cache ? xasprintf("%s/nvrtc-%016llx.%s", cache, h, cubin ? "cubin" : "ptx") : NULL;
    char *names_path = cache ? xasprintf("%s/nvrtc-%016llx.names", cache, h) : NULL;
    size_t len = 0, nlen = 0;
    char *image = img_path ? read_whole_file(img_path, &len) : NULL;
    char *lowered = image ? read_whole_file(names_path, &nlen) : NULL;
    int rc = 0;
    if (!image || !lowered) {
        free(image);
        free(lowered);
        struct buf low = {0}, log = {0};
        image = compile(src.data, CUDA_CELL_NAME, names, n, opts, nopts, cubin, &len, &low, &log);
        struct buf mapped = {0};
        cuda_messages(&mapped, c->cell, log.data ? log.data : "");
        char *code = xasprintf("%s\n%s", c->text, c->body);
        struct buf shown = {0};
        if (mapped.len)
            diag_format(&shown, c->cell, code, mapped.data);
        free(code);
        if (!image) {
            buf_add(c->err, shown.data ? shown.data : "", shown.len);
            if (!shown.len)
                magic_error(c, "NVRTC could not compile the cell");
            rc = -1;
        } else if (shown.len) {
            fputs(shown.data, stderr);
            fflush(stderr);
        }
        if (image && img_path) {
            put(img_path, image, len);
            put(names_path, low.data ? low.data : "", low.len);
        }
        lowered = buf_take(&low);
        buf_free(&log);
        buf_free(&mapped);
        buf_free(&shown);
    }
    if (rc == 0 && dev)
        rc = load(c->cell, image, lowered, c->err);
    free(image);
    free(lowered);
    free(img_path);
    free(names_path);
    free(cache);
    strv_free(opts, nopts);
    buf_free(&src);
    buf_free(&key);
    return rc;
}

/* ------------------------------------------------------------------ */
/* parc_cuda_* (parc.h)                                                */
/* ------------------------------------------------------------------ */

/* Makes sure a device is there and its context current; else prints why
 * not for the function what and returns -1. */
static int ready(const char *what)
{
    struct buf why = {0};
    if (cudadev_probe(NULL, &why) < 0) {
        fprintf(stderr, "parc: %s: no CUDA device: %s\n", what, why.data);
        buf_free(&why);
        return -1;
    }
    int rc = use_context();
    if (rc != 0) {
        fprintf(stderr, "parc: %s: the GPU's context cannot be used: %s\n", what, cu_error(rc));
        return -1;
    }
    return 0;
}

/* Reports a driver error of the function what: -1, or 0 if rc is 0. */
static int check(const char *what, int rc)
{
    if (rc == 0)
        return 0;
    fprintf(stderr, "parc: %s: %s (CUDA error %d)\n", what, cu_error(rc), rc);
    return -1;
}

int parc_cuda_launch3(const char *kernel, unsigned gx, unsigned gy, unsigned gz, unsigned bx, unsigned by,
                      unsigned bz, size_t shared_bytes, void **args)
{
    if (ready("parc_cuda_launch") < 0)
        return -1;
    void *fn = NULL;
    for (size_t i = 0; i < nkernels && !fn; i++)
        if (!strcmp(kernels[i].name, kernel ? kernel : ""))
            fn = kernels[i].fn;
    if (!fn) {
        fprintf(stderr, "parc: parc_cuda_launch: no kernel named '%s'", kernel ? kernel : "(null)");
        for (size_t i = 0; i < nkernels; i++)
            fprintf(stderr, "%s%s", i ? ", " : " (kernels: ", kernels[i].name);
        fprintf(stderr, "%s\n", nkernels ? ")" : " (define it in a %%cuda cell of kernels)");
        return -1;
    }
    typedef int (*launch_fn)(void *, unsigned, unsigned, unsigned, unsigned, unsigned, unsigned, unsigned, void *,
                             void **, void **);
    launch_fn launch = (launch_fn)cudadev_sym("cuLaunchKernel");
    return check("parc_cuda_launch", launch ? launch(fn, gx, gy, gz, bx, by, bz, (unsigned)shared_bytes, NULL,
                                                    args, NULL)
                                           : -1);
}

int parc_cuda_launch(const char *kernel, unsigned grid, unsigned block, void **args)
{
    return parc_cuda_launch3(kernel, grid, 1, 1, block, 1, 1, 0, args);
}

void *parc_cuda_malloc(size_t bytes)
{
    if (ready("parc_cuda_malloc") < 0)
        return NULL;
    uint64_t p = 0;
    int (*alloc)(uint64_t *, size_t) = (int (*)(uint64_t *, size_t))cudadev_sym("cuMemAlloc_v2");
    if (check("parc_cuda_malloc", alloc ? alloc(&p, bytes) : -1) < 0)
        return NULL;
    return (void *)(uintptr_t)p;
}

int parc_cuda_free(void *p)
{
    if (!p)
        return 0;
    if (ready("parc_cuda_free") < 0)
        return -1;
    int (*fr)(uint64_t) = (int (*)(uint64_t))cudadev_sym("cuMemFree_v2");
    return check("parc_cuda_free", fr ? fr((uint64_t)(uintptr_t)p) : -1);
}

int parc_cuda_to_device(void *dst, const void *src, size_t bytes)
{
    if (ready("parc_cuda_to_device") < 0)
        return -1;
    int (*cp)(uint64_t, const void *, size_t) = (int (*)(uint64_t, const void *, size_t))cudadev_sym("cuMemcpyHtoD_v2");
    return check("parc_cuda_to_device", cp ? cp((uint64_t)(uintptr_t)dst, src, bytes) : -1);
}

int parc_cuda_to_host(void *dst, const void *src, size_t bytes)
{
    if (ready("parc_cuda_to_host") < 0)
        return -1;
    int (*cp)(void *, uint64_t, size_t) = (int (*)(void *, uint64_t, size_t))cudadev_sym("cuMemcpyDtoH_v2");
    return check("parc_cuda_to_host", cp ? cp(dst, (uint64_t)(uintptr_t)src, bytes) : -1);
}

int parc_cuda_sync(void)
{
    if (ready("parc_cuda_sync") < 0)
        return -1;
    int (*sync)(void) = (int (*)(void))cudadev_sym("cuCtxSynchronize");
    return check("parc_cuda_sync", sync ? sync() : -1);
}

int parc_cuda_available(void)
{
    return cudadev_probe(NULL, NULL) == 0;
}

int parc__cuda_vectorize(const char *kernel, size_t n, int nin, const void *const *in, const size_t *size, void *out,
                         size_t out_size)
{
    if (ready(kernel) < 0)
        return -1;
    int (*alloc)(uint64_t *, size_t) = (int (*)(uint64_t *, size_t))cudadev_sym("cuMemAlloc_v2");
    int (*fr)(uint64_t) = (int (*)(uint64_t))cudadev_sym("cuMemFree_v2");
    int (*h2d)(uint64_t, const void *, size_t) = (int (*)(uint64_t, const void *, size_t))cudadev_sym("cuMemcpyHtoD_v2");
    int (*d2h)(void *, uint64_t, size_t) = (int (*)(void *, uint64_t, size_t))cudadev_sym("cuMemcpyDtoH_v2");
    if (!alloc || !fr || !h2d || !d2h)
        return -1;
    uint64_t dev[17] = {0};
    void *args[18];
    int rc = nin > 16 ? -1 : 0;
    for (int i = 0; i <= nin && rc == 0; i++) {
        size_t bytes = (i < nin ? size[i] : out_size) * (n ? n : 1);
        rc = check(kernel, alloc(&dev[i], bytes));
        if (rc == 0 && i < nin)
            rc = check(kernel, h2d(dev[i], in[i], size[i] * n));
        args[i] = &dev[i];
    }
    unsigned long long count = n;
    args[nin + 1] = &count;
    if (rc == 0 && n)
        rc = parc_cuda_launch(kernel, (unsigned)((n + 255) / 256), 256, args);
    if (rc == 0 && n)
        rc = check(kernel, d2h(out, dev[nin], out_size * n));
    for (int i = 0; i <= nin; i++)
        if (dev[i])
            fr(dev[i]);
    return rc;
}
