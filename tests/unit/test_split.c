/* test_split.c — unit tests for the cell splitter (jit/split.c): item
 * kinds, declarators, types, fields, runtime initializers, line numbers,
 * magics and the open/unbalanced states. Prints each failed check with its
 * place, then "N passed, M failed"; exits 1 if any failed. */
#include "split.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* ------------------------------------------------------------------ */
/* Checks                                                              */
/* ------------------------------------------------------------------ */

static int passed, failed;

static void check_int(const char *file, int line, const char *what, long long got, long long want)
{
    if (got == want) {
        passed++;
        return;
    }
    failed++;
    printf("%s:%d: %s: expected %lld, got %lld\n", file, line, what, want, got);
}

static void check_str(const char *file, int line, const char *what, const char *got, const char *want)
{
    if ((!got && !want) || (got && want && !strcmp(got, want))) {
        passed++;
        return;
    }
    failed++;
    printf("%s:%d: %s: expected %s%s%s, got %s%s%s\n", file, line, what, want ? "\"" : "", want ? want : "NULL",
           want ? "\"" : "", got ? "\"" : "", got ? got : "NULL", got ? "\"" : "");
}

#define EQ_INT(got, want) check_int(__FILE__, __LINE__, #got, (long long)(got), (long long)(want))
#define EQ_STR(got, want) check_str(__FILE__, __LINE__, #got, (got), (want))
#define TRUE(cond) check_int(__FILE__, __LINE__, #cond, !!(cond), 1)

/* ------------------------------------------------------------------ */
/* Fixture                                                             */
/* ------------------------------------------------------------------ */

/* The session of these tests knows the types point and vec and the
 * variables g, counter and a. */
static int fake_is_type(void *ctx, const char *name)
{
    (void)ctx;
    return !strcmp(name, "point") || !strcmp(name, "vec");
}

static int fake_is_var(void *ctx, const char *name)
{
    (void)ctx;
    return !strcmp(name, "g") || !strcmp(name, "counter") || !strcmp(name, "a");
}

static const struct split_ctx session = {fake_is_type, fake_is_var, NULL};

static struct split S; /* the last split; freed by the next one */

static void split_with(const char *code, const struct split_ctx *ctx)
{
    split_free(&S);
    split_cell(code, ctx, &S);
}

static void sp(const char *code)
{
    split_with(code, &session);
}

static const char *kind_name(enum item_kind k)
{
    static const char *const names[] = {"PP", "MAGIC", "TYPE", "PROTO", "VAR", "FUNC", "STMT", "EXPR", "EMPTY"};
    return (unsigned)k < sizeof names / sizeof *names ? names[k] : "?";
}

/* The kinds of the last split's items, space-separated: "VAR STMT EXPR". */
static const char *kinds(void)
{
    static char b[1024];
    b[0] = 0;
    for (size_t i = 0; i < S.nitems; i++) {
        if (i)
            strcat(b, " ");
        strcat(b, kind_name(S.items[i].kind));
    }
    return b;
}

/* Item i of the last split; an empty item (and a failed check) when there
 * are fewer, so a wrong count does not crash the remaining checks. */
static const struct item *item_at(size_t i, const char *file, int line)
{
    static const struct item none;
    if (i < S.nitems)
        return &S.items[i];
    check_int(file, line, "item index < nitems", (long long)i, (long long)S.nitems - 1);
    return &none;
}

static const struct declarator *decl_at(const struct item *it, size_t j, const char *file, int line)
{
    static const struct declarator none = {.decl = ""};
    if (j < it->ndecls)
        return &it->decls[j];
    check_int(file, line, "declarator index < ndecls", (long long)j, (long long)it->ndecls - 1);
    return &none;
}

static const char *strv_at(char **v, size_t n, size_t j)
{
    return j < n ? v[j] : NULL;
}

#define IT(i) item_at((i), __FILE__, __LINE__)
#define D(i, j) decl_at(IT(i), (j), __FILE__, __LINE__)
#define TYPE_NAME(i, j) strv_at(IT(i)->type_names, IT(i)->ntype_names, (j))
#define FIELD(i, j) strv_at(IT(i)->fields, IT(i)->nfields, (j))

/* ------------------------------------------------------------------ */
/* Item kinds                                                          */
/* ------------------------------------------------------------------ */

static void test_each_kind(void)
{
    sp("#include <stdio.h>\n"
       "%time\n"
       "typedef int myint;\n"
       "int sq(int);\n"
       "int v = 2;\n"
       "int sq(int x) { return x * x; }\n"
       "v = sq(v);\n"
       ";\n"
       "v + 1");
    EQ_INT(S.state, SPLIT_OK);
    EQ_STR(kinds(), "PP MAGIC TYPE PROTO VAR FUNC STMT EMPTY EXPR");
    EQ_STR(IT(0)->text, "#include <stdio.h>");
    EQ_STR(IT(1)->text, "%time");
    EQ_STR(IT(2)->text, "typedef int myint;");
    EQ_STR(IT(3)->text, "int sq(int);");
    EQ_STR(IT(4)->text, "int v = 2;");
    EQ_STR(IT(5)->text, "int sq(int x) { return x * x; }");
    EQ_STR(IT(6)->text, "v = sq(v);");
    EQ_STR(IT(7)->text, ";");
    EQ_STR(IT(8)->text, "v + 1");
    for (int i = 0; i < 8; i++)
        EQ_INT(IT(i)->terminated, 1);
    EQ_INT(IT(8)->terminated, 0);
    for (int i = 0; i < 9; i++)
        EQ_INT(IT(i)->line, i + 1);
}

