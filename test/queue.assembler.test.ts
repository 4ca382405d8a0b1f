/**
 * The chunk protocol on the consumer's side, without Redis: whatever the interleaving of a dead attempt's
 * partial entries and a retry's full ones, the consumer gets each chunk once, in order; a retry whose bytes
 * differ, an end that counts fewer chunks, and a handler's error are refused with coded errors.
 */
import { HeatbathError } from '../lib/errors';
import { chunkFields, endFields, errorFields, parseEntry, ResultEntry } from '../lib/serve/queue/protocol';
import { ResultAssembler } from '../lib/serve/queue/result-assembler';

/** An entry as it comes back from Redis: its fields as buffers. */
const entry = (fields: (string | Buffer)[]): ResultEntry => parseEntry(fields.map((f) => Buffer.from(f)));
const chunk = (index: number, text: string) => entry(chunkFields(index, Buffer.from(text)));
const end = (count: number) => entry(endFields(count));

/** Feeds entries; returns the chunks handed out (as text) and whether the job finished. */
function assemble(entries: ResultEntry[]): { chunks: string[]; finished: boolean } {
  const assembler = new ResultAssembler('job-1');
  const chunks: string[] = [];
  for (const e of entries) {
    const out = assembler.accept(e);
    if (out) chunks.push(out.toString());
  }
  return { chunks, finished: assembler.finished };
}

function thrown(body: () => unknown): HeatbathError {
  try {
    body();
  } catch (err) {
    return err as HeatbathError;
  }
  throw new Error('nothing was thrown');
}

const words = ['a', 'bb', 'ccc', 'dddd', 'eeeee'];
const attempt = (count = words.length) => words.slice(0, count).map((w, i) => chunk(i, w));

test('an undisturbed attempt: its chunks in order, then the end', () => {
  expect(assemble([...attempt(), end(5)])).toEqual({ chunks: words, finished: true });
});

test('a dead attempt then a full retry: each chunk once, and the job finishes', () => {
  for (let died = 0; died <= words.length; died++) {
    expect(assemble([...attempt(died), ...attempt(), end(5)])).toEqual({ chunks: words, finished: true });
  }
});

test('two attempts interleaved (a worker that lost its lock keeps writing): each chunk once', () => {
  const first = attempt();
  const second = attempt();
  const mixed = [
    first[0],
    first[1],
    second[0],
    first[2],
    second[1],
    second[2],
    second[3],
    first[3],
    first[4],
    end(5),
    second[4],
    end(5),
  ];
  expect(assemble(mixed)).toEqual({ chunks: words, finished: true });
});

test('entries lost from the stream: later chunks wait for an attempt that sends the gap', () => {
  // Redis lost chunks 2 and 3 of the first attempt; its end counts 5, more than were handed out: not finished.
  const lost = [chunk(0, 'a'), chunk(1, 'bb'), chunk(4, 'eeeee'), end(5)];
  expect(assemble(lost)).toEqual({ chunks: ['a', 'bb'], finished: false });
  expect(assemble([...lost, ...attempt(), end(5)])).toEqual({ chunks: words, finished: true });
});

test('a retry with other bytes, or fewer chunks, is a handler that is not deterministic', () => {
  const differs = thrown(() => assemble([...attempt(3), chunk(0, 'a'), chunk(1, 'XX')]));
  expect(differs.code).toBe('ERR_JOB_FAILED');
  expect(differs.message).toMatch(/chunk 1 differs between two attempts.*not deterministic/);
  const fewer = thrown(() => assemble([...attempt(3), end(2)]));
  expect(fewer.code).toBe('ERR_JOB_FAILED');
  expect(fewer.message).toMatch(/ended after 2 of 3 chunks/);
});

test("a handler's error: its own code and message, or ERR_JOB_FAILED for an uncoded one", () => {
  const coded = Object.assign(new Error('labels must be in [0, 9]'), { code: 'ERR_INVALID_ARGUMENT' });
  const first = thrown(() => assemble([chunk(0, 'a'), entry(errorFields(coded))]));
  expect([first.code, first.message]).toEqual(['ERR_INVALID_ARGUMENT', 'labels must be in [0, 9]']);
  const plain = thrown(() => assemble([entry(errorFields(new TypeError('x is not a function')))]));
  expect([plain.code, plain.message]).toEqual([
    'ERR_JOB_FAILED',
    'job job-1 failed on its worker: x is not a function',
  ]);
  // A code that is not of the ERR_ form is not trusted as one.
  const odd = thrown(() => assemble([entry(errorFields(Object.assign(new Error('no'), { code: 'ENOENT' })))]));
  expect(odd.code).toBe('ERR_JOB_FAILED');
});

test('an entry that is none of the three is refused', () => {
  expect(thrown(() => entry(['x', '1'])).code).toBe('ERR_QUEUE');
  expect(thrown(() => entry(['i', '-1', 'h', '', 'd', 'x'])).code).toBe('ERR_QUEUE');
});
