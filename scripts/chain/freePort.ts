import { createServer } from "node:net";

/**
 * A free TCP port on 127.0.0.1 (bound, then released); `preferred` first when it is free.
 *
 * @param preferred - a port to try first (e.g. 8545).
 * @returns the port.
 * @example
 * const port = await freePort(8545);
 */
export async function freePort(preferred?: number): Promise<number> {
  const tryPort = (port: number) =>
    new Promise<number | null>((res) => {
      const s = createServer();
      s.once("error", () => res(null));
      s.listen(port, "127.0.0.1", () => {
        const a = s.address();
        const got = typeof a === "object" && a ? a.port : 0;
        s.close(() => res(got));
      });
    });
  if (preferred !== undefined) {
    const p = await tryPort(preferred);
    if (p) return p;
  }
  const p = await tryPort(0);
  if (!p) throw new Error("no free TCP port on 127.0.0.1");
  return p;
}