static void test_empty_cells(void)
{
    const char *blank[] = {"", "   \n\t\n", "// only a comment", "/* only\n a block */", "\n;\n"};
    for (size_t i = 0; i < sizeof blank / sizeof *blank; i++) {
        sp(blank[i]);
        EQ_INT(S.state, SPLIT_OK);
        EQ_STR(kinds(), i == 4 ? "EMPTY" : "");
    }
    EQ_INT(IT(0)->line, 2);
}

/* ------------------------------------------------------------------ */
/* Declarations                                                        */
/* ------------------------------------------------------------------ */

static void test_multiple_declarators(void)
{
    sp("int a1 = 1, *b, c[3];");
    EQ_STR(kinds(), "VAR");
    EQ_STR(IT(0)->specs, "int");
    EQ_STR(IT(0)->specs_ref, "int");
    EQ_INT(IT(0)->ndecls, 3);
    EQ_STR(D(0, 0)->name, "a1");
    EQ_STR(D(0, 0)->decl, "a1");
    EQ_STR(D(0, 0)->init, "1");
    EQ_INT(D(0, 0)->is_array, 0);
    EQ_STR(D(0, 1)->name, "b");
    EQ_STR(D(0, 1)->decl, "*b");
    EQ_STR(D(0, 1)->init, NULL);
    EQ_STR(D(0, 2)->name, "c");
    EQ_STR(D(0, 2)->decl, "c[3]");
    EQ_INT(D(0, 2)->is_array, 1);
    EQ_INT(D(0, 2)->is_func, 0);
    EQ_INT(IT(0)->is_static + IT(0)->is_extern + IT(0)->is_typedef, 0);

    sp("static const char *names[] = {\"x\", \"y\"}, *last;");
    EQ_STR(kinds(), "VAR");
    EQ_STR(IT(0)->specs, "static const char");
    EQ_STR(IT(0)->specs_ref, "const char");
    EQ_INT(IT(0)->is_static, 1);
    EQ_STR(D(0, 0)->decl, "*names[2]"); /* the size its initializer gives */
    EQ_STR(D(0, 0)->init, "{\"x\", \"y\"}");
    EQ_INT(D(0, 0)->is_array, 1);
    EQ_STR(D(0, 1)->name, "last");

    /* A comma inside an initializer's brackets does not split declarators. */
    sp("int m[2][2] = {{1, 2}, {3, 4}}, k = (1, 2);");
    EQ_INT(IT(0)->ndecls, 2);
    EQ_STR(D(0, 0)->init, "{{1, 2}, {3, 4}}");
    EQ_STR(D(0, 1)->init, "(1, 2)");
}

static void test_functions(void)
{
    sp("int main() { return 0; }");
    EQ_STR(kinds(), "FUNC");
    EQ_STR(IT(0)->head, "int main()");
    EQ_STR(D(0, 0)->name, "main");
    EQ_INT(D(0, 0)->is_func, 1);
    EQ_INT(IT(0)->terminated, 1);

    sp("static inline int sq(int x) { return x * x; }");
    EQ_STR(kinds(), "FUNC");
    EQ_STR(IT(0)->head, "static inline int sq(int x)");
    EQ_STR(IT(0)->specs, "static inline int");
    EQ_STR(IT(0)->specs_ref, "int");
    EQ_INT(IT(0)->is_static, 1);
    EQ_STR(D(0, 0)->name, "sq");

    sp("unsigned long long big(void)\n{\n    return 1ULL << 40;\n}\nbig()");
    EQ_STR(kinds(), "FUNC EXPR");
    EQ_STR(IT(0)->head, "unsigned long long big(void)");
    EQ_STR(IT(0)->specs, "unsigned long long");
    EQ_STR(D(0, 0)->name, "big");
    EQ_INT(IT(1)->line, 5);

    sp("char *dup(const char *s) { return 0; }");
    EQ_STR(kinds(), "FUNC");
    EQ_STR(IT(0)->head, "char *dup(const char *s)");
    EQ_STR(D(0, 0)->name, "dup");
    EQ_STR(D(0, 0)->decl, "*dup(const char *s)");

    sp("struct s *mk(void) { return 0; }\nstruct s mk2(void) { struct s r = {0}; return r; }");
    EQ_STR(kinds(), "FUNC FUNC");
    EQ_STR(D(0, 0)->name, "mk");
    EQ_STR(IT(0)->specs, "struct s");
    EQ_STR(D(1, 0)->name, "mk2");
    EQ_INT(IT(0)->ntype_names, 0);

    /* A function returning a function pointer. */
    sp("int (*pick(int k))(int) { return 0; }");
    EQ_STR(kinds(), "FUNC");
    EQ_STR(D(0, 0)->name, "pick");
    EQ_STR(IT(0)->head, "int (*pick(int k))(int)");

    /* Braces, quotes and semicolons inside the body stay in it. */
    sp("void say(void) {\n  puts(\"}{;\"); char c = '}'; /* } */ // }\n  if (1) { ; }\n}\nsay();");
    EQ_STR(kinds(), "FUNC STMT");
    EQ_INT(IT(1)->line, 5);
    EQ_STR(IT(1)->text, "say();");
}

