import type { Lang } from "./lang.ts";

/** Texts of the look-alike name warning on party pages and in the parties list (both languages). */
export const nameWarningStrings: Record<Lang, { mixed: string; imitates: (other: string) => string }> = {
  "zh-CN": {
    mixed: "此名称混用了多种文字（可能是仿冒名称）",
    imitates: (other) => `此名称与另一参与方“${other}”相似`,
  },
  en: {
    mixed: "this name mixes scripts (a look-alike name may imitate another)",
    imitates: (other) => `this name looks like “${other}”, another party`,
  },
};
