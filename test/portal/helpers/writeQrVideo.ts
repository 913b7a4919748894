import { writeFileSync } from "node:fs";
import QRCode from "qrcode";

/**
 * Writes a still QR code as a Y4M video (YUV 4:2:0), the format Chromium's fake camera plays with
 * `--use-file-for-fake-video-capture`, so the camera scanning path can be tested headless.
 *
 * @param path - output .y4m file
 * @param text - the QR's content
 * @returns the frame size
 * @example
 * writeQrVideo("/tmp/qr.y4m", "https://verify.example/v/#AQ...");
 */
export function writeQrVideo(path: string, text: string): { width: number; height: number } {
  const qr = QRCode.create(text, { errorCorrectionLevel: "M" });
  const modules = qr.modules.size;
  const scale = 6;
  const quiet = 4;
  const side = (modules + 2 * quiet) * scale;
  const width = side + (side % 2);
  const height = width;
  const y = new Uint8Array(width * height).fill(235);
  for (let r = 0; r < modules; r++) {
    for (let c = 0; c < modules; c++) {
      if (!qr.modules.get(r, c)) continue;
      for (let dy = 0; dy < scale; dy++) {
        const row = (r + quiet) * scale + dy;
        y.fill(16, row * width + (c + quiet) * scale, row * width + (c + quiet + 1) * scale);
      }
    }
  }
  const chroma = new Uint8Array((width / 2) * (height / 2)).fill(128);
  const frame = Buffer.concat([Buffer.from("FRAME\n"), y, chroma, chroma]);
  writeFileSync(
    path,
    Buffer.concat([Buffer.from(`YUV4MPEG2 W${width} H${height} F10:1 Ip A1:1 C420jpeg\n`), frame, frame]),
  );
  return { width, height };
}
