import { readdirSync, readFileSync } from 'node:fs';

/**
 * CPU time a process has used, in ms, summed over its threads (the event
 * loop, GC and libuv's pool): /proc/<pid>/task/<tid>/schedstat counts in
 * nanoseconds, where /proc/<pid>/stat only has 10 ms ticks. Synchronous so a
 * reading is taken at the instant an event is seen.
 */
export function processCpuMs(pid: number): number {
  let total = 0;
  for (const task of readdirSync(`/proc/${pid}/task`)) {
    try {
      total += Number(readFileSync(`/proc/${pid}/task/${task}/schedstat`, 'utf8').split(' ')[0]);
    } catch {
      // a thread that ended between the listing and the read
    }
  }
  return total / 1e6;
}

/** Resident memory of a process, MB. */
export function residentMb(pid: number): number {
  const status = readFileSync(`/proc/${pid}/status`, 'utf8');
  return Number(/VmRSS:\s+(\d+) kB/.exec(status)![1]) / 1024;
}
