import type { PortalConfig } from "./loadPortalConfig.ts";

/** The configuration values the browser sees: the build configuration less its build paths. */
export type PublicConfig = Omit<PortalConfig, "exportDir">;

declare const __KEYTRAIL_PUBLIC__: PublicConfig;

/** Public configuration embedded at build time. */
export const publicConfig: PublicConfig = __KEYTRAIL_PUBLIC__;
