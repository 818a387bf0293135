import { readFile } from 'node:fs/promises';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import fontkit from '@pdf-lib/fontkit';
import { PDFDocument, type PDFFont, type PDFPage, degrees, rgb } from 'pdf-lib';
import QRCode from 'qrcode';
import subsetFont from 'subset-font';
import type { Translate } from '../../platform/i18n/index.js';

/**
 * The PDF rendering of a licence (GB/T 36905 allows PDF beside OFD; see ADR 0006): the face
 * data, a visible seal, the trust-level-A watermark and a QR code to the public verification
 * page. The Chinese font is Noto Sans SC (OFL, from @embedpdf/fonts-sc). pdf-lib's own subsetting
 * drops CJK glyphs, so the font is subset with harfbuzz (subset-font) to exactly the characters
 * of this document first and embedded whole (`subset: false`): ≈ 30 KB per PDF.
 */
export interface LicencePdfModel {
  readonly typeName: string;
  readonly identifier: string;
  readonly licenceNumber: string;
  readonly holderName: string;
  readonly holderId: string;
  readonly issuerName: string;
  readonly issueDate: string;
  readonly validity: string;
  readonly version: number;
  readonly keyId: string;
  readonly fields: Readonly<Record<string, string>>;
  readonly verifyUrl: string;
}

const require = createRequire(import.meta.url);
let fontBytes: Promise<Buffer> | undefined;
const loadFont = (): Promise<Buffer> => {
  // the package exports only its JS entry; the fonts sit beside it in fonts/
  fontBytes ??= readFile(
    join(dirname(require.resolve('@embedpdf/fonts-sc')), '..', 'fonts', 'NotoSansHans-Regular.otf'),
  );
  return fontBytes;
};

const RED = rgb(0.8, 0.07, 0.07);
const INK = rgb(0.1, 0.1, 0.1);
const GREY = rgb(0.45, 0.45, 0.45);

function drawStar(page: PDFPage, cx: number, cy: number, r: number): void {
  // a five-pointed star as an SVG path (outer radius r, inner 0.382 r), pointing up
  const pts: string[] = [];
  for (let i = 0; i < 10; i++) {
    const rad = i % 2 === 0 ? r : r * 0.382;
    const a = -Math.PI / 2 + (i * Math.PI) / 5;
    pts.push(`${(rad * Math.cos(a)).toFixed(2)} ${(rad * Math.sin(a)).toFixed(2)}`);
  }
  // drawSvgPath uses SVG coordinates (y grows down) from the given origin
  page.drawSvgPath(`M ${pts.join(' L ')} Z`, { x: cx, y: cy, color: RED, borderWidth: 0 });
}

/** The visible seal: a red ring, the issuer's name along the upper arc, a star in the centre. */
function drawSeal(page: PDFPage, font: PDFFont, cx: number, cy: number, issuer: string): void {
  const r = 56;
  page.drawCircle({
    x: cx,
    y: cy,
    size: r,
    borderColor: RED,
    borderWidth: 3,
    opacity: 0,
    borderOpacity: 0.9,
  });
  drawStar(page, cx, cy, 17);
  const chars = [...issuer];
  const size = chars.length > 14 ? 9 : 11;
  const span = Math.min(Math.PI * 1.3, chars.length * 0.26);
  const start = Math.PI / 2 + span / 2;
  chars.forEach((ch, i) => {
    const a = chars.length === 1 ? Math.PI / 2 : start - (span * i) / (chars.length - 1);
    const rr = r - size - 3;
    const w = font.widthOfTextAtSize(ch, size);
    const rot = a - Math.PI / 2;
    // the glyph's baseline is tangent to the circle; offset by half its width along the tangent
    const x = cx + rr * Math.cos(a) - (w / 2) * Math.cos(rot);
    const y = cy + rr * Math.sin(a) - (w / 2) * Math.sin(rot);
    page.drawText(ch, { x, y, size, font, color: RED, rotate: degrees((rot * 180) / Math.PI) });
  });
}

