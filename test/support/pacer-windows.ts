/** The most slots in any half-open window [t, t + periodMs), for slots sorted ascending. */
export function maxInSlidingWindow(sortedSlots: readonly number[], periodMs: number): number {
  let most = 0;
  let end = 0;
  // The fullest window can always be taken to start at a slot.
  for (let start = 0; start < sortedSlots.length; start += 1) {
    const from = sortedSlots[start] ?? 0;
    while (end < sortedSlots.length && (sortedSlots[end] ?? Infinity) < from + periodMs) end += 1;
    most = Math.max(most, end - start);
  }
  return most;
}
