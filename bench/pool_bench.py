"""Per-task overhead of Python's multiprocessing Pool.apply_async (the
anchor of bench/pool_bench.c): N empty tasks on 2 processes, submitted
all, then every result taken.   python3 pool_bench.py [N]"""
import multiprocessing as mp
import sys
import time


def empty(i):
    return i


def main():
    n = int(sys.argv[1]) if len(sys.argv) > 1 else 1000000
    with mp.Pool(2) as pool:
        pool.apply_async(empty, (0,)).get()  # workers started
        t0 = time.perf_counter()
        results = [pool.apply_async(empty, (i,)) for i in range(n)]
        for r in results:
            r.get()
        dt = time.perf_counter() - t0
    print(f"python   multiprocessing apply_async   {dt / n * 1e9:8.1f}  ({n} tasks, {dt:.1f} s)")


if __name__ == "__main__":
    main()
