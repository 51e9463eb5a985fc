/**
 * Typed arrays that grow by doubling, for the bundle writer's columns: a column is replaced by
 * a larger copy when an index would fall past its end.
 */

/** `array`, or a copy at least `needed` long (twice as long, when that is more). */
export function grownInt32(array: Int32Array, needed: number): Int32Array {
  if (needed <= array.length) return array;
  const grown = new Int32Array(Math.max(needed, array.length * 2));
  grown.set(array);
  return grown;
}

/** `array`, or a copy at least `needed` long (twice as long, when that is more). */
export function grownUint8(array: Uint8Array, needed: number): Uint8Array {
  if (needed <= array.length) return array;
  const grown = new Uint8Array(Math.max(needed, array.length * 2));
  grown.set(array);
  return grown;
}