function drawQr(page: PDFPage, url: string, x: number, y: number, size: number): void {
  const qr = QRCode.create(url, { errorCorrectionLevel: 'M' });
  const n = qr.modules.size;
  const cell = size / (n + 2);
  for (let row = 0; row < n; row++) {
    for (let col = 0; col < n; col++) {
      if (qr.modules.data[row * n + col]) {
        page.drawRectangle({
          x: x + (col + 1) * cell,
          y: y + size - (row + 2) * cell,
          width: cell,
          height: cell,
          color: INK,
        });
      }
    }
  }
}

export async function renderLicencePdf(m: LicencePdfModel, t: Translate): Promise<Uint8Array> {
  const watermark = t('licences.pdf.watermark', { issuer: m.issuerName });
  const rows: Array<[string, string]> = [
    [t('licences.pdf.number'), m.licenceNumber],
    [t('licences.pdf.holder'), m.holderName],
    [t('licences.pdf.holderId'), m.holderId],
    ...Object.entries(m.fields),
    [t('licences.pdf.issuer'), m.issuerName],
    [t('licences.pdf.issueDate'), m.issueDate],
    [t('licences.pdf.validity'), m.validity],
  ];
  const footer = t('licences.pdf.signature', { keyId: m.keyId });
  const texts = [
    m.typeName,
    watermark,
    footer,
    t('licences.pdf.identifier'),
    t('licences.pdf.scan'),
    t('licences.pdf.version', { version: m.version }),
    m.identifier,
    ...rows.flat(),
    '0123456789 .:-/',
  ];
  const subset = await subsetFont(await loadFont(), texts.join(''), { targetFormat: 'sfnt' });

  const doc = await PDFDocument.create();
  doc.registerFontkit(fontkit);
  doc.setTitle(`${m.typeName} ${m.licenceNumber}`);
  doc.setSubject(m.identifier);
  doc.setProducer('tongban');
  doc.setCreator('tongban licences');
  const font = await doc.embedFont(subset, { subset: false });
  const page = doc.addPage([595.28, 841.89]);
  const { width, height } = page.getSize();

  // watermark first, so the face data is drawn over it
  for (let i = 0; i < 5; i++) {
    page.drawText(watermark, {
      x: 30,
      y: 120 + i * 150,
      size: 15,
      font,
      color: GREY,
      opacity: 0.18,
      rotate: degrees(25),
    });
  }

  page.drawRectangle({
    x: 28,
    y: 28,
    width: width - 56,
    height: height - 56,
    borderColor: RED,
    borderWidth: 1.5,
    opacity: 0,
  });
  const titleSize = 30;
  page.drawText(m.typeName, {
    x: (width - font.widthOfTextAtSize(m.typeName, titleSize)) / 2,
    y: height - 110,
    size: titleSize,
    font,
    color: INK,
  });
  const ver = t('licences.pdf.version', { version: m.version });
  page.drawText(ver, {
    x: width - 60 - font.widthOfTextAtSize(ver, 9),
    y: height - 130,
    size: 9,
    font,
    color: GREY,
  });

  let y = height - 180;
  for (const [label, value] of rows) {
    page.drawText(label, { x: 70, y, size: 12, font, color: GREY });
    // long values wrap at ~30 characters
    const chars = [...value];
    for (let i = 0; i < Math.max(1, chars.length); i += 30) {
      page.drawText(chars.slice(i, i + 30).join(''), { x: 180, y, size: 12, font, color: INK });
      if (i + 30 < chars.length) y -= 18;
    }
    y -= 28;
  }

  drawSeal(page, font, width - 150, Math.max(y - 10, 230), m.issuerName);
  drawQr(page, m.verifyUrl, 60, 70, 110);
  page.drawText(t('licences.pdf.scan'), { x: 90, y: 62, size: 9, font, color: GREY });
  page.drawText(t('licences.pdf.identifier'), { x: 185, y: 160, size: 9, font, color: GREY });
  page.drawText(m.identifier, { x: 185, y: 145, size: 8.5, font, color: INK });
  page.drawText(footer, { x: 185, y: 120, size: 8, font, color: GREY, maxWidth: 330, lineHeight: 12 });

  return doc.save({ useObjectStreams: false });
}
