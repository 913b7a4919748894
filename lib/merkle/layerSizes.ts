/**
 * Node counts of every layer of a tree of `count` leaves, bottom-up: `count`, `ceil(count / 2)`, … , 1
 * (an odd last node is promoted, so each layer is the previous one halved, rounded up).
 *
 * @param count - number of leaves, at least 1.
 * @returns the node count of each layer; its length is the tree depth + 1.
 * @example
 * layerSizes(5) // [5, 3, 2, 1]
 */
export function layerSizes(count: number): number[] {
  const sizes = [count];
  let n = count;
  while (n > 1) {
    n = Math.ceil(n / 2);
    sizes.push(n);
  }
  return sizes;
}
