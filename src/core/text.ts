/** Small text helpers shared by configuration checks and naming. */

/**
 * A name as an id: lower case, `[a-z0-9._-]`, at most 64 characters, starting with a letter or
 * digit. Empty when no letter or digit of the name survives (only punctuation, or a script other
 * than Latin): each kind of id says what it falls back to.
 */
export function slugify(name: string): string {
  return name
    .toLowerCase()
    .normalize('NFKD')
    .replace(/[^a-z0-9._-]+/g, '-')
    .replace(/^[-._]+|[-._]+$/g, '')
    .slice(0, 64);
}

/** Levenshtein distance: how many single-character edits turn `a` into `b` (for "did you mean…?"). */
export function editDistance(a: string, b: string): number {
  const row = Array.from({ length: b.length + 1 }, (_, j) => j);
  for (let i = 1; i <= a.length; i++) {
    let previous = row[0];
    row[0] = i;
    for (let j = 1; j <= b.length; j++) {
      const current = row[j];
      row[j] = Math.min(row[j] + 1, row[j - 1] + 1, previous + (a[i - 1] === b[j - 1] ? 0 : 1));
      previous = current;
    }
  }
  return row[b.length];
}

/** The first of `candidates` within `maxDistance` edits of `word`, ignoring case: what "did you mean…?" suggests. */
export function closestMatch(word: string, candidates: readonly string[], maxDistance = 2): string | undefined {
  return candidates.find((candidate) => editDistance(candidate.toLowerCase(), word.toLowerCase()) <= maxDistance);
}

/** A word with its indefinite article: "an object", "a string". */
export function article(word: string): string {
  return `${/^[aeiou]/.test(word) ? 'an' : 'a'} ${word}`;
}
