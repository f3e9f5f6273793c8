/* split.h — cell text -> top-level items. A cell mixes preprocessor lines,
 * magics, type declarations, global definitions, function definitions and
 * statements; the splitter finds each item and what it declares, without
 * running a full C parser (the compiler remains the judge of validity). */
#ifndef PARC_SPLIT_H
#define PARC_SPLIT_H

#include <stddef.h>

enum item_kind {
    ITEM_PP,        /* a preprocessor line (with continuations) */
    ITEM_MAGIC,     /* a line starting with % */
    ITEM_TYPE,      /* struct/union/enum definition or typedef, no objects */
    ITEM_PROTO,     /* function declaration(s) without a body, or extern */
    ITEM_VAR,       /* definition of one or more global variables */
    ITEM_FUNC,      /* function definition */
    ITEM_STMT,      /* a statement: runs when the cell runs */
    ITEM_EXPR,      /* the cell's last item: an expression without ';' */
    ITEM_EMPTY,     /* a lone ';' */
};

/* One declarator of an ITEM_VAR (or the name of ITEM_FUNC/ITEM_PROTO). */
struct declarator {
    char *name;
    char *decl;     /* the declarator text without initializer: "*p", "a[3]" */
    char *init;     /* initializer text after '=', or NULL */
    int is_array;
    int is_func;    /* declares a function (prototype) */
    int runtime_init; /* initializer must run as code (calls, reads globals) */
};

struct item {
    enum item_kind kind;
    char *text;       /* the item's source text, exact */
    int line;         /* 1-based line of its first character in the cell */
    int terminated;   /* ended with ';' (or a closing brace of a body) */
    /* Declarations: the specifiers ("static const int") and declarators. */
    char *specs;
    struct declarator *decls;
    size_t ndecls;
    /* Names of types this item defines: typedef names and "struct tag". */
    char **type_names;
    size_t ntype_names;
    int is_typedef, is_extern, is_static;
    /* Specifiers fit for an extern declaration in a later cell: no storage
     * class but __thread/_Thread_local, a tagged struct/union/enum body
     * replaced by its tag. */
    char *specs_ref;
    /* "struct tag { ... };" when the specifiers define a tagged type. */
    char *tag_def;
    /* A struct/union this item defines, for showing values: how to spell
     * its type in C, the name users know it by, and its field names. */
    char *struct_spelling;
    char *struct_display;
    char **fields;
    char **field_types; /* per field: its type if it is an array
                           ("int[2][3]", "char *[4]"), else NULL */
    size_t nfields;
    /* ITEM_FUNC: the head before the body ("int f(int x)"). */
    char *head;
};

/* Problems the splitter can see on its own. */
enum split_state {
    SPLIT_OK,
    SPLIT_OPEN,      /* unclosed bracket, string or comment: more input needed */
    SPLIT_UNBALANCED,/* a closing bracket without its opener */
    SPLIT_LITERAL,   /* a string or character literal the line ends inside */
    SPLIT_DANGLING,  /* the text ends with an operator or ',' that needs more
                        after it (`x = a +`, `int *`, `int a = 1,`): more
                        input needed; err_line/err_col point at it */
};

struct split {
    struct item *items;
    size_t nitems;
    enum split_state state;
    int err_line;    /* where an unbalanced bracket, bad literal or dangling
                        operator was found */
    int err_col;     /* SPLIT_LITERAL: the column of its opening quote;
                        SPLIT_DANGLING: the operator's column */
    int err_len;     /* SPLIT_DANGLING: the operator's length in bytes */
    char *cell_magic;/* the first line if it starts with %%, else NULL */
    int body_line;   /* line where the body starts (2 after a cell magic) */
};

/* Names the session knows to be types (typedefs from earlier cells), asked
 * by the splitter to tell declarations from statements. */
typedef int (*split_is_type_fn)(void *ctx, const char *name);
/* Names the session knows to be variables (their initializers that read
 * one must run as code). */
typedef int (*split_is_var_fn)(void *ctx, const char *name);

struct split_ctx {
    split_is_type_fn is_type;
    split_is_var_fn is_var;
    void *ctx;
};

/* Splits code into items. Always fills *out (free with split_free); state
 * says whether the text is lexically complete (SPLIT_DANGLING still fills
 * the items, the last one unterminated). ctx may be NULL. */
void split_cell(const char *code, const struct split_ctx *ctx, struct split *out);
void split_free(struct split *s);

/* Whether name is a C keyword. */
int split_is_keyword(const char *name);
/* The NULL-terminated list of C keywords (for completion). */
extern const char *const split_keywords[];

/* Identifiers in text (no keywords, no duplicates), for dependency checks.
 * Returns a malloc'd NULL-terminated array; free with split_strv_free. */
char **split_identifiers(const char *text);
void split_strv_free(char **v);

#endif
