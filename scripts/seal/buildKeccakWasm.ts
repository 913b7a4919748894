/**
 * Generates the batch keccak-f[1600] WebAssembly kernel: writes the WebAssembly text (for review)
 * to lib/hash/keccak.wat and the binary, base64-encoded, to lib/hash/keccakWasm.ts.
 *
 * Run: `npx tsx scripts/seal/buildKeccakWasm.ts` (needs the dev dependency `wabt`; the generated
 * files are committed, so nothing compiles at run time).
 *
 * Memory layout of the module (addresses in bytes):
 *   0..199     scalar keccak state, 25 little-endian 64-bit lanes (lane x + 5y)
 *   256..655   two-way state for the SIMD permutation: lane k of hash A at 256 + 16k, of hash B at 264 + 16k
 *   1024..1215 the 24 round constants (data segment)
 *   2048..     free for the caller (inputs, outputs, scratch), see lib/hash/kernelFromInstance.ts
 *
 * The permutations run their 24 rounds as a loop over two unrolled rounds: measured about 40% faster than all
 * 24 rounds unrolled (the fully unrolled SIMD permutation is too large for the instruction cache).
 */
import { writeFileSync } from "node:fs";
import { fileURLToPath } from "node:url";

const RC = [
  0x0000000000000001n,
  0x0000000000008082n,
  0x800000000000808an,
  0x8000000080008000n,
  0x000000000000808bn,
  0x0000000080000001n,
  0x8000000080008081n,
  0x8000000000008009n,
  0x000000000000008an,
  0x0000000000000088n,
  0x0000000080008009n,
  0x000000008000000an,
  0x000000008000808bn,
  0x800000000000008bn,
  0x8000000000008089n,
  0x8000000000008003n,
  0x8000000000008002n,
  0x8000000000000080n,
  0x000000000000800an,
  0x800000008000000an,
  0x8000000080008081n,
  0x8000000000008080n,
  0x0000000080000001n,
  0x8000000080008008n,
];
/** Rotation offsets r[x][y]. */
const R = [
  [0, 36, 3, 41, 18],
  [1, 44, 10, 45, 2],
  [62, 6, 43, 15, 61],
  [28, 55, 25, 21, 56],
  [27, 20, 39, 8, 14],
];

/** One scalar round on locals a0..a24 using c0..c4, d0..d4, b0..b24. */
function scalarRound(rc: string): string {
  const out: string[] = [];
  for (let x = 0; x < 5; x++) {
    out.push(
      `(local.set $c${x} (i64.xor (i64.xor (i64.xor (i64.xor (local.get $a${x}) (local.get $a${x + 5})) (local.get $a${x + 10})) (local.get $a${x + 15})) (local.get $a${x + 20})))`,
    );
  }
  for (let x = 0; x < 5; x++) {
    out.push(
      `(local.set $d${x} (i64.xor (local.get $c${(x + 4) % 5}) (i64.rotl (local.get $c${(x + 1) % 5}) (i64.const 1))))`,
    );
  }
  for (let x = 0; x < 5; x++) {
    for (let y = 0; y < 5; y++) {
      const src = `(i64.xor (local.get $a${x + 5 * y}) (local.get $d${x}))`;
      const dst = y + 5 * ((2 * x + 3 * y) % 5);
      const r = R[x]![y]!;
      out.push(`(local.set $b${dst} ${r === 0 ? src : `(i64.rotl ${src} (i64.const ${r}))`})`);
    }
  }
  for (let y = 0; y < 5; y++) {
    for (let x = 0; x < 5; x++) {
      const b = (xx: number) => `(local.get $b${(xx % 5) + 5 * y})`;
      let v = `(i64.xor ${b(x)} (i64.and (i64.xor ${b(x + 1)} (i64.const -1)) ${b(x + 2)}))`;
      if (x === 0 && y === 0) v = `(i64.xor ${v} ${rc})`;
      out.push(`(local.set $a${x + 5 * y} ${v})`);
    }
  }
  return out.join("\n    ");
}