static void test_prototypes(void)
{
    sp("char *f(int);\nint g2(void), h(int, char **);\nvoid (*sig(int, void (*)(int)))(int);\n");
    EQ_STR(kinds(), "PROTO PROTO PROTO");
    EQ_STR(D(0, 0)->name, "f");
    EQ_STR(D(0, 0)->decl, "*f(int)");
    EQ_INT(D(0, 0)->is_func, 1);
    EQ_INT(IT(1)->ndecls, 2);
    EQ_STR(D(1, 1)->name, "h");
    EQ_INT(D(1, 1)->is_func, 1);
    EQ_STR(D(2, 0)->name, "sig");

    sp("extern int ext;\nextern int ef(int);\nextern char buf[];");
    EQ_STR(kinds(), "PROTO PROTO PROTO");
    EQ_INT(IT(0)->is_extern, 1);
    EQ_STR(IT(0)->specs, "extern int");
    EQ_STR(IT(0)->specs_ref, "int");
    EQ_STR(D(0, 0)->name, "ext");
    EQ_INT(D(0, 0)->is_func, 0);
    EQ_STR(D(1, 0)->name, "ef");
    EQ_INT(D(2, 0)->is_array, 1);

    /* A function and an object in one declaration is a definition. */
    sp("int fn(int), obj;");
    EQ_STR(kinds(), "VAR");
    EQ_INT(D(0, 0)->is_func, 1);
    EQ_INT(D(0, 1)->is_func, 0);
}

static void test_function_pointers(void)
{
    sp("int (*fp)(int) = 0;");
    EQ_STR(kinds(), "VAR");
    EQ_STR(D(0, 0)->name, "fp");
    EQ_STR(D(0, 0)->decl, "(*fp)(int)");
    EQ_STR(D(0, 0)->init, "0");
    EQ_INT(D(0, 0)->is_func, 0);
    EQ_INT(D(0, 0)->is_array, 0);

    sp("int (*tbl[2])(int) = {0};\nvoid (*handler)(void);");
    EQ_STR(kinds(), "VAR VAR");
    EQ_STR(D(0, 0)->name, "tbl");
    EQ_INT(D(0, 0)->is_func, 0);
    EQ_STR(D(1, 0)->name, "handler");
    EQ_INT(D(1, 0)->is_func, 0);

    sp("typedef int (*cmp_fn)(const void *, const void *);");
    EQ_STR(kinds(), "TYPE");
    EQ_INT(IT(0)->is_typedef, 1);
    EQ_INT(IT(0)->ntype_names, 1);
    EQ_STR(TYPE_NAME(0, 0), "cmp_fn");
}

/* ------------------------------------------------------------------ */
/* Types                                                               */
/* ------------------------------------------------------------------ */

static void test_typedef_struct(void)
{
    sp("typedef struct { int x, y; } pt;");
    EQ_STR(kinds(), "TYPE");
    EQ_INT(IT(0)->is_typedef, 1);
    EQ_INT(IT(0)->ntype_names, 1);
    EQ_STR(TYPE_NAME(0, 0), "pt");
    EQ_STR(IT(0)->tag_def, NULL);
    EQ_STR(IT(0)->struct_spelling, "pt");
    EQ_STR(IT(0)->struct_display, "pt");
    EQ_INT(IT(0)->nfields, 2);
    EQ_STR(FIELD(0, 0), "x");
    EQ_STR(FIELD(0, 1), "y");

    sp("typedef struct node { int v; struct node *next; } node_t, *node_p;");
    EQ_STR(kinds(), "TYPE");
    EQ_INT(IT(0)->ntype_names, 3);
    EQ_STR(TYPE_NAME(0, 0), "struct node");
    EQ_STR(TYPE_NAME(0, 1), "node_t");
    EQ_STR(TYPE_NAME(0, 2), "node_p");
    EQ_STR(IT(0)->tag_def, "struct node { int v; struct node *next; };");
    EQ_STR(IT(0)->specs_ref, "struct node");
    EQ_STR(IT(0)->struct_spelling, "struct node");
    EQ_STR(IT(0)->struct_display, "node_t");
    EQ_INT(IT(0)->nfields, 2);
    EQ_STR(FIELD(0, 1), "next");

    sp("typedef int arr_t[4];\ntypedef point point2, *point_p;");
    EQ_STR(kinds(), "TYPE TYPE");
    EQ_STR(TYPE_NAME(0, 0), "arr_t");
    EQ_INT(IT(1)->ntype_names, 2);
    EQ_STR(TYPE_NAME(1, 0), "point2");
    EQ_STR(TYPE_NAME(1, 1), "point_p");
}

static void test_struct_union_enum(void)
{
    sp("struct s {int a;} v = {1};");
    EQ_STR(kinds(), "VAR");
    EQ_STR(D(0, 0)->name, "v");
    EQ_STR(D(0, 0)->init, "{1}");
    EQ_STR(IT(0)->tag_def, "struct s {int a;};");
    EQ_STR(IT(0)->specs_ref, "struct s");
    EQ_INT(IT(0)->ntype_names, 1);
    EQ_STR(TYPE_NAME(0, 0), "struct s");
    EQ_STR(IT(0)->struct_spelling, "struct s");
    EQ_INT(IT(0)->nfields, 1);
    EQ_STR(FIELD(0, 0), "a");

    sp("struct pair { int l, r; };\nunion u { int i; float f; };\nenum color { RED, GREEN = 2 };");
    EQ_STR(kinds(), "TYPE TYPE TYPE");
    EQ_STR(TYPE_NAME(0, 0), "struct pair");
    EQ_INT(IT(0)->nfields, 2);
    EQ_STR(TYPE_NAME(1, 0), "union u");
    EQ_STR(IT(1)->struct_spelling, "union u");
    EQ_STR(FIELD(1, 1), "f");
    EQ_STR(TYPE_NAME(2, 0), "enum color");
    EQ_STR(IT(2)->tag_def, "enum color { RED, GREEN = 2 };");
    EQ_INT(IT(2)->nfields, 0);         /* enumerators are not fields */
    EQ_STR(IT(2)->struct_spelling, NULL);

    sp("enum { A1, B1 };\ntypedef enum { X1, Y1 } xy_t;\nenum color paint = RED;");
    EQ_STR(kinds(), "TYPE TYPE VAR");
    EQ_INT(IT(0)->ntype_names, 0);
    EQ_STR(TYPE_NAME(1, 0), "xy_t");
    EQ_STR(IT(1)->struct_spelling, NULL);
    EQ_STR(D(2, 0)->name, "paint");
    EQ_STR(IT(2)->specs, "enum color");

    /* Forward declarations declare nothing that runs. */
    sp("struct node;\nunion later;");
    EQ_STR(kinds(), "TYPE TYPE");
    EQ_INT(IT(0)->ndecls, 0);
    EQ_STR(IT(0)->tag_def, NULL);

    /* A struct body in a variable definition, then a use of the tag. */
    sp("struct q { int a; } q1, *q2;\nstruct q q3;");
    EQ_STR(kinds(), "VAR VAR");
    EQ_INT(IT(0)->ndecls, 2);
    EQ_STR(D(0, 1)->decl, "*q2");
    EQ_STR(IT(1)->tag_def, NULL);
    EQ_STR(D(1, 0)->name, "q3");
}

