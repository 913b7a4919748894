import { describe, expect, it } from "vitest";
import type { Address } from "viem";
import { verifyPayload, type VerifyOptions } from "../../lib/verify/verifyPayload.js";
import {
  CHECK_DETAIL_CODES,
  CHECK_DETAILS_EN,
  checkDetailText,
  fillCheckDetail,
} from "../../lib/verify/checkDetails.js";
import { makeBatch } from "./batch.js";

const SUPPLIER: Address = "0xf39Fd6e51aad88F6F4ce6aB8827279cffFb92266";
const RETAILER: Address = "0x70997970C51812dc3A010C7d01b50e0d17dc79C8";
const LEDGER: Address = "0x5FbDB2315678afecb367f032d93F642f64180aa3";
const b = makeBatch({ supplier: SUPPLIER, ledger: LEDGER, chainId: 31337, label: "details", count: 20, shardSize: 8 });
const online = (patch: Parameters<typeof b.status>[0] = {}, extra: VerifyOptions = {}): VerifyOptions => ({
  expectedChainId: 31337,
  fetchStatus: async () => b.status(patch),
  fetchShard: b.fetchShard,
  ...extra,
});

describe("check details: a stable code with parameters, the English sentence rendered from it", () => {
  it("every check of every verdict carries a known code, and its detail is that code's English sentence", async () => {
    const runs = await Promise.all([
      verifyPayload(b.full(3), online()),
      verifyPayload(b.short(11), online()),
      verifyPayload(b.full(3), online({}, { seller: RETAILER })),
      verifyPayload(b.full(3), online({ frozenReason: "stolen" })),
      verifyPayload(b.full(3), online({ root: `0x${"0".repeat(64)}` })),
      verifyPayload(b.full(3), { expectedChainId: 1 }),
      verifyPayload("AAAA", online()),
      verifyPayload(b.full(3), {
        expectedChainId: 31337,
        fetchStatus: async () => {
          throw new Error("connection refused");
        },
      }),
      verifyPayload(b.short(11), { expectedChainId: 31337, fetchStatus: async () => b.status({}) }),
    ]);
    const seen = new Set<string>();
    for (const r of runs)
      for (const c of r.checks) {
        expect(CHECK_DETAIL_CODES).toContain(c.detailCode);
        expect(c.detail).toBe(checkDetailText(c.detailCode!, c.detailParams));
        // every placeholder of the template is filled
        expect(c.detail, c.detailCode).not.toMatch(/\{\w+\}/);
        seen.add(c.detailCode!);
      }
    expect(seen.size).toBeGreaterThanOrEqual(12);
  });

  it("keeps the English the CLI prints (sentences as before the codes)", async () => {
    const r = await verifyPayload(b.full(3), online({}, { seller: RETAILER }));
    const byName = Object.fromEntries(r.checks.map((c) => [c.name, c]));
    expect(byName.decode?.detail).toBe("full form");
    expect(byName.chain?.detail?.toLowerCase()).toBe(`chain 31337, ledger ${LEDGER}`.toLowerCase());
    expect(byName.status?.detail?.toLowerCase()).toBe(`holder ${SUPPLIER}`.toLowerCase());
    expect(byName.seller?.detail?.toLowerCase()).toBe(`seller ${RETAILER}, holder ${SUPPLIER}`.toLowerCase());
    expect(Object.keys(byName.seller?.detailParams ?? {})).toEqual(["seller", "holder"]);
    const bad = await verifyPayload("AAAA", online());
    expect(bad.checks[0]).toMatchObject({ detailCode: "decode-failed", detailParams: { code: expect.any(String) } });
    expect(bad.checks[0]!.detail).toBe(bad.checks[0]!.detailParams!.error);
  });

  it("fills only the parameters it is given; a value is never read as a template", () => {
    expect(fillCheckDetail("sale {saleNo} by {seller}", { saleNo: 2 })).toBe("sale 2 by {seller}");
    expect(fillCheckDetail("holder {holder}", { holder: "{saleNo}" })).toBe("holder {saleNo}");
    // a prototype name is not a parameter
    expect(fillCheckDetail("{constructor} {toString}", {})).toBe("{constructor} {toString}");
    expect(Object.keys(CHECK_DETAILS_EN)).toEqual(CHECK_DETAIL_CODES);
  });
});
