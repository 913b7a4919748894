import type { Lang } from "./lang.ts";
import { custodyStrings, type CustodyStrings } from "./custodyStrings.ts";
import { CHECK_DETAILS_EN, type CheckDetailCode } from "../../../lib/verify/checkDetails.ts";

/** Verdicts the verify page can show (lib/verify's VerifyResult verdicts). */
export type Verdict =
  | "genuine"
  | "not-in-batch"
  | "revoked"
  | "redeemed"
  | "sold-to-another"
  | "sold-to-you"
  | "not-yet-sold"
  | "holder-mismatch"
  | "unreachable"
  | "malformed"
  | "wrong-chain";

type VerdictText = { title: string; detail: string };

const zh = {
  verdicts: {
    genuine: {
      title: "正品",
      detail: "此验证码为正品：它在发行方登记的批次中，链上状态正常（未吊销、未兑换）。卡密本身尚未核对。",
    },
    "not-in-batch": {
      title: "未登记：不是这里任何发行方签发的",
      detail: "二维码中的证明与链上登记的批次不符。这张卡密可能是伪造的。",
    },
    revoked: { title: "已吊销", detail: "发行方或监管方已冻结此卡密，请勿购买或使用。" },
    redeemed: { title: "已兑换", detail: "此卡密已被兑换过，不能再次使用。可能被重复销售。" },
    "sold-to-another": {
      title: "已卖给别人",
      detail:
        "链上记录此卡密已经卖出，但您这个链接里的购买凭证不是那笔销售的凭证。这可能是一卡多卖：请不要兑换，先联系卖家。",
    },
    "sold-to-you": {
      title: "已售予您",
      detail: "此卡密为正品，链上记录的这笔销售与您链接中的购买凭证相符：它是卖给您的。",
    },
    "not-yet-sold": {
      title: "尚未登记销售",
      detail:
        "此卡密为正品，但链上没有它的销售记录，而该批次必须先登记销售才能兑换。如果您已购买，请让卖家登记这笔销售。",
    },
    "holder-mismatch": { title: "卖家不是持有人", detail: "您指定的卖家并不是此卡密在链上的当前持有人。" },
    unreachable: {
      title: "无法连接区块链",
      detail: "暂时无法读取链上状态。下面列出了已在本机离线完成的检查；请稍后重试。",
    },
    malformed: { title: "无法识别", detail: "这不是有效的 KeyTrail 验证码，可能已损坏或被截断。" },
    "wrong-chain": { title: "属于另一条链", detail: "此验证码属于另一条区块链，本站无法验证。" },
  } satisfies Record<Verdict, VerdictText>,
  reasons: {
    stolen: "被盗",
    chargeback: "拒付/退单",
    "unauthorised-channel": "非授权渠道",
    "issuer-error": "发行方错误",
    other: "其他",
    refunded: "已退款",
  } as Record<string, string>,
  kinds: { supplier: "发行方", distributor: "代理商", retailer: "零售商" } as Record<string, string>,
  labels: {
    batch: "批次",
    commitment: "承诺值",
    index: "序号",
    issuer: "发行方",
    holder: "当前持有人",
    reason: "原因",
    chain: "链",
    chainFor: "此验证码属于",
    ledger: "合约",
    seller: "卖家",
    root: "链上默克尔根",
    proof: "默克尔证明",
    status: "链上状态",
    problem: "问题",
    authorised: "已授权 · 第{tier}级",
    authorisedNoTier: "已获发行方授权",
    notAuthorised: "未获发行方授权",
    issuerSelf: "发行方",
    accredited: "资质有效",
    accreditationExpired: "资质已过期",
    suspended: "已暂停",
    unregistered: "未登记",
    holderNow: "当前持有人（链上确认）",
    holderStale: "索引数据已过时：链上当前持有人为 {holder}",
    noHistory: "没有可用的流转记录（索引导出缺失或尚未更新）。",
    keyMatch: "一致：您输入的卡密与二维码中的承诺相符。",
    keyMismatch: "不一致：您输入的卡密与此二维码不符。",
    keyNeedsPayload: "请先扫描或粘贴验证码。",
    publicForm: "此公开码不含盐值：无法用它核对输入的卡密。",
    checkOk: "通过",
    checkFail: "未通过",
    checkSkip: "未进行",
    chainId: "链 ID {id}",
    chainHere: "本站验证 {name}（链 ID {id}）",
    ledgerHere: "本站只读取账本合约 {ledger}",
    computedRoot: "由证明算出的根（未经链上确认）",
    online: "链上",
    offline: "离线",
    expired: "注意：该批次已过有效期。",
    holderUnconfirmed: "无法连接区块链，当前持有人未经确认。",
    issuerSuspended: "注意：此卡密的发行方已被暂停。",
    frozenByRegulator: "此卡密由监管方冻结，只有监管方可以解除。",
    frozenBySupplier: "此卡密由发行方冻结。",
    refundedDetail: "这笔销售已退款，卡密已冻结，直到发行方恢复它。",
    sale: "销售",
    saleNo: "第 {n} 笔销售",
    soldBy: "卖家",
    soldAt: "售出时间",
    store: "门店",
    terminal: "终端",
    amount: "金额",
    saleTx: "销售交易",
    orderRef: "订单号",
    orderRefMatch: "一致：您输入的订单号与这笔销售记录的相符。",
    orderRefMismatch: "不一致：您输入的订单号不是这笔销售记录的订单号。",
    receiptNone: "此链接没有购买凭证。",
    receiptMismatch: "此链接的购买凭证与链上记录的销售不符。",
    receiptNoLiveSale: "此链接带有购买凭证，但此卡密目前没有有效的销售（可能已退款）。",
    contactSeller: "请联系卖家。",
  },
  checkDetails: {
    "decode-failed": "无法解码：{reason}（技术信息：{error}）",
    "decode-form": "{form}格式",
    "decode-form-receipt": "{form}格式，带购买凭证",
    "chain-other": "验证码属于链 {chainId}，本站读取的是链 {expected}",
    "ledger-other": "验证码指向账本 {ledger}，本站读取的是账本 {expected}",
    "chain-ok": "链 {chainId}，账本 {ledger}",
    "key-public-form": "公开版验证码不含盐值，无法用它核对输入的卡密",
    "key-match": "已在本机用验证码中的盐值计算",
    "key-mismatch": "输入的卡密（规范化后）与此承诺不符",
    "shard-read": "{where}：每个分片 {shardSize} 个卡密",
    "shard-failed": "无法读取证明分片（技术信息：{error}）",
    "status-read": "持有人 {holder}",
    "status-failed": "无法读取链上状态（技术信息：{error}）",
    "status-none": "未配置链上状态来源",
    "root-unknown": "账本上没有这个批次编号",
    "root-read": "{root}",
    "root-failed": "无法读取批次根（技术信息：{error}）",
    "proof-shard-folds": "{where} 折叠后得到批次根",
    "proof-commitment-differs": "验证码中的承诺与公布的不同",
    "proof-data-mismatch": "发布的证明数据与链上记录不符（技术信息：{error}）",
    "proof-unconfirmed": "折叠后得到根 {computed}，但无法在链上确认",
    "proof-checked": "{nodes} 个节点，对照批次根 {root}",
    "proof-checked-given": "{nodes} 个节点，对照给定的根 {root}",
    "receipt-v1": "此账本（第 1 版）不记录销售",
    "sale-none": "未配置销售记录来源",
    "sale-confirmed": "第 {saleNo} 笔销售，卖家 {seller}，已由账本确认",
    "sale-failed": "无法读取或确认销售记录（技术信息：{error}）",
    "receipt-none": "此链接不带购买凭证，而此卡密已经售出",
    "receipt-unchecked": "无法读取此卡密的销售记录，因此未核对购买凭证",
    "receipt-another": "第 {saleNo} 笔销售的有效凭证是另一个",
    "receipt-match": "第 {saleNo} 笔销售，已由账本确认",
    "receipt-refunded": "此凭证所属的销售已退款；此卡密目前未售出",
    "receipt-no-live-sale": "此卡密目前没有有效的销售",
    "order-ref-invalid": "订单号为空或超过 128 个字符",
    "order-ref-match": "已在本机用链接中的购买凭证计算",
    "order-ref-mismatch": "输入的订单号与链上记录的哈希不符",
    "seller-holds": "卖家 {seller} 持有此卡密",
    "seller-not-holder": "卖家 {seller}，持有人 {holder}",
  } satisfies Record<CheckDetailCode, string> as Record<string, string>,
  /** The payload's form, as a check's detail names it. */
  forms: { full: "完整", short: "简短" } as Record<string, string>,
  /** Why a payload did not decode, by lib/payload's error code. */
  payloadErrors: {
    EMPTY: "内容为空",
    OVERSIZED: "内容过长",
    BASE64: "含有无效字符或长度不对",
    URL: "链接中没有验证码部分",
    LINK: "GS1 数字链接的路径无效",
    LINK_MISMATCH: "链接路径与验证码内容不一致",
    TRUNCATED: "数据不完整（被截断）",
    VERSION: "不支持的格式版本",
    FLAGS: "标志位无效",
    VARINT_NON_CANONICAL: "数字编码不规范",
    VARINT_OVERFLOW: "数字超出范围",
    CHAIN_ID: "链编号为 0",
    INDEX_RANGE: "序号超出范围",
    PROOF_LENGTH: "证明长度不是 32 字节的整数倍",
    PROOF_TOO_DEEP: "证明节点过多",
    GS1: "GTIN、批号或序列号无效",
    EXPIRY: "GS1 有效期不是真实日期",
    TRAILING_BYTES: "末尾有多余数据",
    FIELD: "字段不符合格式",
  } as Record<string, string>,
  /** The reason of a payload error code missing above. */
  payloadErrorOther: "格式有误",
  checks: {
    decode: "验证码格式",
    chain: "链与账本合约",
    shard: "证明分片",
    key: "您输入的卡密",
    proof: "默克尔证明",
    root: "链上批次根",
    status: "链上卡密状态",
    sale: "链上销售记录",
    receipt: "您的购买凭证",
    orderRef: "您输入的订单号",
    seller: "卖家是否为持有人",
  } as Record<string, string>,
  trust: {
    agree: "{k}/{n} 个 RPC 节点一致认可区块 {block}（已校验存储证明）",
    one: "仅一个 RPC 节点（{k}/{n}）认可区块 {block}（已校验存储证明）",
    proofDataTitle: "无法确认：证明数据有问题",
    proofDataMismatch: "发布的证明数据与链上记录不符，因此无法确认此卡密。这是发布方数据的问题，不能说明卖家造假。",
    proofDataUnavailable: "找不到此卡密的证明数据，因此无法确认此卡密。这是发布方数据的问题，不能说明卖家造假。",
    disagreeTitle: "RPC 节点不一致——无法确认",
    disagreeDetail:
      "本站使用的 RPC 节点对链上状态给出了不同的说法，因此无法确认此卡密。下面列出了已在本机离线完成的检查。",
    disagree: "RPC 节点对区块 {block} 的说法不一致——无法确认",
    callV1: "由单个 RPC 的 eth_call 读取，未经证明（v1 账本不提供存储证明）",
    callAgree: "{k}/{n} 个 RPC 节点在区块 {block} 给出一致结果（eth_call 读取，不是存储证明；v1 账本不提供存储证明）",
    callOne: "仅一个 RPC 节点（{k}/{n}）在区块 {block} 作答（eth_call 读取，不是存储证明；v1 账本不提供存储证明）",
    callNoProof: "由单个 RPC 的 eth_call 读取，未经证明：该 RPC 不支持 eth_getProof",
  },
  card: {
    checkedCode: "已核对：验证码（卡密尚未核对）",
    checkedKey: "已核对：验证码和您输入的卡密",
    keyDetail: "您输入的卡密已确认：它就是此验证码对应的卡密，在发行方登记的批次中，链上状态正常（未吊销、未兑换）。",
    product: "商品",
    faceValue: "面值",
    expiry: "有效期至",
    noExpiry: "长期有效",
    expired: "已过期",
    issuer: "发行方",
    seller: "卖家",
    holder: "当前持有人",
    sellerHolds: "持有此卡密（链上确认）",
    sellerNotHolder: "不是此卡密的持有人（链上持有人：{holder}）",
    soldToYou: "由 {seller} 于 {date} 售予您，{amount}",
    unconfirmed: "未经链上确认",
    fromIndex: "* 商品和面值来自本站发布的索引数据，链上只确认批次，不确认这些文字。",
    indexDisagrees: "本站发布的索引数据与链上记录不符，因此不显示商品信息。",
    unnamed: "未命名",
  },
  next: {
    genuine: "下一步：在下方输入卡片上的卡密，确认卡密本身。",
    genuineKey: "下一步：可以放心兑换；请保留购买凭证。",
    "not-in-batch": "下一步：不要使用此卡密，请联系卖家换货或退款。",
    revoked: "下一步：不要购买或使用此卡密，请联系卖家退款。",
    redeemed: "下一步：不要接受此卡密；如果刚刚买到，请联系卖家退款。",
    "sold-to-another": "下一步：不要兑换，先联系卖家。",
    "sold-to-you": "下一步：在下方输入卡密确认；请保留购买凭证。",
    "sold-to-youKey": "下一步：此卡密是卖给您的，可以放心兑换。",
    "not-yet-sold": "下一步：兑换前请让卖家在链上登记这笔销售。",
    "holder-mismatch": "下一步：只向链上显示的持有人购买，或请卖家说明原因。",
    unreachable: "下一步：请稍后重试；在读到链上状态之前不要依赖此页面。",
    malformed: "下一步：重新扫码，或粘贴完整的验证链接。",
    "wrong-chain": "下一步：请在该链的验证网站上打开此验证码。",
  } as Record<string, string>,
  chains: {} as Record<string, string>,
  causes: {
    proof: "证明与链上批次的根不符（伪造或被篡改的验证码）。",
    key: "您输入的卡密与此验证码不符。",
    commitment: "验证码中的承诺与发行方公布的不同。",
    "batch-unknown": "账本上从未登记过这个批次。",
    "index-out-of-range": "批次中没有这个序号。",
  } as Record<string, string>,
};