static void test_fields(void)
{
    sp("struct bf {\n"
       "  int a : 3; unsigned b:1;\n"
       "  int c;\n"
       "  struct { int d; };\n"
       "  union { int e; float f2; } u;\n"
       "  int (*cb)(int);\n"
       "  int arr[4], *p;\n"
       "  const char *name;\n"
       "  int x, y : 2, z;\n"
       "};");
    EQ_STR(kinds(), "TYPE");
    const char *want[] = {"c", "u", "cb", "arr", "p", "name", "x", "z"};
    EQ_INT(IT(0)->nfields, 8);
    for (size_t j = 0; j < 8; j++)
        EQ_STR(FIELD(0, j), want[j]);
    /* Array fields carry their type, so that their values can be shown. */
    EQ_STR(IT(0)->field_types[3], "int[4]");
    EQ_STR(IT(0)->field_types[0], NULL);
    EQ_STR(IT(0)->field_types[4], NULL);

    sp("typedef struct {\n"
       "  double cells[2][3][4];\n"
       "  const char *names[2], label[8];\n"
       "  unsigned long long ** const grid[2][2];\n"
       "  struct { int q; } inner[2];\n"
       "  int (*fns[2])(void);\n"
       "} world;");
    EQ_INT(IT(0)->nfields, 6);
    EQ_STR(IT(0)->field_types[0], "double[2][3][4]");
    EQ_STR(IT(0)->field_types[1], "const char *[2]");
    EQ_STR(IT(0)->field_types[2], "const char[8]");
    EQ_STR(IT(0)->field_types[3], "unsigned long long ** const[2][2]");
    EQ_STR(IT(0)->field_types[4], NULL); /* a body in place */
    EQ_STR(IT(0)->field_types[5], NULL); /* an array of function pointers */
}

/* ------------------------------------------------------------------ */
/* Lexical traps                                                       */
/* ------------------------------------------------------------------ */

static void test_comments(void)
{
    sp("// { ; \" '\nint x; // } ;\n/* { ; ' \" \n } */ int y = 2; /* } */\nx = /* ; */ 1;");
    EQ_INT(S.state, SPLIT_OK);
    EQ_STR(kinds(), "VAR VAR STMT");
    EQ_STR(IT(0)->text, "int x;");
    EQ_INT(IT(0)->line, 2);
    EQ_STR(IT(1)->text, "int y = 2;");
    EQ_INT(IT(1)->line, 4);
    EQ_STR(IT(2)->text, "x = /* ; */ 1;");
    EQ_INT(IT(2)->line, 5);

    /* A trailing comment is not part of the final expression. */
    sp("x + 1 // the value");
    EQ_STR(kinds(), "EXPR");
    EQ_STR(IT(0)->text, "x + 1");
}

static void test_literals(void)
{
    sp("char *s = \"a{;\\\"}\";\nchar c = '}', d = '\\'', e = ';';\nputs(\"(\");");
    EQ_INT(S.state, SPLIT_OK);
    EQ_STR(kinds(), "VAR VAR STMT");
    EQ_STR(D(0, 0)->init, "\"a{;\\\"}\"");
    EQ_INT(IT(1)->ndecls, 3);
    EQ_STR(D(1, 0)->init, "'}'");
    EQ_STR(D(1, 1)->init, "'\\''");
    EQ_STR(D(1, 2)->init, "';'");
    EQ_STR(IT(2)->text, "puts(\"(\");");

    sp("wchar_t *w = L\"}\";\nchar *u = u8\"{\";");
    EQ_STR(kinds(), "VAR VAR");
    EQ_STR(D(0, 0)->init, "L\"}\"");
    EQ_STR(D(1, 0)->init, "u8\"{\"");

    sp("\"a string\"");
    EQ_STR(kinds(), "EXPR");
}

static void test_preprocessor(void)
{
    sp("#define SQ(x) \\\n  ((x) * \\\n   (x))\n#include <stdio.h>\n#if 1\nint z;\n#endif\nSQ(3)");
    EQ_STR(kinds(), "PP PP PP VAR PP EXPR");
    EQ_STR(IT(0)->text, "#define SQ(x) \\\n  ((x) * \\\n   (x))");
    EQ_INT(IT(1)->line, 4);
    EQ_STR(IT(2)->text, "#if 1");
    EQ_INT(IT(3)->line, 6);
    EQ_STR(IT(4)->text, "#endif");
    EQ_INT(IT(5)->line, 8);

    /* A block comment inside a directive may span lines. */
    sp("#define N 3 /* {\n } */\nint n = N;");
    EQ_STR(kinds(), "PP VAR");
    EQ_INT(IT(1)->line, 3);

    /* Directives inside a function body belong to the function. */
    sp("int f(void) {\n#ifdef X\n  return 1;\n#endif\n  return 0;\n}");
    EQ_STR(kinds(), "FUNC");

    /* Blanks may come before '#'. */
    sp("  #include <string.h>\nx = 1;");
    EQ_STR(kinds(), "PP STMT");
}

