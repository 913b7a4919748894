import { describe, expect, it } from "vitest";
import { encodeProfileUri } from "../../lib/parties/encodeProfileUri.js";
import { readProfileName } from "../../lib/parties/readProfileName.js";

describe("party display profile in the profile URI", () => {
  it("round-trips a Chinese and English name with a profile link", () => {
    const uri = encodeProfileUri({ name: " 星河游戏 Galaxy Games ", uri: "https://registry.example.cn/p/1" });
    expect(uri.startsWith("data:application/json,")).toBe(true);
    expect(readProfileName(uri)).toBe("星河游戏 Galaxy Games");
  });

  it("reads the base64 form too", () => {
    const json = JSON.stringify({ name: "卡盟小店" });
    const b64 = btoa(String.fromCharCode(...new TextEncoder().encode(json)));
    expect(readProfileName(`data:application/json;base64,${b64}`)).toBe("卡盟小店");
  });

  it.each([
    ["an https URI", "https://registry.example.cn/parties/kameng"],
    ["empty", ""],
    ["null", null],
    ["malformed JSON", "data:application/json,%7Bname"],
    ["bad percent-encoding", "data:application/json,%E0%A4%A"],
    ["bad base64", "data:application/json;base64,@@@"],
    ["no name", `data:application/json,${encodeURIComponent(JSON.stringify({ uri: "x" }))}`],
    ["a name that is not a string", `data:application/json,${encodeURIComponent(JSON.stringify({ name: 42 }))}`],
    [
      "only control characters",
      `data:application/json,${encodeURIComponent(JSON.stringify({ name: "\u0000\u202e" }))}`,
    ],
    ["other media type", "data:text/html,<b>x</b>"],
  ])("gives no name for %s", (_what, uri) => {
    expect(readProfileName(uri)).toBeUndefined();
  });

  it("drops control and bidi-override characters and cuts long names", () => {
    const uri = `data:application/json,${encodeURIComponent(JSON.stringify({ name: `A\u202eB\u0007C${"x".repeat(200)}` }))}`;
    const name = readProfileName(uri)!;
    expect(name.startsWith("ABC")).toBe(true);
    expect(name).toHaveLength(80);
  });

  it("refuses an empty or over-long name when encoding", () => {
    expect(() => encodeProfileUri({ name: "  " })).toThrow(/1 to 80 characters/);
    expect(() => encodeProfileUri({ name: "x".repeat(81) })).toThrow(/1 to 80 characters/);
  });
});
