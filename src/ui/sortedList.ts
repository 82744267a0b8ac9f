/**
 * An array kept in order by a total order, so the views can place one item in O(log n) to find
 * its index instead of sorting a whole list again. The order must tell every two distinct items
 * apart (it answers 0 only for the same item), and an item's sort key must not change while the
 * item is in the array: take it out, change it, put it back.
 */
export function insertSorted<T>(items: T[], item: T, compare: (a: T, b: T) => number): number {
  const index = lowerBound(items, item, compare);
  items.splice(index, 0, item);
  return index;
}

/** Takes an item out; answers where it was, or -1 when it was not there. */
export function removeSorted<T>(items: T[], item: T, compare: (a: T, b: T) => number): number {
  const index = indexOfSorted(items, item, compare);
  if (index >= 0) items.splice(index, 1);
  return index;
}

/** Where an item is, or -1 when it is not there. */
export function indexOfSorted<T>(items: readonly T[], item: T, compare: (a: T, b: T) => number): number {
  const index = lowerBound(items, item, compare);
  return index < items.length && items[index] === item ? index : -1;
}

/** The first index whose item does not come before `item`. */
function lowerBound<T>(items: readonly T[], item: T, compare: (a: T, b: T) => number): number {
  let low = 0;
  let high = items.length;
  while (low < high) {
    const middle = (low + high) >>> 1;
    if (compare(items[middle], item) < 0) low = middle + 1;
    else high = middle;
  }
  return low;
}