/** One two-way SIMD round on v128 locals (i64x2: lane 0 = hash A, lane 1 = hash B). */
function simdRound(rc: string): string {
  const rotl = (e: string, r: number) =>
    `(v128.or (i64x2.shl ${e} (i32.const ${r})) (i64x2.shr_u ${e} (i32.const ${64 - r})))`;
  const out: string[] = [];
  for (let x = 0; x < 5; x++) {
    out.push(
      `(local.set $c${x} (v128.xor (v128.xor (v128.xor (v128.xor (local.get $a${x}) (local.get $a${x + 5})) (local.get $a${x + 10})) (local.get $a${x + 15})) (local.get $a${x + 20})))`,
    );
  }
  for (let x = 0; x < 5; x++) {
    out.push(`(local.set $d${x} (v128.xor (local.get $c${(x + 4) % 5}) ${rotl(`(local.get $c${(x + 1) % 5})`, 1)}))`);
  }
  for (let x = 0; x < 5; x++) {
    for (let y = 0; y < 5; y++) {
      const dst = y + 5 * ((2 * x + 3 * y) % 5);
      const r = R[x]![y]!;
      out.push(`(local.set $t (v128.xor (local.get $a${x + 5 * y}) (local.get $d${x})))`);
      out.push(`(local.set $b${dst} ${r === 0 ? "(local.get $t)" : rotl("(local.get $t)", r)})`);
    }
  }
  for (let y = 0; y < 5; y++) {
    for (let x = 0; x < 5; x++) {
      const b = (xx: number) => `(local.get $b${(xx % 5) + 5 * y})`;
      // v128.andnot(a, b) = a & ~b
      let v = `(v128.xor ${b(x)} (v128.andnot ${b(x + 2)} ${b(x + 1)}))`;
      if (x === 0 && y === 0) v = `(v128.xor ${v} ${rc})`;
      out.push(`(local.set $a${x + 5 * y} ${v})`);
    }
  }
  return out.join("\n    ");
}

const range = (n: number) => Array.from({ length: n }, (_, i) => i);
const locals = (prefix: string, n: number, type: string) =>
  range(n)
    .map((i) => `(local $${prefix}${i} ${type})`)
    .join(" ");

const RC_BASE = 1024;

function permScalar(): string {
  const body: string[] = [];
  body.push(...range(25).map((i) => `(local.set $a${i} (i64.load offset=${8 * i} (i32.const 0)))`));
  body.push(
    `(local.set $r (i32.const 0))
    (loop $rounds
    ${scalarRound(`(i64.load offset=${RC_BASE} (local.get $r))`)}
    ${scalarRound(`(i64.load offset=${RC_BASE + 8} (local.get $r))`)}
    (local.set $r (i32.add (local.get $r) (i32.const 16)))
    (br_if $rounds (i32.lt_u (local.get $r) (i32.const 192))))`,
  );
  body.push(...range(25).map((i) => `(i64.store offset=${8 * i} (i32.const 0) (local.get $a${i}))`));
  return `(func $f ${locals("a", 25, "i64")} ${locals("b", 25, "i64")} ${locals("c", 5, "i64")} ${locals("d", 5, "i64")} (local $r i32)
    ${body.join("\n    ")})`;
}

function permSimd(): string {
  const body: string[] = [];
  body.push(...range(25).map((i) => `(local.set $a${i} (v128.load offset=${256 + 16 * i} (i32.const 0)))`));
  body.push(
    `(local.set $r (i32.const 0))
    (loop $rounds
    ${simdRound(`(v128.load64_splat offset=${RC_BASE} (local.get $r))`)}
    ${simdRound(`(v128.load64_splat offset=${RC_BASE + 8} (local.get $r))`)}
    (local.set $r (i32.add (local.get $r) (i32.const 16)))
    (br_if $rounds (i32.lt_u (local.get $r) (i32.const 192))))`,
  );
  body.push(...range(25).map((i) => `(v128.store offset=${256 + 16 * i} (i32.const 0) (local.get $a${i}))`));
  return `(func $f2 ${locals("a", 25, "v128")} ${locals("b", 25, "v128")} ${locals("c", 5, "v128")} ${locals("d", 5, "v128")} (local $t v128) (local $r i32)
    ${body.join("\n    ")})`;
}

