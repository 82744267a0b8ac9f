/** The delays `run` hands to Node's own setTimeout (the global, which the real timers call). */
export function handedToNode(run: () => void): number[] {
  const delays: number[] = [];
  const original = globalThis.setTimeout;
  const spy = (callback: () => void, ms?: number) => {
    delays.push(ms ?? 0);
    return original(callback, ms);
  };
  globalThis.setTimeout = spy as typeof setTimeout;
  try {
    run();
  } finally {
    globalThis.setTimeout = original;
  }
  return delays;
}
