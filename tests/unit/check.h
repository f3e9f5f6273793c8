/* check.h — the checks of parc's C unit tests. CHECK(cond, fmt, ...)
 * counts a pass, or prints "FAIL file:line: cond: message" and counts a
 * failure; check_report prints the final "N passed, M failed" line and
 * returns the test's exit status. Included once, by the test's .c file. */
#ifndef PARC_TEST_CHECK_H
#define PARC_TEST_CHECK_H

#include <stdio.h>

static int passed, failed;

#define CHECK(cond, ...)                                           \
    do {                                                           \
        if (cond)                                                  \
            passed++;                                              \
        else {                                                     \
            failed++;                                              \
            printf("FAIL %s:%d: %s: ", __FILE__, __LINE__, #cond); \
            printf(__VA_ARGS__);                                   \
            printf("\n");                                          \
        }                                                          \
    } while (0)

static inline int check_report(void)
{
    printf("%d passed, %d failed\n", passed, failed);
    return failed != 0;
}

#endif
