/** Small labelled image sets in IDX bytes (the MNIST format), for training from files in tests. */

/**
 * `count` images of rows × cols uint8 pixels, image n of class n mod `classes`, bright (230) on the
 * pixels p with p mod classes equal to its class and dark (10) elsewhere; and their labels.
 */
export function idxDigits(
  count: number,
  rows: number,
  cols: number,
  classes: number,
): { images: Buffer; labels: Buffer } {
  const pixels = rows * cols;
  const images = Buffer.alloc(16 + count * pixels);
  images.writeUInt32BE(0x00000803, 0);
  images.writeUInt32BE(count, 4);
  images.writeUInt32BE(rows, 8);
  images.writeUInt32BE(cols, 12);
  const labels = Buffer.alloc(8 + count);
  labels.writeUInt32BE(0x00000801, 0);
  labels.writeUInt32BE(count, 4);
  for (let n = 0; n < count; n++) {
    labels[8 + n] = n % classes;
    for (let p = 0; p < pixels; p++) images[16 + n * pixels + p] = p % classes === n % classes ? 230 : 10;
  }
  return { images, labels };
}
