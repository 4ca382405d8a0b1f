/** Splits a byte stream into its JSON lines, parsed, as they arrive. */
export async function* ndjsonLines(body: AsyncIterable<Uint8Array>): AsyncGenerator<unknown> {
  const decoder = new TextDecoder();
  let pending = '';
  for await (const chunk of body) {
    pending += decoder.decode(chunk, { stream: true });
    let end: number;
    while ((end = pending.indexOf('\n')) >= 0) {
      const line = pending.slice(0, end);
      pending = pending.slice(end + 1);
      if (line.trim() !== '') yield JSON.parse(line);
    }
  }
  pending += decoder.decode();
  if (pending.trim() !== '') yield JSON.parse(pending);
}
