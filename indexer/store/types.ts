/** Which database the indexer uses, and why it was chosen (logged at start). */
export type StoreInfo =
  { kind: "pglite"; dataDir: string | null; reason: string } | { kind: "postgres"; url: string; reason: string };

/** A row as returned by the query layer: int8 columns come back as numbers, numeric as strings. */
export type Row = Record<string, unknown>;

/** The SQL surface shared by PGlite and PostgreSQL (`$1` parameters, arrays as JS arrays). */
export type Sql = {
  /** Runs one statement with parameters and returns its rows. */
  query<T extends Row = Row>(text: string, params?: readonly unknown[]): Promise<T[]>;
  /** Runs one or more statements without parameters. */
  exec(text: string): Promise<void>;
};

/** A database: the SQL surface plus transactions. */
export type Store = Sql & {
  readonly info: StoreInfo;
  /** Runs `fn` in one transaction: all its statements commit together or none does. */
  transaction<T>(fn: (tx: Sql) => Promise<T>): Promise<T>;
  close(): Promise<void>;
};
