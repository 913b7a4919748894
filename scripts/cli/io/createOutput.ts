import { toJson } from "./toJson.js";

/** Where a command writes: results to stdout, progress and notes to stderr (silenced by --quiet). */
export type Output = {
  readonly quiet: boolean;
  /** A note for people (stderr); hidden by --quiet. */
  info(message: string): void;
  /** A warning (stderr); shown even with --quiet. */
  warn(message: string): void;
  /** A result line (stdout). */
  result(text: string): void;
  /** A JSON result (stdout), bigints as decimal strings. */
  json(value: unknown): void;
};

/**
 * Creates the output channel of one command run.
 *
 * @param options.quiet - hide notes and progress (for scripts).
 * @returns the {@link Output}.
 * @example
 * const out = createOutput({ quiet: false }); out.result("ok");
 */
export function createOutput(options: { quiet?: boolean | undefined }): Output {
  const quiet = options.quiet === true;
  return {
    quiet,
    info: (m) => {
      if (!quiet) process.stderr.write(`${m}\n`);
    },
    warn: (m) => {
      process.stderr.write(`warning: ${m}\n`);
    },
    result: (t) => {
      process.stdout.write(`${t}\n`);
    },
    json: (v) => {
      process.stdout.write(`${toJson(v)}\n`);
    },
  };
}
