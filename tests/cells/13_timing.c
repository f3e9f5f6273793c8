long fib(int n) { return n < 2 ? n : fib(n - 1) + fib(n - 2); }
long calls = 0;
//---
%timeit -n 1000 -r 3 fib(5)
//---
%timeit -n 10 -r 1 calls++;
//---
calls
//---
%timeit -n 100 -r 2 -q -o res fib(8);
//---
res.loops * res.repeat
//---
res.best <= res.average && res.average <= res.worst && res.all_runs[0] > 0
//---
%time fib(20)
//---
%time calls = fib(10);
calls
//---
%%time
long w = fib(12);
w
//---
%%timeit -n 5 -r 2 long start = calls;
calls = start + fib(3);
//---
%tiemit fib(3)
//---
%timeit
//---
%timeit -n x fib(3)
//---
%timeit -o 9bad fib(3)
//---
%time?
