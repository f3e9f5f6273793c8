/* vectorize.h — %%vectorize: one scalar C function becomes an element-wise
 * function over arrays for a target (a plain loop, OpenMP threads, an
 * OpenCL or CUDA kernel with its transfers), the C counterpart of
 * numba.vectorize. The scalar function stays callable.
 *
 *   float expon(float x, float y) { return expf(x) + expf(y); }
 *   --target opencl  ->  void expon_opencl(const float *x, const float *y, float *out, size_t n)
 *
 * A target is one entry of the table in vectorize.c: it appends C code
 * defining the array function after the cell's text (which stays as it
 * is, so messages keep their lines) and may build device code itself. */
#ifndef PARC_VECTORIZE_H
#define PARC_VECTORIZE_H

#include <stddef.h>

struct buf;
struct magic_call;

/* The scalar function of a %%vectorize cell, as read from its text. */
struct vec_fn {
    char *ret;     /* return type, as written: "float" */
    char *name;    /* "expon" */
    char **ptype;  /* parameter types: "float" */
    char **pname;  /* parameter names: "x" */
    int nparams;
    char *array;   /* the array function's name: "expon_opencl" or --name */
    int line;      /* cell line of the function's name */
    size_t end;    /* offset in the cell's body just after the function */
};

/* What a target gets: the magic call (cell, body, session; c->code holds
 * the cell's text, to which the target appends), and the function. */
struct vec_target {
    const char *name; /* --target NAME */
    /* Appends to c->code the C definition of fn->array (and whatever it
     * needs), after building device code if any; may set the cell's
     * compiler (c->s->jit->cell_cc). 0, or -1 with a message in c->err. */
    int (*generate)(struct magic_call *c, const struct vec_fn *fn);
};

/* %%vectorize [--target cpu|omp|opencl|cuda] [--name NAME] */
int vectorize_magic(struct magic_call *c);

/* Writes the C parameter list of the array function: "const float *x,
 * const float *y, float *out, size_t n". For targets. */
void vectorize_params(const struct vec_fn *fn, struct buf *out);

/* The name the array function gives its output array or its count: want
 * ("out", "n"), or other ("out_", "n_") when a parameter of fn is named
 * want. */
const char *vectorize_unused_name(const struct vec_fn *fn, const char *want, const char *other);

/* Appends the cell's text (body) up to the function's end, each #include
 * line left empty: a device compiler has its own headers, and the lines
 * keep their numbers. For device targets. */
void vectorize_add_text(struct buf *b, const char *body, const struct vec_fn *fn);

/* Appends the array function of a device target: it declares the runtime
 * function call (parc__cl_vectorize, parc__cuda_vectorize) and hands it
 * the kernel's name fn->array, the count, the inputs with their element
 * sizes and the output with its element size. */
void vectorize_add_launcher(struct buf *b, const struct vec_fn *fn, const char *call);

#endif
