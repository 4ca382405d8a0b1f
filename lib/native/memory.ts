/**
 * The memory budget of a request, on the TypeScript side: the same limit as the core's
 * (native/core/memory.h: HEATBATH_MEMORY_LIMIT, else 3/4 of the smaller of physical memory and the
 * process's cgroup limit), read once from the addon, so typed arrays whose size a user or a file
 * chooses are refused with the same ERR_TOO_LARGE before they are allocated.
 */
import * as v8 from 'v8';
import { HeatbathError } from '../errors';
import { native } from '.';

let limit: number | undefined;

/** The bytes one request may use. */
export function usableMemoryBytes(): number {
  limit ??= native().info().memoryLimit;
  return limit;
}

/** Throws ERR_TOO_LARGE when `bytes` (all of a request's allocations together) exceed usableMemoryBytes(). */
export function checkFits(bytes: number, what: string): void {
  const usable = usableMemoryBytes();
  if (!(bytes <= usable)) {
    throw new HeatbathError(
      'ERR_TOO_LARGE',
      `${what} needs ${(bytes / 1e9).toFixed(6)} GB, more than the ${(usable / 1e9).toFixed(6)} GB one request may use ` +
        '(3/4 of the memory this process can have; HEATBATH_MEMORY_LIMIT overrides)',
    );
  }
}

/**
 * Throws ERR_TOO_LARGE when `bytes` of plain JS arrays (numbers, Sets) would not fit in what is left
 * of V8's heap: past its limit V8 ends the process, whatever the machine's memory.
 */
export function checkHeapFits(bytes: number, what: string): void {
  const { heap_size_limit: limit, used_heap_size: used } = v8.getHeapStatistics();
  if (!(bytes <= limit - used)) {
    throw new HeatbathError(
      'ERR_TOO_LARGE',
      `${what} needs ${(bytes / 1e9).toFixed(6)} GB of JavaScript heap, more than the ${((limit - used) / 1e9).toFixed(6)} GB ` +
        'left (node --max-old-space-size raises the limit)',
    );
  }
}
