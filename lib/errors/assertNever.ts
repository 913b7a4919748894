import { BaseError } from "./BaseError.js";

/** A value that the types say cannot exist reached an exhaustive switch (e.g. an event name the ABI lacks). */
export class UnreachableCaseError extends BaseError {
  override name = "UnreachableCaseError";
}

/**
 * Ends an exhaustive `switch`: the compiler accepts the call only when every case is handled
 * (`value` is then `never`), so adding a member to the union (a ledger event, a verdict) makes
 * `tsc` list every switch that must handle it. At run time it throws, naming the value.
 *
 * @param value - the switched-on value, narrowed to `never` by the cases above.
 * @param what - what the value is, for the message (e.g. "ledger event").
 * @returns never.
 * @throws UnreachableCaseError always.
 * @example
 * switch (event.eventName) {
 *   case "BatchAnchored": ...; break;
 *   // ...every other event...
 *   default: assertNever(event, "ledger event");
 * }
 */
export function assertNever(value: never, what = "value"): never {
  const v: unknown = value;
  let shown = String(v);
  if (typeof v === "object" && v !== null) {
    if ("eventName" in v) shown = String(v.eventName);
    else if ("verdict" in v) shown = String(v.verdict);
    else if ("type" in v) shown = String(v.type);
  }
  throw new UnreachableCaseError(`Unhandled ${what} ${JSON.stringify(shown)}.`, {
    details: "The code does not know this case: is it older than the data?",
  });
}
