%cflags -DSCALE=3
//---
SCALE * 2
//---
%lib m
hypot(3, 4)
//---
%lib no_such_library_here
//---
%include_path /tmp
//---
%limit time
//---
%limit space 5
//---
%nosuchmagic
//---
%%nosuchcellmagic
int q = 1;
