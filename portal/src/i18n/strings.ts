import type { Lang } from "./lang.ts";

const zh = {
  siteName: "KeyTrail 卡密溯源",
  tagline: "扫码验证卡密真伪、来源与流转记录",
  skip: "跳到正文",
  nav: { home: "首页", verify: "验证", batches: "批次", parties: "参与方", audit: "审计", how: "验证原理" },
  langSwitch: "English",
  langSwitchLabel: "切换到英文",
  footer: "所有验证在您的浏览器中完成：二维码内容不会发送到任何服务器。",
  home: {
    title: "验证您的卡密",
    intro: "扫描卡密附带的二维码、上传二维码照片或粘贴链接，即可查看：是否正品、由谁发行、经过哪些代理、是否已吊销或已兑换。",
    cta: "开始验证",
    batches: "已登记批次",
    parties: "已登记参与方",
    none: "暂无数据（索引导出尚未发布）。",
  },
  verify: {
    title: "验证卡密",
    intro: "二维码内容只在本机解析，不会上传。",
    scan: "用摄像头扫码",
    stopScan: "停止扫码",
    upload: "上传二维码照片",
    paste: "粘贴验证链接或编码",
    pasteButton: "验证",
    seller: "卖家地址（可选，用于核对卖家是否为当前持有人）",
    keyLegend: "输入卡密核对（可选，仅在本机计算哈希，不发送）",
    serial: "卡号（如有）",
    pin: "卡密",
    keyButton: "核对",
    idle: "等待扫码、上传或粘贴…",
    working: "正在验证…",
    noCamera: "无法使用摄像头（未授权或设备不支持）。请上传照片或粘贴链接。",
    noQr: "图片中没有找到可识别的二维码。",
    badImage: "无法读取该图片。",
    facts: "详情",
    timeline: "流转记录",
    offlineChecks: "离线已完成的检查",
    onlineChecks: "链上检查",
  },
  batch: { title: "批次", count: "数量", supplier: "发行方", root: "默克尔根", product: "商品", face: "面值", expires: "到期", restricted: "仅限授权渠道", yes: "是", no: "否", holdings: "当前持有分布", history: "历史", range: "区间", manifest: "清单" },
  party: {
    title: "参与方", kind: "类型", accreditation: "资质有效期至", never: "长期有效", suspended: "已暂停", active: "资质有效", expired: "资质已过期",
    given: "授出的授权", received: "获得的授权", holdings: "持有", profile: "资料", none: "无", tier: "级", valid: "有效", invalid: "无效/已过期",
    kinds: { supplier: "发行方", distributor: "代理商", retailer: "零售商", none: "未登记" } as Record<string, string>,
  },
  audit: { title: "审计", none: "尚未发布审计报告。", digest: "状态摘要", findings: "发现", scorecards: "供应商评分", raw: "原始报告（JSON）", range: "审计区块", indexer: "与索引器对比", match: "一致", divergence: "不一致", supplier: "发行方", grade: "等级", score: "得分", revocation: "吊销率", redemption: "兑换率", unauthorised: "非授权流转占比", shown: "显示", rules: "规则", rule: "规则", severity: "严重程度" },
  how: { title: "验证原理" },
  time: "时间", tx: "交易", from: "从", to: "至", unknown: "未知",
};

type Strings = typeof zh;

const en: Strings = {
  siteName: "KeyTrail key provenance",
  tagline: "Scan a card key's QR to see whether it is genuine, where it came from and where it went",
  skip: "Skip to content",
  nav: { home: "Home", verify: "Verify", batches: "Batches", parties: "Parties", audit: "Audit", how: "How it works" },
  langSwitch: "中文",
  langSwitchLabel: "切换到中文 (Switch to Chinese)",
  footer: "Everything is checked in your browser: the QR contents are never sent to any server.",
  home: {
    title: "Verify your card key",
    intro: "Scan the QR that came with your key, upload a photo of it, or paste the link, to see whether it is genuine, who issued it, which distributors it passed through, and whether it was revoked or already redeemed.",
    cta: "Start verifying",
    batches: "Registered batches",
    parties: "Registered parties",
    none: "No data yet (the index export has not been published).",
  },
  verify: {
    title: "Verify a card key",
    intro: "The QR contents are decoded on this device and never uploaded.",
    scan: "Scan with camera",
    stopScan: "Stop scanning",
    upload: "Upload a photo of the QR",
    paste: "Paste the verification link or code",
    pasteButton: "Verify",
    seller: "Seller address (optional: checks that the seller is the current holder)",
    keyLegend: "Enter your key to confirm it matches (optional: hashed on this device, nothing is sent)",
    serial: "Card number (if any)",
    pin: "Key / PIN",
    keyButton: "Check",
    idle: "Waiting for a scan, photo or link…",
    working: "Verifying…",
    noCamera: "The camera is not available (permission denied or unsupported). Upload a photo or paste the link instead.",
    noQr: "No readable QR code was found in the image.",
    badImage: "The image could not be read.",
    facts: "Details",
    timeline: "Custody timeline",
    offlineChecks: "Checked offline",
    onlineChecks: "Checked on chain",
  },
  batch: { title: "Batch", count: "Keys", supplier: "Issuer", root: "Merkle root", product: "Product", face: "Face value", expires: "Expires", restricted: "Authorised channels only", yes: "yes", no: "no", holdings: "Current holders", history: "History", range: "Range", manifest: "Manifest" },
  party: {
    title: "Party", kind: "Kind", accreditation: "Accredited until", never: "never expires", suspended: "Suspended", active: "Accredited", expired: "Accreditation expired",
    given: "Authorisations given", received: "Authorisations received", holdings: "Holdings", profile: "Profile", none: "none", tier: "tier", valid: "valid", invalid: "invalid / expired",
    kinds: { supplier: "Issuer", distributor: "Distributor", retailer: "Retailer", none: "Not registered" } as Record<string, string>,
  },
  audit: { title: "Audit", none: "No audit report published yet.", digest: "State digest", findings: "Findings", scorecards: "Supplier scorecards", raw: "Raw report (JSON)", range: "Blocks audited", indexer: "Indexer comparison", match: "matches", divergence: "diverges", supplier: "Issuer", grade: "Grade", score: "Score", revocation: "Revocation rate", redemption: "Redemption rate", unauthorised: "Unauthorised hops", shown: "showing", rules: "Rules", rule: "Rule", severity: "Severity" },
  how: { title: "How verification works" },
  time: "Time", tx: "Tx", from: "From", to: "To", unknown: "unknown",
};

/**
 * The page strings of one language.
 *
 * @param lang - language
 * @returns the dictionary
 * @example
 * strings("en").nav.verify // "Verify"
 */
export function strings(lang: Lang): Strings {
  return lang === "en" ? en : zh;
}
