import type { Row, Sql, Store } from "../store/types.js";

/** Options of {@link createQueryLanes}. */
export type QueryLaneOptions = {
  /**
   * Statements in the database at once, both lanes together (default: 1 for PGlite, which runs one
   * statement at a time on this thread anyway; unbounded for PostgreSQL, whose pool bounds it).
   */
  maxInFlight?: number | undefined;
  /** Statements of the heavy lane in the database at once (default 1; for PostgreSQL it leaves the pool's other connections to cheap reads). */
  maxHeavyInFlight?: number | undefined;
};

/** Two views of one store: cheap reads go first, heavy ones take what is left. */
export type QueryLanes = {
  /** Short reads that answer a cheap route (`/status`, one key): never queued behind a heavy statement. */
  cheap: Sql;
  /** Snapshot builds, whole batches, holdings, flows: one statement at a time, after every waiting cheap one. */
  heavy: Sql;
  /** Statements waiting now, per lane (for tests and the benchmark). */
  waiting(): { cheap: number; heavy: number };
};

type Job = { run: () => Promise<unknown>; resolve: (v: unknown) => void; reject: (e: unknown) => void };

/**
 * Splits a store's statements into two lanes so that cheap routes never wait behind heavy ones.
 * Each statement enters the database when a slot is free; a waiting cheap statement always takes a
 * free slot before a waiting heavy one, and heavy statements never hold more than
 * `maxHeavyInFlight` slots. On PGlite (one statement at a time, executed on the server's thread) a
 * cheap read therefore waits for at most the one heavy statement already running, never for a queue
 * of them; the heavy routes' statements are kept short (`buildSnapshot` reads its largest table in
 * chunks), so that wait stays short too.
 *
 * @param store - the indexer's store.
 * @param options - see {@link QueryLaneOptions}.
 * @returns the two lanes.
 * @example
 * const lanes = createQueryLanes(store);
 * await lanes.cheap.query("SELECT 1");
 */
export function createQueryLanes(store: Store, options: QueryLaneOptions = {}): QueryLanes {
  const maxInFlight = options.maxInFlight ?? (store.info.kind === "pglite" ? 1 : Number.POSITIVE_INFINITY);
  const maxHeavy = Math.min(options.maxHeavyInFlight ?? 1, maxInFlight);
  if (!(maxInFlight >= 1) || !(maxHeavy >= 1))
    throw new RangeError(
      `createQueryLanes: maxInFlight (${maxInFlight}) and maxHeavyInFlight (${maxHeavy}) must be at least 1.`,
    );
  const queues = { cheap: [] as Job[], heavy: [] as Job[] };
  let inFlight = 0;
  let heavyInFlight = 0;

  const pump = () => {
    while (inFlight < maxInFlight) {
      const lane = queues.cheap.length ? "cheap" : queues.heavy.length && heavyInFlight < maxHeavy ? "heavy" : null;
      if (!lane) return;
      const job = queues[lane].shift()!;
      inFlight++;
      if (lane === "heavy") heavyInFlight++;
      job
        .run()
        .then(job.resolve, job.reject)
        .finally(() => {
          inFlight--;
          if (lane === "heavy") heavyInFlight--;
          pump();
        });
    }
  };
  const enqueue = <T>(lane: "cheap" | "heavy", run: () => Promise<T>): Promise<T> =>
    new Promise<T>((resolve, reject) => {
      queues[lane].push({ run, resolve: resolve as (v: unknown) => void, reject });
      pump();
    });
  const view = (lane: "cheap" | "heavy"): Sql => ({
    query: <T extends Row = Row>(text: string, params?: readonly unknown[]) =>
      enqueue(lane, () => store.query<T>(text, params)),
    exec: (text: string) => enqueue(lane, () => store.exec(text)),
  });
  return {
    cheap: view("cheap"),
    heavy: view("heavy"),
    waiting: () => ({ cheap: queues.cheap.length, heavy: queues.heavy.length }),
  };
}