/* ------------------------------------------------------------------ */
/* Statements                                                          */
/* ------------------------------------------------------------------ */

static void test_control(void)
{
    sp("if (x) y = 1; else if (y) y = 2; else y = 3;\n"
       "if (x) { y = 1; } else { y = 2; }\n"
       "if (x) { y = 1; }\n"
       "if (x) { y = 1; } else y = 2;\n"
       "if (x)\n  y = 1;\nelse\n  y = 2;\n"
       "x");
    EQ_STR(kinds(), "STMT STMT STMT STMT STMT EXPR");
    EQ_STR(IT(0)->text, "if (x) y = 1; else if (y) y = 2; else y = 3;");
    EQ_STR(IT(1)->text, "if (x) { y = 1; } else { y = 2; }");
    EQ_STR(IT(2)->text, "if (x) { y = 1; }");
    EQ_STR(IT(3)->text, "if (x) { y = 1; } else y = 2;");
    EQ_INT(IT(4)->line, 5);
    EQ_STR(IT(4)->text, "if (x)\n  y = 1;\nelse\n  y = 2;");
    EQ_INT(IT(5)->line, 9);

    sp("for (int i = 0; i < 3; i++) { x += i; }\n"
       "for (;;) break;\n"
       "while (x) x--;\n"
       "while (x) { x--; }\n"
       "do { x++; } while (x < 3);\n"
       "switch (x) { case 1: y = 1; break; default: break; }\n"
       "{ int q = 1; q++; }\n"
       "lbl: x++;\n"
       "goto lbl;\n"
       "return;");
    EQ_STR(kinds(), "STMT STMT STMT STMT STMT STMT STMT STMT STMT STMT");
    EQ_STR(IT(0)->text, "for (int i = 0; i < 3; i++) { x += i; }");
    EQ_STR(IT(4)->text, "do { x++; } while (x < 3);");
    EQ_STR(IT(5)->text, "switch (x) { case 1: y = 1; break; default: break; }");
    EQ_STR(IT(6)->text, "{ int q = 1; q++; }");
}

static void test_control_unbraced(void)
{
    /* A do body without braces ends at its own ';'. */
    sp("do x++; while (x < 3);\nx");
    EQ_STR(kinds(), "STMT EXPR");
    EQ_STR(IT(0)->text, "do x++; while (x < 3);");

    sp("do do x++; while (x < 2); while (y);\ndo if (a) b(); else c(); while (d);\ndo ; while (0);");
    EQ_STR(kinds(), "STMT STMT STMT");
    EQ_STR(IT(0)->text, "do do x++; while (x < 2); while (y);");
    EQ_STR(IT(1)->text, "do if (a) b(); else c(); while (d);");

    /* An else belongs to the if inside a loop. */
    sp("for (i = 0; i < 3; i++) if (i) a++; else b++;\nwhile (x) if (a) b; else c;");
    EQ_STR(kinds(), "STMT STMT");
    EQ_STR(IT(0)->text, "for (i = 0; i < 3; i++) if (i) a++; else b++;");
    EQ_STR(IT(1)->text, "while (x) if (a) b; else c;");

    /* A braced body followed by a plain one. */
    sp("if (a) x = 1; else { y = 2; }\nz = 3;");
    EQ_STR(kinds(), "STMT STMT");
    EQ_STR(IT(0)->text, "if (a) x = 1; else { y = 2; }");
}

static void test_statements_starting_with_names(void)
{
    sp("x = 3;\nf(1);\na[i] = 2;\ns.x = 1;\np->y = 2;\n*p = 3;\n++x;\nx++;\n(void)0;");
    EQ_STR(kinds(), "STMT STMT STMT STMT STMT STMT STMT STMT STMT");
    for (int i = 0; i < 9; i++)
        EQ_INT(IT(i)->line, i + 1);

    /* A typedef name used as a value's first token is still a statement. */
    sp("point.x = 1;\npoint[0] = 1;");
    EQ_STR(kinds(), "STMT STMT");
}

static void test_compound_literals(void)
{
    sp("p = (point){1, 2};\nq = (int[]){1, 2, 3}[1];");
    EQ_STR(kinds(), "STMT STMT");
    EQ_STR(IT(0)->text, "p = (point){1, 2};");
    EQ_STR(IT(1)->text, "q = (int[]){1, 2, 3}[1];");

    sp("(point){1, 2}");
    EQ_STR(kinds(), "EXPR");

    sp("point q = (point){1, 2};");
    EQ_STR(kinds(), "VAR");
    EQ_STR(D(0, 0)->init, "(point){1, 2}");

    /* The literal does not end the declaration. */
    sp("point q = (point){1, 2}, r;");
    EQ_STR(kinds(), "VAR");
    EQ_INT(IT(0)->ndecls, 2);
    EQ_STR(D(0, 1)->name, "r");
}

/* ------------------------------------------------------------------ */
/* Declaration or statement?                                           */
/* ------------------------------------------------------------------ */

