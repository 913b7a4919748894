import type { Lang } from "./lang.ts";

/** Words of the custody views about KeyLedger v2 sales, refunds and re-keys (timeline, batch and party pages). */
export type CustodyStrings = {
  /** "sold by {seller}" ({seller} = the seller's label). */
  soldBy: string;
  /** A refunded sale. */
  refunded: string;
  /** Sale number within the batch ({saleNo}). */
  saleNo: string;
  /** Keys with a live sale. */
  sold: string;
  /** Keys held and not sold. */
  inStock: string;
  /** Batch flag: only sold keys can be redeemed. */
  saleRequired: string;
  /** Heading of a party's re-keys. */
  rekeys: string;
  /** "{from} → {to}" line prefix. */
  rekeyed: string;
};

/** Custody-view words per language. */
export const custodyStrings: Record<Lang, CustodyStrings> = {
  "zh-CN": {
    soldBy: "由 {seller} 售出",
    refunded: "已退款",
    saleNo: "销售 #{saleNo}",
    sold: "已售",
    inStock: "库存",
    saleRequired: "须先售出才能兑换",
    rekeys: "账户更换",
    rekeyed: "账户更换",
  },
  en: {
    soldBy: "sold by {seller}",
    refunded: "refunded",
    saleNo: "sale #{saleNo}",
    sold: "sold",
    inStock: "in stock",
    saleRequired: "redeemable only once sold",
    rekeys: "Account changes (re-keys)",
    rekeyed: "re-keyed",
  },
};