const zeroState = `(memory.fill (i32.const 0) (i32.const 0) (i32.const 200))`;
const copyOut = (out: string) =>
  range(4)
    .map((i) => `(i64.store offset=${8 * i} ${out} (i64.load offset=${8 * i} (i32.const 0)))`)
    .join("\n    ");
/** Interleaved state: lane k of hash h (0 = A, 1 = B) at 256 + 16k + 8h. */
const copyOut2 = (h: number, out: string) =>
  range(4)
    .map((i) => `(i64.store offset=${8 * i} ${out} (i64.load offset=${256 + 16 * i + 8 * h} (i32.const 0)))`)
    .join("\n    ");
const setLane2 = (h: number, k: number, v: string) => `(i64.store offset=${256 + 16 * k + 8 * h} (i32.const 0) ${v})`;
const PAD_END = "-9223372036854775808"; // 0x80 in byte 135 = top byte of lane 16

/** The round constants as a little-endian data segment. */
const rcData = RC.map((c) => {
  let h = "";
  let v = c;
  for (let k = 0; k < 8; k++) {
    h += `\\${Number(v & 255n)
      .toString(16)
      .padStart(2, "0")}`;
    v >>= 8n;
  }
  return h;
}).join("");

const wat = `(module
  (memory (export "memory") 1)
  (data (i32.const ${RC_BASE}) "${rcData}")

  ${permScalar()}

  ${permSimd()}

  ;; Byte-reverses a 64-bit value (big-endian integers into little-endian lanes).
  (func $bswap (param $x i64) (result i64)
    (local.set $x (i64.or (i64.and (i64.shr_u (local.get $x) (i64.const 8)) (i64.const 0x00FF00FF00FF00FF))
                          (i64.shl (i64.and (local.get $x) (i64.const 0x00FF00FF00FF00FF)) (i64.const 8))))
    (local.set $x (i64.or (i64.and (i64.shr_u (local.get $x) (i64.const 16)) (i64.const 0x0000FFFF0000FFFF))
                          (i64.shl (i64.and (local.get $x) (i64.const 0x0000FFFF0000FFFF)) (i64.const 16))))
    (i64.rotl (local.get $x) (i64.const 32)))

  ;; keccak256 of len bytes at p, 32-byte digest to out (any length, Ethereum padding 0x01 .. 0x80).
  (func $hashTo (param $p i32) (param $len i32) (param $out i32)
    (local $i i32)
    ${zeroState}
    (block $done
      (loop $blocks
        (br_if $done (i32.lt_u (local.get $len) (i32.const 136)))
        ${range(17)
          .map(
            (i) =>
              `(i64.store offset=${8 * i} (i32.const 0) (i64.xor (i64.load offset=${8 * i} (i32.const 0)) (i64.load offset=${8 * i} (local.get $p))))`,
          )
          .join("\n        ")}
        (call $f)
        (local.set $p (i32.add (local.get $p) (i32.const 136)))
        (local.set $len (i32.sub (local.get $len) (i32.const 136)))
        (br $blocks)))
    (local.set $i (i32.const 0))
    (block $e8 (loop $l8
      (br_if $e8 (i32.gt_u (i32.add (local.get $i) (i32.const 8)) (local.get $len)))
      (i64.store (local.get $i) (i64.xor (i64.load (local.get $i)) (i64.load (i32.add (local.get $p) (local.get $i)))))
      (local.set $i (i32.add (local.get $i) (i32.const 8)))
      (br $l8)))
    (block $e1 (loop $l1
      (br_if $e1 (i32.ge_u (local.get $i) (local.get $len)))
      (i32.store8 (local.get $i) (i32.xor (i32.load8_u (local.get $i)) (i32.load8_u (i32.add (local.get $p) (local.get $i)))))
      (local.set $i (i32.add (local.get $i) (i32.const 1)))
      (br $l1)))
    (i32.store8 (local.get $len) (i32.xor (i32.load8_u (local.get $len)) (i32.const 0x01)))
    (i32.store8 (i32.const 135) (i32.xor (i32.load8_u (i32.const 135)) (i32.const 0x80)))
    (call $f)
    ${copyOut("(local.get $out)")})

  ;; count inputs of len bytes each, input i at inp + i*stride; digests to out + 32i.
  (func (export "hashFixed") (param $inp i32) (param $len i32) (param $stride i32) (param $count i32) (param $out i32)
    (block $end (loop $next
      (br_if $end (i32.eqz (local.get $count)))
      (call $hashTo (local.get $inp) (local.get $len) (local.get $out))
      (local.set $inp (i32.add (local.get $inp) (local.get $stride)))
      (local.set $out (i32.add (local.get $out) (i32.const 32)))
      (local.set $count (i32.sub (local.get $count) (i32.const 1)))
      (br $next))))

  ;; count inputs data[off[i] .. off[i+1]) (off: count+1 little-endian u32); digests to out + 32i.
  (func (export "hashVar") (param $data i32) (param $off i32) (param $count i32) (param $out i32)
    (local $s i32)
    (block $end (loop $next
      (br_if $end (i32.eqz (local.get $count)))
      (local.set $s (i32.load (local.get $off)))
      (call $hashTo (i32.add (local.get $data) (local.get $s)) (i32.sub (i32.load offset=4 (local.get $off)) (local.get $s)) (local.get $out))
      (local.set $off (i32.add (local.get $off) (i32.const 4)))
      (local.set $out (i32.add (local.get $out) (i32.const 32)))
      (local.set $count (i32.sub (local.get $count) (i32.const 1)))
      (br $next))))

  ;; Writes the padded single-block message salt(32) || key(n) (n <= 103) into hash h of the zeroed two-way state:
  ;; message byte p goes to lane p >> 3, byte p & 7, of hash h (address 256 + 16 * (p >> 3) + 8h + (p & 7)).
  (func $message2 (param $h i32) (param $salt i32) (param $key i32) (param $n i32)
    (local $base i32) (local $j i32) (local $p i32) (local $at i32)
    (local.set $base (i32.add (i32.const 256) (i32.shl (local.get $h) (i32.const 3))))
    ${range(4)
      .map((k) => `(i64.store offset=${16 * k} (local.get $base) (i64.load offset=${8 * k} (local.get $salt)))`)
      .join("\n    ")}
    (block $end (loop $bytes
      (br_if $end (i32.ge_u (local.get $j) (local.get $n)))
      (local.set $p (i32.add (local.get $j) (i32.const 32)))
      (i32.store8
        (i32.add (local.get $base) (i32.or (i32.shl (i32.shr_u (local.get $p) (i32.const 3)) (i32.const 4)) (i32.and (local.get $p) (i32.const 7))))
        (i32.load8_u (i32.add (local.get $key) (local.get $j))))
      (local.set $j (i32.add (local.get $j) (i32.const 1)))
      (br $bytes)))
    (local.set $p (i32.add (local.get $n) (i32.const 32)))
    (local.set $at (i32.add (local.get $base) (i32.or (i32.shl (i32.shr_u (local.get $p) (i32.const 3)) (i32.const 4)) (i32.and (local.get $p) (i32.const 7)))))
    (i32.store8 (local.get $at) (i32.xor (i32.load8_u (local.get $at)) (i32.const 0x01)))
    (i32.store8 offset=263 (local.get $base) (i32.xor (i32.load8_u offset=263 (local.get $base)) (i32.const 0x80))))

  ;; Commitments keccak256(salt_i(32) || data[off[i] .. off[i+1])). Pairs of keys of at most 103 bytes go
  ;; through the SIMD permutation; longer keys are copied to scratch (32 + the longest key bytes) and hashed alone.
  (func (export "commitments") (param $salts i32) (param $data i32) (param $off i32) (param $count i32) (param $out i32) (param $scratch i32)
    (local $s i32) (local $n i32) (local $s2 i32) (local $n2 i32)
    (block $end (loop $next
      (br_if $end (i32.eqz (local.get $count)))
      (local.set $s (i32.load (local.get $off)))
      (local.set $n (i32.sub (i32.load offset=4 (local.get $off)) (local.get $s)))
      (block $single
        (br_if $single (i32.lt_u (local.get $count) (i32.const 2)))
        (local.set $s2 (i32.load offset=4 (local.get $off)))
        (local.set $n2 (i32.sub (i32.load offset=8 (local.get $off)) (local.get $s2)))
        (br_if $single (i32.gt_u (local.get $n) (i32.const 103)))
        (br_if $single (i32.gt_u (local.get $n2) (i32.const 103)))
        (memory.fill (i32.const 256) (i32.const 0) (i32.const 400))
        (call $message2 (i32.const 0) (local.get $salts) (i32.add (local.get $data) (local.get $s)) (local.get $n))
        (call $message2 (i32.const 1) (i32.add (local.get $salts) (i32.const 32)) (i32.add (local.get $data) (local.get $s2)) (local.get $n2))
        (call $f2)
        ${copyOut2(0, "(local.get $out)")}
        ${copyOut2(1, "(i32.add (local.get $out) (i32.const 32))")}
        (local.set $salts (i32.add (local.get $salts) (i32.const 64)))
        (local.set $off (i32.add (local.get $off) (i32.const 8)))
        (local.set $out (i32.add (local.get $out) (i32.const 64)))
        (local.set $count (i32.sub (local.get $count) (i32.const 2)))
        (br $next))
      (memory.copy (local.get $scratch) (local.get $salts) (i32.const 32))
      (memory.copy (i32.add (local.get $scratch) (i32.const 32)) (i32.add (local.get $data) (local.get $s)) (local.get $n))
      (call $hashTo (local.get $scratch) (i32.add (local.get $n) (i32.const 32)) (local.get $out))
      (local.set $salts (i32.add (local.get $salts) (i32.const 32)))
      (local.set $off (i32.add (local.get $off) (i32.const 4)))
      (local.set $out (i32.add (local.get $out) (i32.const 32)))
      (local.set $count (i32.sub (local.get $count) (i32.const 1)))
      (br $next))))

  ;; Salts keccak256(secret(32) || batchId(32) || uint64be(index)) for index = start .. start+count-1;
  ;; key points at secret || batchId (64 bytes). Two at a time through the SIMD permutation.
  (func (export "salts") (param $key i32) (param $start i64) (param $count i32) (param $out i32)
    (block $end (loop $next
      (br_if $end (i32.lt_u (local.get $count) (i32.const 2)))
      (memory.fill (i32.const 256) (i32.const 0) (i32.const 400))
      ${range(8)
        .map(
          (k) =>
            `${setLane2(0, k, `(i64.load offset=${8 * k} (local.get $key))`)} ${setLane2(1, k, `(i64.load offset=${8 * k} (local.get $key))`)}`,
        )
        .join("\n      ")}
      ${setLane2(0, 8, "(call $bswap (local.get $start))")}
      ${setLane2(1, 8, "(call $bswap (i64.add (local.get $start) (i64.const 1)))")}
      ${setLane2(0, 9, "(i64.const 1)")} ${setLane2(1, 9, "(i64.const 1)")}
      ${setLane2(0, 16, `(i64.const ${PAD_END})`)} ${setLane2(1, 16, `(i64.const ${PAD_END})`)}
      (call $f2)
      ${copyOut2(0, "(local.get $out)")}
      ${copyOut2(1, "(i32.add (local.get $out) (i32.const 32))")}
      (local.set $start (i64.add (local.get $start) (i64.const 2)))
      (local.set $out (i32.add (local.get $out) (i32.const 64)))
      (local.set $count (i32.sub (local.get $count) (i32.const 2)))
      (br $next)))
    (if (local.get $count) (then
      ${zeroState}
      ${range(8)
        .map((k) => `(i64.store offset=${8 * k} (i32.const 0) (i64.load offset=${8 * k} (local.get $key)))`)
        .join("\n      ")}
      (i64.store offset=64 (i32.const 0) (call $bswap (local.get $start)))
      (i64.store offset=72 (i32.const 0) (i64.const 1))
      (i64.store offset=128 (i32.const 0) (i64.const ${PAD_END}))
      (call $f)
      ${copyOut("(local.get $out)")})))

  ;; Standard leaves keccak256(keccak256(batchId || uint256(index) || commitment_i)) for index = start ..
  (func (export "leaves") (param $batch i32) (param $start i64) (param $com i32) (param $count i32) (param $out i32)
    (block $end (loop $next
      (br_if $end (i32.lt_u (local.get $count) (i32.const 2)))
      (memory.fill (i32.const 256) (i32.const 0) (i32.const 400))
      ${range(4)
        .map(
          (k) =>
            `${setLane2(0, k, `(i64.load offset=${8 * k} (local.get $batch))`)} ${setLane2(1, k, `(i64.load offset=${8 * k} (local.get $batch))`)}`,
        )
        .join("\n      ")}
      ${setLane2(0, 7, "(call $bswap (local.get $start))")}
      ${setLane2(1, 7, "(call $bswap (i64.add (local.get $start) (i64.const 1)))")}
      ${range(4)
        .map(
          (k) =>
            `${setLane2(0, 8 + k, `(i64.load offset=${8 * k} (local.get $com))`)} ${setLane2(1, 8 + k, `(i64.load offset=${32 + 8 * k} (local.get $com))`)}`,
        )
        .join("\n      ")}
      ${setLane2(0, 12, "(i64.const 1)")} ${setLane2(1, 12, "(i64.const 1)")}
      ${setLane2(0, 16, `(i64.const ${PAD_END})`)} ${setLane2(1, 16, `(i64.const ${PAD_END})`)}
      (call $f2)
      ;; second hash over the 32-byte inner digests: keep lanes 0..3, clear the rest, pad
      (memory.fill (i32.const 320) (i32.const 0) (i32.const 336))
      ${setLane2(0, 4, "(i64.const 1)")} ${setLane2(1, 4, "(i64.const 1)")}
      ${setLane2(0, 16, `(i64.const ${PAD_END})`)} ${setLane2(1, 16, `(i64.const ${PAD_END})`)}
      (call $f2)
      ${copyOut2(0, "(local.get $out)")}
      ${copyOut2(1, "(i32.add (local.get $out) (i32.const 32))")}
      (local.set $start (i64.add (local.get $start) (i64.const 2)))
      (local.set $com (i32.add (local.get $com) (i32.const 64)))
      (local.set $out (i32.add (local.get $out) (i32.const 64)))
      (local.set $count (i32.sub (local.get $count) (i32.const 2)))
      (br $next)))
    (if (local.get $count) (then
      ${zeroState}
      ${range(4)
        .map((k) => `(i64.store offset=${8 * k} (i32.const 0) (i64.load offset=${8 * k} (local.get $batch)))`)
        .join("\n      ")}
      (i64.store offset=56 (i32.const 0) (call $bswap (local.get $start)))
      ${range(4)
        .map((k) => `(i64.store offset=${64 + 8 * k} (i32.const 0) (i64.load offset=${8 * k} (local.get $com)))`)
        .join("\n      ")}
      (i64.store offset=96 (i32.const 0) (i64.const 1))
      (i64.store offset=128 (i32.const 0) (i64.const ${PAD_END}))
      (call $f)
      (memory.fill (i32.const 32) (i32.const 0) (i32.const 168))
      (i64.store offset=32 (i32.const 0) (i64.const 1))
      (i64.store offset=128 (i32.const 0) (i64.const ${PAD_END}))
      (call $f)
      ${copyOut("(local.get $out)")})))

  ;; 1 if the 32 bytes at a sort after those at b (unsigned lexicographic), else 0.
  (func $greater (param $a i32) (param $b i32) (result i32)
    (local $i i32) (local $x i32) (local $y i32)
    (block $end (loop $next
      (local.set $x (i32.load8_u (i32.add (local.get $a) (local.get $i))))
      (local.set $y (i32.load8_u (i32.add (local.get $b) (local.get $i))))
      (if (i32.ne (local.get $x) (local.get $y)) (then (return (i32.gt_u (local.get $x) (local.get $y)))))
      (local.set $i (i32.add (local.get $i) (i32.const 1)))
      (br_if $next (i32.lt_u (local.get $i) (i32.const 32)))))
    (i32.const 0))

  ;; Writes the sorted pair (min, max) of the nodes at a and b into lanes 0..7 of hash h of the two-way state.
  (func $pair2 (param $a i32) (param $b i32) (param $h i32)
    (local $lo i32) (local $hi i32) (local $base i32)
    (if (call $greater (local.get $a) (local.get $b))
      (then (local.set $lo (local.get $b)) (local.set $hi (local.get $a)))
      (else (local.set $lo (local.get $a)) (local.set $hi (local.get $b))))
    (local.set $base (i32.add (i32.const 256) (i32.shl (local.get $h) (i32.const 3))))
    ${range(4)
      .map((k) => `(i64.store offset=${16 * k} (local.get $base) (i64.load offset=${8 * k} (local.get $lo)))`)
      .join("\n    ")}
    ${range(4)
      .map((k) => `(i64.store offset=${16 * (k + 4)} (local.get $base) (i64.load offset=${8 * k} (local.get $hi)))`)
      .join("\n    ")})

  ;; Sorted-pair layer: out[i] = keccak256(min(in[2i], in[2i+1]) || max(..)) for i < pairs. out may equal inp.
  (func (export "pairs") (param $inp i32) (param $pairs i32) (param $out i32)
    (block $end (loop $next
      (br_if $end (i32.lt_u (local.get $pairs) (i32.const 2)))
      (memory.fill (i32.const 256) (i32.const 0) (i32.const 400))
      (call $pair2 (local.get $inp) (i32.add (local.get $inp) (i32.const 32)) (i32.const 0))
      (call $pair2 (i32.add (local.get $inp) (i32.const 64)) (i32.add (local.get $inp) (i32.const 96)) (i32.const 1))
      ${setLane2(0, 8, "(i64.const 1)")} ${setLane2(1, 8, "(i64.const 1)")}
      ${setLane2(0, 16, `(i64.const ${PAD_END})`)} ${setLane2(1, 16, `(i64.const ${PAD_END})`)}
      (call $f2)
      ${copyOut2(0, "(local.get $out)")}
      ${copyOut2(1, "(i32.add (local.get $out) (i32.const 32))")}
      (local.set $inp (i32.add (local.get $inp) (i32.const 128)))
      (local.set $out (i32.add (local.get $out) (i32.const 64)))
      (local.set $pairs (i32.sub (local.get $pairs) (i32.const 2)))
      (br $next)))
    (if (local.get $pairs) (then
      (memory.fill (i32.const 256) (i32.const 0) (i32.const 400))
      (call $pair2 (local.get $inp) (i32.add (local.get $inp) (i32.const 32)) (i32.const 0))
      ${setLane2(0, 8, "(i64.const 1)")}
      ${setLane2(0, 16, `(i64.const ${PAD_END})`)}
      (call $f2)
      ${copyOut2(0, "(local.get $out)")})))
)
`;