static void test_star_ambiguity(void)
{
    /* a is a session variable: multiplication. */
    sp("a * b;");
    EQ_STR(kinds(), "STMT");
    sp("a * b");
    EQ_STR(kinds(), "EXPR");

    /* c is unknown: a pointer declaration. */
    sp("c * d;");
    EQ_STR(kinds(), "VAR");
    EQ_STR(IT(0)->specs, "c");
    EQ_STR(D(0, 0)->name, "d");
    sp("c * d");
    EQ_STR(kinds(), "VAR");
    EQ_INT(IT(0)->terminated, 0);

    /* A variable defined earlier in the cell counts as known. */
    sp("int c = 2, d = 3;\nc * d;\nc * d");
    EQ_STR(kinds(), "VAR STMT EXPR");

    /* Without a context nothing is known. */
    split_with("a * b;", NULL);
    EQ_STR(kinds(), "VAR");
    split_with("c * d + 1;", NULL);
    EQ_STR(kinds(), "STMT");
}

static void test_known_types(void)
{
    sp("point pp = {1, 2};\npoint *pq, **pr;\nvec v;\nconst point cp;\npoint (*pf)(int);\npoint mk(int);");
    EQ_STR(kinds(), "VAR VAR VAR VAR VAR PROTO");
    EQ_STR(IT(0)->specs, "point");
    EQ_STR(D(1, 1)->decl, "**pr");
    EQ_STR(IT(3)->specs, "const point");
    EQ_STR(D(4, 0)->name, "pf");
    EQ_STR(D(5, 0)->name, "mk");

    /* Without the context, `point (*pf)(int)` reads as a call. */
    split_with("point (*pf)(int);", NULL);
    EQ_STR(kinds(), "STMT");

    /* A type defined earlier in the cell is not known to the context; an
     * unknown name followed by a name is a declaration anyway. */
    sp("typedef int myint;\nmyint m = 3;\nmyint *mp;");
    EQ_STR(kinds(), "TYPE VAR VAR");
}

static void test_standard_types(void)
{
    split_with("size_t n = 3;\nuint8_t u8;\nFILE *fp = 0;\nint64_t big[2];\nbool ok = 1;\nva_list ap;", NULL);
    EQ_STR(kinds(), "VAR VAR VAR VAR VAR VAR");
    EQ_STR(IT(0)->specs, "size_t");
    EQ_STR(D(2, 0)->name, "fp");
    EQ_STR(D(2, 0)->decl, "*fp");
    EQ_INT(D(3, 0)->is_array, 1);

    split_with("FILE *f;\nsize_t *sizes[4];\nuint32_t (*hash)(const char *);", NULL);
    EQ_STR(kinds(), "VAR VAR VAR");
    EQ_STR(D(2, 0)->name, "hash");

    /* Used as values they are expressions. */
    split_with("sizeof(size_t)", NULL);
    EQ_STR(kinds(), "EXPR");
}

static void test_other_declarations(void)
{
    sp("__attribute__((unused)) static int q;\n_Static_assert(1, \"x\");\nregister int r;\nvolatile int vv = 1;");
    EQ_INT(IT(0)->is_static, 1);
    EQ_STR(D(0, 0)->name, "q");
    EQ_STR(IT(1)->text, "_Static_assert(1, \"x\");");
    EQ_STR(D(2, 0)->name, "r");
    EQ_STR(IT(3)->specs, "volatile int");

    sp("typeof(1.0) t = 2;\nint x2 = 3");
    EQ_STR(kinds(), "VAR VAR");
    EQ_STR(D(0, 0)->name, "t");
    /* A declaration without ';' at the end is still a declaration. */
    EQ_INT(IT(1)->terminated, 0);
    EQ_STR(D(1, 0)->init, "3");
}

/* ------------------------------------------------------------------ */
/* Runtime initializers                                                */
/* ------------------------------------------------------------------ */

static void test_runtime_init(void)
{
    sp("int r1 = f(2);\n"            /* a call */
       "int r2 = g + 1;\n"           /* a session variable */
       "int r3 = 4;\n"               /* a constant */
       "int r4 = r3 * 2;\n"          /* a variable of this cell */
       "int *r5 = &g;\n"             /* an address: a constant */
       "size_t r6 = sizeof(g);\n"    /* not evaluated */
       "size_t r7 = sizeof g;\n"     /* not evaluated either */
       "int r8 = sizeof(int) * 4;\n" /* a constant */
       "int r9[2] = {r3, 1};\n"      /* reads r3 */
       "int r10 = -counter, r11 = 0;\n"
       "int r12 = (int)sizeof(f(1));\n"
       "int r13 = sizeof g + g;\n"
       "struct pt2 { int x; } r14 = { .x = 1 };\n" /* a designator, not a read */
       "char *r15 = \"g(1)\";\n"
       "int r16 = RED;\n");
    EQ_INT(S.nitems, 15);
    int want[] = {1, 1, 0, 1, 0, 0, 0, 0, 1, 1, 0, 1, 0, 0, 0};
    for (size_t i = 0; i < 15; i++)
        check_int(__FILE__, __LINE__, IT(i)->text, D(i, 0)->runtime_init, want[i]);
    EQ_INT(D(9, 1)->runtime_init, 0);

    /* Variables defined by statements or later are not cell variables. */
    sp("int late = early;\nint early = 1;");
    EQ_INT(D(0, 0)->runtime_init, 0);
    EQ_INT(D(1, 0)->runtime_init, 0);

    /* A declaration without an initializer has nothing to run. */
    sp("int plain;");
    EQ_STR(D(0, 0)->init, NULL);
    EQ_INT(D(0, 0)->runtime_init, 0);
}

/* ------------------------------------------------------------------ */
/* The final expression                                                */
/* ------------------------------------------------------------------ */

