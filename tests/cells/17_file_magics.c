%%writefile /tmp/parc_cells_17_lib.c
int from_file = 41;
int twice(int x) { return 2 * x; }
//---
%%writefile -a /tmp/parc_cells_17_lib.c
int appended = 1;
//---
!cat /tmp/parc_cells_17_lib.c
//---
%load /tmp/parc_cells_17_lib.c
twice(from_file) + appended
//---
int before = 1;
%load /tmp/parc_cells_17_lib.c
int after = not_declared;
//---
%%writefile /tmp/parc_cells_17_bad.c
int good = 1;
int bad = undefined_name;
//---
%load /tmp/parc_cells_17_bad.c
//---
%%writefile
x
//---
%%writefile -a
x
//---
%%writefile /no/such/dir/f.c
x
//---
%load /no/such/file.c
//---
%load
//---
%load a b
//---
%%writefile /tmp/parc_cells_17_prog.c
#include <stdio.h>
int main(int argc, char **argv) {
    for (int i = 0; i < argc; i++)
        printf("argv[%d] = %s\n", i, argv[i]);
    return argc - 1;
}
//---
%run /tmp/parc_cells_17_prog.c one "two words"
//---
%run /tmp/parc_cells_17_prog.c
//---
%%writefile /tmp/parc_cells_17_void.c
int runs = 0;
int main(void) { runs++; printf("main(void) ran\n"); return 0; }
//---
%run /tmp/parc_cells_17_void.c
runs
//---
%run /tmp/parc_cells_17_lib.c
from_file
//---
%run /tmp/parc_cells_17_bad.c
//---
%run
//---
%run /no/such/file.c
//---
%%writefile '/tmp/parc_cells_17 my prog.c'
#include <stdio.h>
int spaced = 5;
int main(int argc, char **argv) {
    for (int i = 0; i < argc; i++)
        printf("[%s]\n", argv[i]);
    return 0;
}
//---
// Names with spaces: quoted (either quotes) or with escaped spaces; %run's
// arguments are split as a shell splits them.
%run '/tmp/parc_cells_17 my prog.c' arg1 "arg two" it\'s "a \"quoted\" word"
//---
%run /tmp/parc_cells_17\ my\ prog.c one\ arg
//---
%load "/tmp/parc_cells_17 my prog.c"
spaced
//---
%%writefile -a "/tmp/parc_cells_17 my prog.c"
int spaced_bad = no_such_name;
//---
%load /tmp/parc_cells_17\ my\ prog.c
//---
%load '/tmp/parc_cells_17 my prog.c
//---
%load /tmp/parc_cells_17 my prog.c
//---
!mkdir -p '/tmp/parc_cells_17 dir'
//---
%cd '/tmp/parc_cells_17 dir'
//---
%pwd