const en: typeof zh = {
  verdicts: {
    genuine: {
      title: "Genuine",
      detail:
        "This code is genuine: it is in a batch its issuer registered, and the chain shows it neither revoked nor " +
        "redeemed. The key itself is not checked yet.",
    },
    "not-in-batch": {
      title: "Not issued by anyone here",
      detail: "The proof in this QR does not match any batch registered on the ledger. The key may be forged.",
    },
    revoked: { title: "Revoked", detail: "The issuer or a regulator froze this key. Do not buy or use it." },
    redeemed: {
      title: "Already redeemed",
      detail: "This key was already redeemed and cannot be used again. It may have been sold twice.",
    },
    "sold-to-another": {
      title: "Sold to someone else",
      detail:
        "The chain records a sale of this key, but the receipt in your link is not that sale's receipt. " +
        "It may have been sold twice: do not redeem it, and contact the seller first.",
    },
    "sold-to-you": {
      title: "Sold to you",
      detail:
        "This key is genuine, and the sale recorded on the chain matches the receipt in your link: it was sold to you.",
    },
    "not-yet-sold": {
      title: "No sale recorded yet",
      detail:
        "This key is genuine, but no sale of it is recorded on the chain, and its batch must be sold before it can be " +
        "redeemed. If you bought it, ask the seller to record the sale.",
    },
    "holder-mismatch": {
      title: "The seller you name is not the holder",
      detail: "The seller named for this key is not its current holder on the chain.",
    },
    unreachable: {
      title: "Cannot reach the chain",
      detail:
        "The chain could not be read just now. What was still checked offline on this device is listed below; try again later.",
    },
    malformed: {
      title: "Not a valid code",
      detail: "This is not a valid KeyTrail verification code; it may be damaged or truncated.",
    },
    "wrong-chain": {
      title: "For another chain",
      detail: "This code belongs to a different blockchain and cannot be verified here.",
    },
  },
  reasons: {
    stolen: "stolen",
    chargeback: "chargeback",
    "unauthorised-channel": "unauthorised channel",
    "issuer-error": "issuer error",
    other: "other",
    refunded: "refunded",
  },
  kinds: { supplier: "Issuer", distributor: "Distributor", retailer: "Retailer" },
  labels: {
    batch: "Batch",
    commitment: "Commitment",
    index: "Index",
    issuer: "Issuer",
    holder: "Current holder",
    reason: "Reason",
    chain: "Chain",
    chainFor: "This code is for",
    ledger: "Ledger",
    seller: "Seller",
    root: "On-chain Merkle root",
    proof: "Merkle proof",
    status: "On-chain status",
    problem: "Problem",
    authorised: "authorised · tier {tier}",
    authorisedNoTier: "authorised by the issuer",
    notAuthorised: "not authorised by the issuer",
    issuerSelf: "issuer",
    accredited: "accredited",
    accreditationExpired: "accreditation expired",
    suspended: "suspended",
    unregistered: "not registered",
    holderNow: "current holder (confirmed on chain)",
    holderStale: "Index data is out of date: the chain says the current holder is {holder}",
    noHistory: "No custody history available (the index export is missing or behind).",
    keyMatch: "Match: the key you entered matches this QR's commitment.",
    keyMismatch: "No match: the key you entered does not belong to this QR.",
    keyNeedsPayload: "Scan or paste a code first.",
    publicForm: "A typed key cannot be checked with this form (a public code carries no salt).",
    checkOk: "passed",
    checkFail: "failed",
    checkSkip: "not run",
    chainId: "chain id {id}",
    chainHere: "this portal verifies {name} (chain id {id})",
    ledgerHere: "this portal reads only ledger {ledger}",
    computedRoot: "Root the proof leads to (not confirmed on chain)",
    online: "online",
    offline: "offline",
    expired: "Note: this batch is past its expiry date.",
    holderUnconfirmed: "The chain could not be reached: the current holder is not confirmed.",
    issuerSuspended: "Note: the issuer of this key is suspended.",
    frozenByRegulator: "A regulator froze this key; only a regulator can lift it.",
    frozenBySupplier: "The issuer froze this key.",
    refundedDetail: "This sale was refunded; the key is frozen until its issuer reinstates it.",
    sale: "Sale",
    saleNo: "sale no. {n}",
    soldBy: "Sold by",
    soldAt: "Sold at",
    store: "Store",
    terminal: "Terminal",
    amount: "Amount",
    saleTx: "Sale transaction",
    orderRef: "Order reference",
    orderRefMatch: "Match: the order reference you typed is the one recorded for this sale.",
    orderRefMismatch: "No match: the order reference you typed is not the one recorded for this sale.",
    receiptNone: "This link carries no receipt.",
    receiptMismatch: "The receipt in this link does not match the sale recorded on the chain.",
    receiptNoLiveSale: "This link carries a receipt, but the key has no live sale now (it may have been refunded).",
    contactSeller: "Contact the seller.",
  },
  checkDetails: CHECK_DETAILS_EN,
  forms: {},
  payloadErrors: {},
  payloadErrorOther: "",
  checks: {
    decode: "code format",
    chain: "chain and ledger",
    shard: "proof shard",
    key: "the key you typed",
    proof: "Merkle proof",
    root: "batch root on chain",
    status: "key status on chain",
    sale: "sale record on chain",
    receipt: "your receipt",
    orderRef: "the order reference you typed",
    seller: "seller holds the key",
  },
  trust: {
    agree: "{k} of {n} RPCs agree on block {block} (storage proofs checked)",
    one: "One RPC ({k} of {n}) vouches for block {block} (storage proofs checked)",
    proofDataTitle: "Cannot confirm: the proof data is faulty",
    proofDataMismatch:
      "The published proof data does not match the chain, so this key cannot be confirmed. " +
      "The publisher's data is at fault; it says nothing against the seller.",
    proofDataUnavailable:
      "The proof data for this key could not be found, so it cannot be confirmed. " +
      "The publisher's data is missing; it says nothing against the seller.",
    disagreeTitle: "RPCs disagree — cannot confirm",
    disagreeDetail:
      "The RPCs this portal reads give different accounts of the chain, so nothing about this key can be " +
      "confirmed. What was still checked offline on this device is listed below.",
    disagree: "RPCs disagree on block {block} — cannot confirm",
    callV1: "Read with one RPC's eth_call, not proven (a v1 ledger has no storage proofs)",
    callAgree:
      "{k} of {n} RPCs agree at block {block} (read by eth_call, not a storage proof: a v1 ledger has no storage proofs)",
    callOne:
      "One RPC ({k} of {n}) answered at block {block} (read by eth_call, not a storage proof: a v1 ledger has no storage proofs)",
    callNoProof: "Read with one RPC's eth_call, not proven: the RPC does not answer eth_getProof",
  },
  card: {
    checkedCode: "Checked: the code (the key is not checked yet)",
    checkedKey: "Checked: the code and the key you typed",
    keyDetail:
      "The key you typed is confirmed: it is this code's key, in a batch its issuer registered, and the chain " +
      "shows it neither revoked nor redeemed.",
    product: "Product",
    faceValue: "Face value",
    expiry: "Valid until",
    noExpiry: "no expiry",
    expired: "expired",
    issuer: "Issuer",
    seller: "Seller",
    holder: "Current holder",
    sellerHolds: "holds this key (confirmed on chain)",
    sellerNotHolder: "does not hold this key (the chain says {holder} does)",
    soldToYou: "Sold to you by {seller} on {date}, {amount}",
    unconfirmed: "not confirmed on chain",
    fromIndex:
      "* Product and face value come from this portal's published index: the chain confirms the batch, not these words.",
    indexDisagrees:
      "This portal's published index does not match the chain for this batch, so no product facts are shown.",
    unnamed: "unnamed",
  },
  next: {
    genuine: "Next: type the key printed on your card below to confirm the key itself.",
    genuineKey: "Next: you can redeem this key; keep your receipt.",
    "not-in-batch": "Next: do not use this key; ask the seller for a replacement or a refund.",
    revoked: "Next: do not buy or use this key; ask the seller for a refund.",
    redeemed: "Next: do not accept this key; if you just bought it, ask the seller for a refund.",
    "sold-to-another": "Next: do not redeem it; contact the seller first.",
    "sold-to-you": "Next: type your key below to confirm it; keep your receipt.",
    "sold-to-youKey": "Next: this key was sold to you; you can redeem it.",
    "not-yet-sold": "Next: ask the seller to record the sale on the chain before you redeem the key.",
    "holder-mismatch": "Next: buy only from the holder the chain names, or ask the seller why.",
    unreachable: "Next: try again in a few minutes; do not rely on this page until it can read the chain.",
    malformed: "Next: scan the QR again, or paste the whole verification link.",
    "wrong-chain": "Next: open this code on the verify site of the chain it was issued on.",
  },
  chains: {},
  causes: {
    proof: "The proof does not lead to the batch's root on chain (a forged or altered code).",
    key: "The key you typed does not belong to this code.",
    commitment: "The code's commitment differs from the one the issuer published.",
    "batch-unknown": "No such batch was ever anchored on the ledger.",
    "index-out-of-range": "The batch has no key with this index.",
  },
};

/** The verify page's strings of one language (with the custody words and well-known chain names). */
export type VerdictStrings = typeof zh & { custody: CustodyStrings };

/** Well-known chain ids, so "wrong chain" can say which chain a code is for (names are not translated). */
const CHAINS: Record<string, string> = {
  1: "Ethereum",
  10: "OP Mainnet",
  56: "BNB Smart Chain",
  137: "Polygon",
  324: "zkSync Era",
  8453: "Base",
  42161: "Arbitrum One",
  43114: "Avalanche C-Chain",
  59144: "Linea",
  534352: "Scroll",
  31337: "Hardhat / Anvil (local)",
  11155111: "Sepolia",
  17000: "Holesky",
};

/**
 * The verify page's strings of one language (embedded in the page as JSON, never in the script).
 *
 * @param lang - language
 * @returns the dictionary
 * @example
 * verdictStrings("en").verdicts.genuine.title // "Genuine"
 */
export function verdictStrings(lang: Lang): VerdictStrings {
  return { ...(lang === "en" ? en : zh), chains: CHAINS, custody: custodyStrings[lang] };
}