static void test_final_expression(void)
{
    const char *exprs[] = {"x", "x++", "f(x)", "1 + 2 * 3", "s.x", "p->y", "a[2]", "(double)x / 3", "x = 1",
                           "sizeof(int)", "*p", "-1", "'c'", "3.5e-2"};
    for (size_t i = 0; i < sizeof exprs / sizeof *exprs; i++) {
        sp(exprs[i]);
        EQ_STR(kinds(), "EXPR");
        EQ_STR(IT(0)->text, exprs[i]);
        EQ_INT(IT(0)->terminated, 0);
    }

    /* Only the last item can be the value; a ';' makes it a statement. */
    sp("x;\ny");
    EQ_STR(kinds(), "STMT EXPR");
    sp("y;");
    EQ_STR(kinds(), "STMT");

    /* Control statements and declarations are never the value. */
    sp("if (x) y");
    EQ_STR(kinds(), "STMT");
    sp("return x");
    EQ_STR(kinds(), "STMT");
    sp("int q = 2");
    EQ_STR(kinds(), "VAR");

    /* An expression over several lines. */
    sp("f(1,\n  2)\n");
    EQ_STR(kinds(), "EXPR");
    EQ_STR(IT(0)->text, "f(1,\n  2)");
}

/* ------------------------------------------------------------------ */
/* Line numbers                                                        */
/* ------------------------------------------------------------------ */

static void test_lines(void)
{
    sp("\n\n/* one\n two */\nint a1;\n#define L \\\n 2\nint b1;  int c1;\n\"x\\\ny\";\nz");
    EQ_STR(kinds(), "VAR PP VAR VAR STMT EXPR");
    EQ_INT(IT(0)->line, 5);
    EQ_INT(IT(1)->line, 6);
    EQ_INT(IT(2)->line, 8);
    EQ_INT(IT(3)->line, 8);
    EQ_INT(IT(4)->line, 9);
    EQ_INT(IT(5)->line, 11);
}

/* ------------------------------------------------------------------ */
/* Magics                                                              */
/* ------------------------------------------------------------------ */

static void test_magics(void)
{
    sp("%timeit -n 3\nx = 1;\n%who\nx");
    EQ_STR(S.cell_magic, NULL);
    EQ_INT(S.body_line, 1);
    EQ_STR(kinds(), "MAGIC STMT MAGIC EXPR");
    EQ_STR(IT(0)->text, "%timeit -n 3");
    EQ_STR(IT(2)->text, "%who");
    EQ_INT(IT(2)->line, 3);

    sp("%%time\nint v = 1;\nv");
    EQ_STR(S.cell_magic, "%%time");
    EQ_INT(S.body_line, 2);
    EQ_STR(kinds(), "VAR EXPR");
    EQ_INT(IT(0)->line, 2);

    sp("%%bash --flag   \necho hi");
    EQ_STR(S.cell_magic, "%%bash --flag");

    /* A %% line that is not first is an ordinary magic line. */
    sp("x = 1;\n%%time");
    EQ_STR(S.cell_magic, NULL);
    EQ_STR(kinds(), "STMT MAGIC");

    /* '%' inside a line is the operator. */
    sp("x % 3");
    EQ_STR(kinds(), "EXPR");
    EQ_STR(IT(0)->text, "x % 3");

    /* A line starting with '%' that goes on an unfinished statement is
     * the operator too; after a finished one it is a magic. */
    sp("int r = 17\n    % 5;\nr");
    EQ_STR(kinds(), "VAR EXPR");
    sp("int r = 17\n%3;\nr");
    EQ_STR(kinds(), "VAR EXPR");
    sp("x = 1;\n% 3");
    EQ_STR(kinds(), "STMT MAGIC");
}

/* ------------------------------------------------------------------ */
/* Open and unbalanced cells                                           */
/* ------------------------------------------------------------------ */

static void test_open(void)
{
    const char *open[] = {
        "int f(void) {",              /* open brace */
        "if (x) {\n  y = 1;\n",       /* open block */
        "f(1,",                       /* open paren */
        "int a1[3",                   /* open bracket */
        "int m[] = {1, 2,",           /* open initializer */
        "char *s = \"abc\\",          /* a backslash at the very end */
        "/* open",                    /* unterminated block comment */
        "x = 1; /* { still open\n",   /* ... after an item */
        "#define X /* a\n b",         /* ... inside a directive */
        "int ok;\nvoid g2(void) {\n", /* after a complete item */
    };
    for (size_t i = 0; i < sizeof open / sizeof *open; i++) {
        sp(open[i]);
        EQ_INT(S.state, SPLIT_OPEN);
    }

    /* A string or character literal cannot go on to the next line: one
     * the line or the input ends inside is an error, not more input. */
    sp("char *s = \"abc\nint x;");
    EQ_INT(S.state, SPLIT_LITERAL);
    EQ_INT(S.err_line, 1);
    EQ_INT(S.err_col, 11);
    sp("int a;\nprintf(\"abc");
    EQ_INT(S.state, SPLIT_LITERAL);
    EQ_INT(S.err_line, 2);
    EQ_INT(S.err_col, 8);
    sp("char c = 'a");
    EQ_INT(S.state, SPLIT_LITERAL);
    EQ_INT(S.err_col, 10);
    sp("wchar_t w = L\"ab\n;");
    EQ_INT(S.state, SPLIT_LITERAL);
    EQ_INT(S.err_col, 13);
    /* A complete comment or string is not open. */
    sp("x = 1; /* done */");
    EQ_INT(S.state, SPLIT_OK);
}

