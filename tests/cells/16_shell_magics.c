printf("before\n");
!echo hello from sh; echo "quoted \"x\" \\ back"
printf("after\n");
//---
!exit 3
//---
parc_shell_status()
//---
!true
parc_shell_status()
//---
!kill -9 $$
parc_shell_status()
//---
int ok = 0;
if (!ok)
    printf("not ok\n");
int z = 1 &&
!ok;
z
//---
(!ok)
//---
void twice(void) {
    !echo inside twice
}
twice();
twice();
//---
/* a comment
!is not a command */
int w = 3;
//---
%env PARC_CELLS_X=abc def
!echo "[$PARC_CELLS_X]"
//---
%env PARC_CELLS_X
//---
%env PARC_CELLS_Y 12
getenv("PARC_CELLS_Y")
//---
%env PARC_CELLS_NOT_SET
//---
%env 1BAD=2
//---
%env A-B
//---
%cd /tmp
//---
%pwd
//---
!pwd
//---
%cd /no/such/dir
//---
%pwd
//---
%cd /
%cd -
//---
%pwd x
//---
%cd a b
//---
%cd?
