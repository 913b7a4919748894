/** The configuration values the browser sees (no build paths). */
export type PublicConfig = {
  chainId: number;
  chainName: string;
  rpcUrls: string[];
  ledger: `0x${string}`;
  portalBase: string;
  explorerUrl: string;
};

declare const __KEYTRAIL_PUBLIC__: PublicConfig;

/** Public configuration embedded at build time. */
export const publicConfig: PublicConfig = __KEYTRAIL_PUBLIC__;