/* Text ending with an operator or ',' needs more: the next line goes on. */
static void test_dangling(void)
{
    const char *more[] = {
        "int v = f() +",              /* a binary operator */
        "x = y *",                    /* ... or a declarator's '*' */
        "int *",                      /* a declaration still without its name */
        "int c = a,",                 /* a comma */
        "a +=",                       /* compound assignment */
        "int w = 3 <<=",              /* three-character operator */
        "p->",                        /* a member to come */
        "s.",
        "ok = a &&\n   b ||",          /* on a later line */
        "z = 1 + // more to come",    /* a comment after the operator */
        "z = 1 - /* more */\n",
        "flag = !",
        "r = c ?",
        "r = c ? 1 :",
    };
    for (size_t i = 0; i < sizeof more / sizeof *more; i++) {
        sp(more[i]);
        if (S.state != SPLIT_DANGLING)
            fprintf(stderr, "not dangling: %s\n", more[i]);
        EQ_INT(S.state, SPLIT_DANGLING);
    }
    /* Where: the operator's line and column, and its length. */
    sp("int a1 = 1;\nint v = a1 <<=  \n");
    EQ_INT(S.state, SPLIT_DANGLING);
    EQ_INT(S.err_line, 2);
    EQ_INT(S.err_col, 12);
    EQ_INT(S.err_len, 3);
    /* The items are still read: the first one is complete. */
    EQ_INT(S.nitems, 2);
    EQ_INT(S.items[0].kind, ITEM_VAR);

    const char *done[] = {
        "x++",                        /* postfix operators end an expression */
        "x--",
        "i++;",
        "#define X a +",              /* a directive ends at its line */
        "#define LIST 1,",
        "x = 1; // a +",              /* an operator in a comment */
        "s = \"a +\"",               /* ... or in a string */
        "c = ','",
        "%time x = 1 +",              /* a magic line is read by its magic */
        "f(x)",
        "int a[3]",
    };
    for (size_t i = 0; i < sizeof done / sizeof *done; i++) {
        sp(done[i]);
        if (S.state != SPLIT_OK)
            fprintf(stderr, "not complete: %s\n", done[i]);
        EQ_INT(S.state, SPLIT_OK);
    }
    /* A backslash at the very end continues the line: more input. */
    sp("int y = 1 \\");
    EQ_INT(S.state, SPLIT_OPEN);
    sp("#define TWICE(x) \\");
    EQ_INT(S.state, SPLIT_OPEN);
}

static void test_unbalanced(void)
{
    sp("int x; }");
    EQ_INT(S.state, SPLIT_UNBALANCED);
    EQ_INT(S.err_line, 1);

    sp("int a1 = 1;\n\nx = (1));");
    EQ_INT(S.state, SPLIT_UNBALANCED);
    EQ_INT(S.err_line, 3);

    sp("x = 1;\ny ]");
    EQ_INT(S.state, SPLIT_UNBALANCED);
    EQ_INT(S.err_line, 2);

    sp("int f(void) { return 0; }\n}\n");
    EQ_INT(S.state, SPLIT_UNBALANCED);
    EQ_INT(S.err_line, 2);

    /* Brackets in strings, chars and comments do not count. */
    sp("puts(\")]}\"); c = ')'; // )");
    EQ_INT(S.state, SPLIT_OK);
}

/* ------------------------------------------------------------------ */
/* split_identifiers and keywords                                      */
/* ------------------------------------------------------------------ */

static const char *joined(char **v)
{
    static char b[1024];
    b[0] = 0;
    for (size_t i = 0; v && v[i]; i++) {
        if (i)
            strcat(b, " ");
        strcat(b, v[i]);
    }
    return b;
}

static void test_identifiers(void)
{
    struct {
        const char *text, *want;
    } cases[] = {
        {"x + y * x", "x y"},
        {"int n = sizeof(long) + foo(bar);", "n foo bar"},
        {"s.field->next", "s field next"},
        {"puts(\"hello world\"); c = 'q';", "puts c"},
        {"a /* b */ + c // d", "a c"},
        {"w = L\"wide\" u8\"eight\";", "w"},
        {"for (int i = 0; i < n; i++) total += i;", "i n total"},
        {"#define Q 1\nq", "q"},
        {"_under $dollar x1 1x", "_under $dollar x1"},
        {"", ""},
        {"struct s { unsigned u; } const *restrict p;", "s u p"},
    };
    for (size_t i = 0; i < sizeof cases / sizeof *cases; i++) {
        char **v = split_identifiers(cases[i].text);
        TRUE(v != NULL);
        EQ_STR(joined(v), cases[i].want);
        split_strv_free(v);
    }
    split_strv_free(NULL);

    EQ_INT(split_is_keyword("while"), 1);
    EQ_INT(split_is_keyword("_Bool"), 1);
    EQ_INT(split_is_keyword("size_t"), 0);
    EQ_INT(split_is_keyword("whiles"), 0);
    int found = 0;
    for (size_t i = 0; split_keywords[i]; i++)
        found += !strcmp(split_keywords[i], "typedef");
    EQ_INT(found, 1);
}

static void test_free(void)
{
    struct split s;
    split_cell("int x = 1; x", NULL, &s);
    split_free(&s);
    EQ_INT(s.nitems, 0);
    TRUE(s.items == NULL);
    split_free(&s); /* twice is harmless */
    split_free(NULL);
}

int main(void)
{
    test_each_kind();
    test_empty_cells();
    test_multiple_declarators();
    test_functions();
    test_prototypes();
    test_function_pointers();
    test_typedef_struct();
    test_struct_union_enum();
    test_fields();
    test_comments();
    test_literals();
    test_preprocessor();
    test_control();
    test_control_unbraced();
    test_statements_starting_with_names();
    test_compound_literals();
    test_star_ambiguity();
    test_known_types();
    test_standard_types();
    test_other_declarations();
    test_runtime_init();
    test_final_expression();
    test_lines();
    test_magics();
    test_open();
    test_dangling();
    test_unbalanced();
    test_identifiers();
    test_free();
    split_free(&S);
    printf("%d passed, %d failed\n", passed, failed);
    return failed ? 1 : 0;
}
