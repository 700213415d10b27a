from pyscript import document

from sieve import primes_below

found = primes_below(100_000)
document.querySelector("#status").innerText = f"{len(found)} primes below 100000, the last {found[-1]}"
