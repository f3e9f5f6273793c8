// A name declared (or used) but defined nowhere is an error at its use,
// also for names parc's own compiler uses inside (g, next, load): a cell
// never links against parc's internals. The session goes on, and a later
// definition makes the call work.
int g(void);
int twice_g(void) { return 2 * g(); }
//---
int next(int);
next(1)
//---
extern long total_count;
total_count += 1;
//---
load()
//---
int g(void) { return 21; }
int twice_g(void) { return 2 * g(); }
twice_g()
//---
// The use is marked, not a mention in a string or comment after it.
int lonely(void);
int v = lonely();
printf("lonely is missing\n"); /* lonely */ // lonely
