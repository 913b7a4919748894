import cliProgress from "cli-progress";

/** A progress bar that can be advanced and stopped; a no-op under --quiet. */
export type Progress = {
  /** Sets the number of items done. */
  update(done: number): void;
  /** Adds to the number of items done. */
  increment(by?: number): void;
  /** Finishes the bar (prints the final line). */
  stop(): void;
};

/**
 * A progress bar on stderr with count, rate and ETA. On a terminal it redraws in place; when
 * stderr is a pipe or a file it prints a line every few seconds, so logs show progress too.
 *
 * @param options.label - what is counted, e.g. "sealing".
 * @param options.total - number of items.
 * @param options.unit - name of one item, e.g. "keys".
 * @param options.quiet - no output at all.
 * @returns the {@link Progress}.
 * @example
 * const bar = createProgress({ label: "sealing", total: 1_000_000, unit: "keys", quiet: false });
 * bar.update(500_000); bar.stop();
 */
export function createProgress(options: {
  label: string;
  total: number;
  unit: string;
  quiet?: boolean | undefined;
}): Progress {
  if (options.quiet || options.total <= 0) return { update: () => {}, increment: () => {}, stop: () => {} };
  const started = Date.now();
  let done = 0;
  const rate = () => {
    const s = (Date.now() - started) / 1000;
    return s > 0 ? Math.round(done / s).toLocaleString("en-US") : "0";
  };
  const bar = new cliProgress.SingleBar(
    {
      format: `${options.label} [{bar}] {percentage}% | {value}/{total} ${options.unit} | {rate} ${options.unit}/s | ETA {eta_formatted} | {elapsed}s`,
      barsize: 24,
      hideCursor: false,
      noTTYOutput: true,
      notTTYSchedule: 3000,
      etaBuffer: 50,
      stream: process.stderr,
      formatValue: (v, _o, type) => (type === "value" || type === "total" ? v.toLocaleString("en-US") : String(v)),
    },
    cliProgress.Presets.shades_classic,
  );
  bar.start(options.total, 0, { rate: "0", elapsed: "0" });
  const payload = () => ({ rate: rate(), elapsed: ((Date.now() - started) / 1000).toFixed(1) });
  return {
    update: (n) => {
      done = n;
      bar.update(n, payload());
    },
    increment: (by = 1) => {
      done += by;
      bar.update(done, payload());
    },
    stop: () => {
      bar.update(done, payload());
      bar.stop();
    },
  };
}
