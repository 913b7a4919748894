// @ts-check
import tseslint from "typescript-eslint";

export default tseslint.config(
  {
    ignores: [
      "node_modules/**",
      "artifacts/**",
      "cache/**",
      "types/**",
      "portal/dist/**",
      "portal/.astro/**",
      "coverage/**",
      ".keytrail/**",
      "out/**",
      "bench/ponder/**",
      "lib/hash/*.wasm.ts",
    ],
  },
  ...tseslint.configs.recommended,
  {
    rules: {
      "@typescript-eslint/no-unused-vars": ["error", { argsIgnorePattern: "^_", varsIgnorePattern: "^_" }],
      "@typescript-eslint/consistent-type-imports": "error",
    },
  },
  {
    // lib/ is isomorphic: it runs in browsers too.
    files: ["lib/**/*.ts"],
    rules: {
      "no-restricted-imports": [
        "error",
        { patterns: ["node:*", "fs", "path", "crypto", "os", "child_process", "worker_threads"] },
      ],
      "no-restricted-globals": [
        "error",
        { name: "Buffer", message: "lib/ is isomorphic: use Uint8Array." },
        { name: "process", message: "lib/ is isomorphic." },
      ],
    },
  },
);
