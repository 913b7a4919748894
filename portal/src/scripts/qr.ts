/**
 * QR decoding for the verify page: the browser's BarcodeDetector where it exists, otherwise the
 * pure-JS `jsqr`, loaded by dynamic import only when first needed.
 */

type Detector = { detect: (src: ImageBitmapSource) => Promise<{ rawValue: string }[]> };
type JsQr = (
  data: Uint8ClampedArray,
  w: number,
  h: number,
  o?: { inversionAttempts?: string },
) => { data: string } | null;

let detector: Detector | null | undefined;
let jsqr: Promise<JsQr> | undefined;

/** Largest side, in pixels, an image is scaled to before decoding (bounds the work per image). */
export const MAX_SIDE = 1024;
/** Largest accepted upload. */
export const MAX_BYTES = 25 * 1024 * 1024;

async function nativeDetector(): Promise<Detector | null> {
  if (detector !== undefined) return detector;
  const BD = (
    globalThis as {
      BarcodeDetector?: { new (o: { formats: string[] }): Detector; getSupportedFormats?: () => Promise<string[]> };
    }
  ).BarcodeDetector;
  detector = null;
  if (BD && new URLSearchParams(location.search).get("qr") !== "js") {
    try {
      const formats = (await BD.getSupportedFormats?.()) ?? ["qr_code"];
      if (formats.includes("qr_code")) detector = new BD({ formats: ["qr_code"] });
    } catch {
      detector = null;
    }
  }
  return detector;
}

/** Loads the fallback decoder (a separate chunk). */
function loadJsQr(): Promise<JsQr> {
  jsqr ??= import("jsqr").then((m) => (m as unknown as { default: JsQr }).default ?? (m as unknown as JsQr));
  return jsqr;
}

let canvas: HTMLCanvasElement | undefined;

function pixels(src: CanvasImageSource, w: number, h: number): ImageData {
  const scale = Math.min(1, MAX_SIDE / Math.max(w, h));
  const cw = Math.max(1, Math.round(w * scale));
  const ch = Math.max(1, Math.round(h * scale));
  canvas ??= document.createElement("canvas");
  canvas.width = cw;
  canvas.height = ch;
  const ctx = canvas.getContext("2d", { willReadFrequently: true });
  if (!ctx) throw new Error("no 2d canvas");
  ctx.drawImage(src, 0, 0, cw, ch);
  return ctx.getImageData(0, 0, cw, ch);
}

/**
 * Decodes the first QR in an image or video frame.
 *
 * @param src - an ImageBitmap or a playing video
 * @param w - width
 * @param h - height
 * @returns the QR's text, or null when there is none
 * @example
 * const text = await decodeQr(await createImageBitmap(file), bmp.width, bmp.height);
 */
export async function decodeQr(src: ImageBitmap | HTMLVideoElement, w: number, h: number): Promise<string | null> {
  const native = await nativeDetector();
  if (native) {
    try {
      const codes = await native.detect(src);
      return codes[0]?.rawValue ?? null;
    } catch {
      // fall through to jsqr
    }
  }
  const decode = await loadJsQr();
  const img = pixels(src, w, h);
  return decode(img.data, img.width, img.height, { inversionAttempts: "attemptBoth" })?.data ?? null;
}
