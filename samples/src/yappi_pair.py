"""samples/yappi_pair.*: a small workload profiled once by yappi and saved both as callgrind and
as pstats (samples/yappi_pair.*): the two must agree."""
import yappi


def fib(n):
    return n if n < 2 else fib(n - 1) + fib(n - 2)


def even(n):
    return True if n == 0 else odd(n - 1)


def odd(n):
    return False if n == 0 else even(n - 1)


def work():
    total = 0
    for i in range(30):
        total += fib(15) + sum(sorted(range(200, 0, -1))) + even(i * 7)
    return total


yappi.set_clock_type("cpu")
yappi.start()
work()
yappi.stop()
stats = yappi.get_func_stats()
stats.save("yappi_pair.callgrind", type="callgrind")
stats.save("yappi_pair.pstats", type="pstat")
