import { closeSync, existsSync, fsyncSync, openSync, readFileSync, writeSync } from "node:fs";
import { CliError } from "../errors.js";

/** The first line of a journal: what run it belongs to. */
export type JournalHeader = {
  kind: "keytrail-transfer-journal";
  version: 1;
  ordersHash: string;
  chunkSize: number;
  chainId: number;
  ledger: string;
  from: string;
  chunks: number;
};

/** A journal line about one chunk. `signed` is written before the broadcast, `confirmed` after the receipt. */
export type JournalEntry =
  | { chunk: number; state: "signed"; hash: string; nonce: number; raw: string }
  | { chunk: number; state: "confirmed"; hash: string; block: string };

/** An open journal. */
export type Journal = {
  path: string;
  header: JournalHeader | undefined;
  /** The last entry per chunk. */
  last: Map<number, JournalEntry>;
  /** Appends a line and flushes it to disk before returning. */
  append(line: JournalHeader | JournalEntry): void;
  close(): void;
};

/**
 * Opens (or creates) the journal of a bulk transfer: JSON lines, each flushed to disk before the
 * step it records goes ahead, so a run killed at any moment can be resumed without sending any
 * range twice. A torn last line (killed mid-write) is ignored.
 *
 * @param path - the journal file (next to the orders file).
 * @returns the {@link Journal}.
 * @example
 * const j = openJournal("orders.csv.journal");
 */
export function openJournal(path: string): Journal {
  let header: JournalHeader | undefined;
  const last = new Map<number, JournalEntry>();
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
      }
    });
    if (header && header.kind !== "keytrail-transfer-journal")
      throw new CliError(`${path} is not a keytrail transfer journal.`);
  }
  const fd = openSync(path, "a");
  return {
    path,
    header,
    last,
    append(line) {
      writeSync(fd, `${JSON.stringify(line)}\n`);
      fsyncSync(fd);
      if ("chunk" in line) last.set(line.chunk, line);
      else header = line;
    },
    close() {
      closeSync(fd);
    },
  };
}
