from collections import Counter

from pyscript import sync


def count_words(text):
    top = Counter(text.split()).most_common(3)
    return ", ".join(f"{word} {n}" for word, n in top)


sync.count_words = count_words
