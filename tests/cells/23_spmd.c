%timeline off
#include <unistd.h>
/* Workers print in the order of their ids: each waits for its turn. */
long *turn;
void wait_turn(void) { while (parc_atomic_load(turn) != parc_worker_id()) usleep(100); }
void pass_turn(void) { parc_atomic_add(turn, 1); }
int global = 5;
turn = parc_shared_alloc(sizeof *turn);
//---
%%threads 3
wait_turn();
printf("worker %d of %d", parc_worker_id(), parc_worker_count());
printf(", a line in two parts\n");
pass_turn();
//---
/* Threads share the session's variables; what the body declares is each
 * worker's own. */
*turn = 0;
//---
%%threads 4
int mine = parc_worker_id() * 10;
wait_turn();
global += mine;
printf("mine = %d, global = %d\n", mine, global);
pass_turn();
//---
global
//---
mine
//---
/* Processes: each has its own copy of everything. */
*turn = 0;
int nw = 2;
//---
%%procs nw
wait_turn();
global += 100;
printf("in process %d: global = %d\n", parc_worker_id(), global);
puts("puts works");
pass_turn();
//---
global
//---
%%threads 1000
printf("never\n");
//---
%%procs 2
if (parc_worker_id() == 1) *(volatile int *)0 = 1;
//---
%%threads 1
fprintf(stderr, "stderr is labelled too\n");
//---
%%threads 1
fputs("no newline at the end", stdout);
//---
%%threads
