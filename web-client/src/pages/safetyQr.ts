/**
 * The QR side of safety numbers: drawing the code (the `qr` package, loaded on first use so the
 * first screen's bundle does not carry it) and reading one with the browser's BarcodeDetector,
 * where the browser has it (Chromium on Android, macOS and ChromeOS; not Firefox or desktop Safari).
 */

/** The code's modules (true = dark), with the 4-module quiet zone the standard asks for. */
export async function qrModules(text: string): Promise<boolean[][]> {
  const { default: encodeQR } = await import('qr');
  return encodeQR(text, 'raw', { ecc: 'medium', border: 4 });
}

/** An SVG path drawing the dark modules, one rectangle per horizontal run, in module units. */
export function modulesPath(modules: boolean[][]): string {
  let d = '';
  modules.forEach((row, y) => {
    for (let x = 0; x < row.length; ) {
      if (!row[x]) {
        x++;
        continue;
      }
      let run = 1;
      while (x + run < row.length && row[x + run]) run++;
      d += `M${x} ${y}h${run}v1h-${run}z`;
      x += run;
    }
  });
  return d;
}

interface DetectedBarcode {
  rawValue: string;
}

export interface QrDetector {
  detect(source: HTMLVideoElement): Promise<DetectedBarcode[]>;
}

interface BarcodeDetectorClass {
  new (options: { formats: string[] }): QrDetector;
  getSupportedFormats(): Promise<string[]>;
}

/** A QR detector when the browser has BarcodeDetector with QR support and a camera API; else null. */
export async function qrDetector(): Promise<QrDetector | null> {
  const Detector = (globalThis as { BarcodeDetector?: BarcodeDetectorClass }).BarcodeDetector;
  if (!Detector || typeof navigator === 'undefined' || !navigator.mediaDevices?.getUserMedia) return null;
  try {
    if (!(await Detector.getSupportedFormats()).includes('qr_code')) return null;
    return new Detector({ formats: ['qr_code'] });
  } catch {
    return null;
  }
}
