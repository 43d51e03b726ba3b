/** Ctrl-C for long commands: the first SIGINT aborts the signal the core was given; the handler goes afterwards. */
export async function whileInterruptible<T>(onInterrupt: () => void, body: (signal: AbortSignal) => Promise<T>): Promise<T> {
  const stop = new AbortController();
  const handler = (): void => {
    onInterrupt();
    stop.abort();
  };
  process.once("SIGINT", handler);
  try {
    return await body(stop.signal);
  } finally {
    process.removeListener("SIGINT", handler);
  }
}
