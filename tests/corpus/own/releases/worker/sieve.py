def primes_below(n):
    """The primes below n, by Eratosthenes' sieve."""
    flags = [True] * n
    flags[0:2] = [False, False]
    for i in range(2, int(n ** 0.5) + 1):
        if flags[i]:
            flags[i * i::i] = [False] * len(flags[i * i::i])
    return [i for i, prime in enumerate(flags) if prime]
