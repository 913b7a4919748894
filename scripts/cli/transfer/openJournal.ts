import { chmodSync, closeSync, existsSync, fsyncSync, openSync, readFileSync, writeSync } from "node:fs";
import { CliError } from "../errors.js";

/** The kinds of journal: a bulk transfer's, or a sale's (which holds receipt secrets). */
export type JournalKind = "keytrail-transfer-journal" | "keytrail-sale-journal";

/** The first line of a journal: what run it belongs to. */
export type JournalHeader = {
  kind: JournalKind;
  version: 1;
  ordersHash: string;
  chunkSize: number;
  chainId: number;
  ledger: string;
  from: string;
  chunks: number;
};

/**
 * A journal line about one chunk. `prepared` (sales) records what the chunk will send, secrets
 * included, before anything is signed; `signed` is written before the broadcast, `confirmed` after
 * the receipt.
 */
export type JournalEntry =
  | { chunk: number; state: "prepared"; items: unknown[] }
  | { chunk: number; state: "signed"; hash: string; nonce: number; raw: string }
  | { chunk: number; state: "confirmed"; hash: string; block: string };

/** An open journal. */
export type Journal = {
  path: string;
  header: JournalHeader | undefined;
  /** The last entry per chunk. */
  last: Map<number, JournalEntry>;
  /** The `prepared` entry per chunk (sales). */
  prepared: Map<number, Extract<JournalEntry, { state: "prepared" }>>;
  /** Appends a line and flushes it to disk before returning. */
  append(line: JournalHeader | JournalEntry): void;
  close(): void;
};

/**
 * Opens (or creates) the journal of a bulk transfer: JSON lines, each flushed to disk before the
 * step it records goes ahead, so a run killed at any moment can be resumed without sending any
 * range twice. A torn last line (killed mid-write) is ignored.
 *
 * A sale journal holds the buyers' receipt secrets: it is created readable by its owner only (0600).
 *
 * @param path - the journal file (next to the orders file).
 * @param kind - the journal's kind (default a bulk transfer's); another kind's journal is refused.
 * @returns the {@link Journal}.
 * @example
 * const j = openJournal("orders.csv.journal");
 */
export function openJournal(path: string, kind: JournalKind = "keytrail-transfer-journal"): Journal {
  let header: JournalHeader | undefined;
  const last = new Map<number, JournalEntry>();
  const prepared: Journal["prepared"] = new Map();
  if (existsSync(path)) {
    const lines = readFileSync(path, "utf8").split("\n");
    lines.forEach((l, i) => {
      if (!l.trim()) return;
      let v: unknown;
      try {
        v = JSON.parse(l);
      } catch {
        if (i >= lines.length - 2) return; // torn last line
        throw new CliError(`Journal ${path} line ${i + 1} is damaged; it cannot be trusted to resume safely.`);
      }
      if (i === 0) header = v as JournalHeader;
      else {
        const e = v as JournalEntry;
        last.set(e.chunk, e);
        if (e.state === "prepared") prepared.set(e.chunk, e);
      }
    });
    if (header && header.kind !== kind)
      throw new CliError(
        `${path} is not a keytrail ${kind === "keytrail-sale-journal" ? "sale" : "transfer"} journal.`,
      );
  }
  const secret = kind === "keytrail-sale-journal";
  const fd = openSync(path, "a", secret ? 0o600 : 0o666);
  if (secret) chmodSync(path, 0o600);
  return {
    path,
    header,
    last,
    prepared,
    append(line) {
      writeSync(fd, `${JSON.stringify(line)}\n`);
      fsyncSync(fd);
      if ("chunk" in line) {
        last.set(line.chunk, line);
        if (line.state === "prepared") prepared.set(line.chunk, line);
      } else header = line;
    },
    close() {
      closeSync(fd);
    },
  };
}
