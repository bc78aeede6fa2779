// Ordering search results by distance exactly as Redis does, ties included. Redis sorts the
// whole result with the C library's qsort (glibc's is a merge sort: stable), but when COUNT
// keeps fewer than it found it sorts only far enough to place the first COUNT with its own
// pqsort, a Bentley–McIlroy three-way quicksort that skips partitions outside the wanted
// range. That one is not stable, so which of several equally distant points come first (and
// which make the cut) depends on its exact steps; they are reproduced here, on indexes:
//
//   [ == pivot | < pivot | unsorted … | > pivot | == pivot ]   while partitioning,
//   [ < pivot | == pivot | > pivot ]                           after the equal runs are swapped
//                                                              to the middle; recurse into the
//                                                              sides that overlap [first, last]

/** Partitions below this size are insertion-sorted. */
const INSERTION_SORT_BELOW = 7;
/** Above this size the pivot is a median of three medians of three. */
const NINTHER_ABOVE = 40;
/** Size from which the pivot is a median of three (below: the middle element). */
const MEDIAN_OF_THREE_ABOVE = 7;

type Compare<T> = (a: T, b: T) => number;

/**
 * Sorts `items` in place so that indexes first..last hold what a full sort would put there,
 * in the order Redis's pqsort leaves them.
 */
export function partialSort<T>(items: T[], compare: Compare<T>, first: number, last: number): void {
  const swap = (i: number, j: number) => {
    const held = items[i];
    items[i] = items[j];
    items[j] = held;
  };
  const swapRuns = (i: number, j: number, count: number) => {
    for (let k = 0; k < count; k++) swap(i + k, j + k);
  };
  const median3 = (a: number, b: number, c: number) =>
    compare(items[a], items[b]) < 0
      ? (compare(items[b], items[c]) < 0 ? b : compare(items[a], items[c]) < 0 ? c : a)
      : (compare(items[b], items[c]) > 0 ? b : compare(items[a], items[c]) < 0 ? a : c);
  /** True when [start, end] holds none of [first, last]. */
  const outside = (start: number, end: number) =>
    (first < start && last < start) || (first > end && last > end);

  const sortFrom = (start: number, count: number): void => {
    for (;;) {
      if (count < INSERTION_SORT_BELOW) {
        for (let m = start + 1; m < start + count; m++) {
          for (let l = m; l > start && compare(items[l - 1], items[l]) > 0; l--) swap(l, l - 1);
        }
        return;
      }
      let pivot = start + Math.floor(count / 2);
      if (count > MEDIAN_OF_THREE_ABOVE) {
        let low = start;
        let high = start + count - 1;
        if (count > NINTHER_ABOVE) {
          const d = Math.floor(count / 8);
          low = median3(low, low + d, low + 2 * d);
          pivot = median3(pivot - d, pivot, pivot + d);
          high = median3(high - 2 * d, high - d, high);
        }
        pivot = median3(low, pivot, high);
      }
      swap(start, pivot);
      let equalLow = start + 1;
      let below = equalLow;
      let above = start + count - 1;
      let equalHigh = above;
      for (;;) {
        let order: number;
        while (below <= above && (order = compare(items[below], items[start])) <= 0) {
          if (order === 0) swap(equalLow++, below);
          below++;
        }
        while (below <= above && (order = compare(items[above], items[start])) >= 0) {
          if (order === 0) swap(above, equalHigh--);
          above--;
        }
        if (below > above) break;
        swap(below++, above--);
      }
      const end = start + count;
      let run = Math.min(equalLow - start, below - equalLow);
      swapRuns(start, below - run, run);
      run = Math.min(equalHigh - above, end - equalHigh - 1);
      swapRuns(below, end - run, run);
      const lessCount = below - equalLow;
      if (lessCount > 1 && !outside(start, start + lessCount - 1)) sortFrom(start, lessCount);
      const greaterCount = equalHigh - above;
      if (greaterCount <= 1) return;
      start = end - greaterCount;
      count = greaterCount;
      if (outside(start, start + count - 1)) return;
    }
  };
  sortFrom(0, items.length);
}
