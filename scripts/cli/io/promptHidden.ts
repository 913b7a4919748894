import { CliUsageError } from "../errors.js";

/**
 * Asks for a secret on the terminal without echoing it.
 *
 * @param question - the prompt, written to stderr.
 * @returns what was typed (without the newline).
 * @example
 * const pw = await promptHidden("Password: ");
 */
export async function promptHidden(question: string): Promise<string> {
  const stdin = process.stdin;
  if (!stdin.isTTY) {
    throw new CliUsageError("A keystore password is needed but there is no terminal to ask on.", {
      details: "Set KEYTRAIL_KEYSTORE_PASSWORD for non-interactive use.",
    });
  }
  process.stderr.write(question);
  return new Promise((resolve, reject) => {
    let typed = "";
    stdin.setRawMode(true);
    stdin.resume();
    stdin.setEncoding("utf8");
    const onData = (chunk: string) => {
      for (const ch of chunk) {
        if (ch === "\r" || ch === "\n") {
          done();
          resolve(typed);
          return;
        }
        if (ch === "\u0003") {
          done();
          reject(new CliUsageError("Interrupted at the password prompt."));
          return;
        }
        if (ch === "\u007f") typed = typed.slice(0, -1);
        else typed += ch;
      }
    };
    const done = () => {
      stdin.off("data", onData);
      stdin.setRawMode(false);
      stdin.pause();
      process.stderr.write("\n");
    };
    stdin.on("data", onData);
  });
}