const here = (p: string) => fileURLToPath(new URL(p, import.meta.url));
// wabt is a dev dependency used only here; imported by name at run time so type checks never need it.
type Wabt = {
  parseWat(
    name: string,
    text: string,
    features: Record<string, boolean>,
  ): { validate(): void; toBinary(o: object): { buffer: Uint8Array }; destroy(): void };
};
const wabtName = "wabt";
const wabt = await ((await import(wabtName)) as { default: () => Promise<Wabt> }).default();
const mod = wabt.parseWat("keccak.wat", wat, { simd: true, bulk_memory: true });
mod.validate();
const { buffer } = mod.toBinary({});
mod.destroy();
let b64 = "";
for (let i = 0; i < buffer.length; i += 3 * 1024) b64 += btoa(String.fromCharCode(...buffer.subarray(i, i + 3 * 1024)));
writeFileSync(here("../../lib/hash/keccak.wat"), wat);
writeFileSync(
  here("../../lib/hash/keccakWasm.ts"),
  `// Generated by scripts/seal/buildKeccakWasm.ts from lib/hash/keccak.wat. Do not edit.\n\n` +
    `/** The batch keccak-f[1600] WebAssembly kernel (${buffer.length} bytes), base64. */\n` +
    `export const keccakWasmBase64 =\n  ${JSON.stringify(b64)};\n`,
);
console.log(`keccak kernel: ${buffer.length} bytes of WebAssembly`);
