import { readFile } from 'node:fs/promises';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import fontkit from '@pdf-lib/fontkit';
import { PDFDocument, rgb } from 'pdf-lib';
import subsetFont from 'subset-font';

/**
 * The annual report as a PDF: its title and the template's tables as rows of label and figure.
 * Noto Sans SC from @embedpdf/fonts-sc, subset with harfbuzz to the document's characters first
 * (pdf-lib's own subsetting drops CJK glyphs; see licences.pdf.ts).
 */
export interface ReportPdfModel {
  readonly title: string;
  readonly sections: ReadonlyArray<{
    readonly heading: string;
    readonly rows: ReadonlyArray<readonly [string, string]>;
  }>;
  readonly footer: string;
}

const require = createRequire(import.meta.url);
let fontBytes: Promise<Buffer> | undefined;
const loadFont = (): Promise<Buffer> => {
  fontBytes ??= readFile(
    join(dirname(require.resolve('@embedpdf/fonts-sc')), '..', 'fonts', 'NotoSansHans-Regular.otf'),
  );
  return fontBytes;
};

export async function reportPdf(m: ReportPdfModel): Promise<Buffer> {
  const texts = [
    m.title,
    m.footer,
    ...m.sections.flatMap((s) => [s.heading, ...s.rows.flatMap((r) => [r[0], r[1]])]),
  ];
  const subset = await subsetFont(await loadFont(), `${texts.join('')}0123456789`, { targetFormat: 'sfnt' });
  const doc = await PDFDocument.create();
  doc.registerFontkit(fontkit);
  doc.setTitle(m.title);
  const font = await doc.embedFont(subset, { subset: false });
  const ink = rgb(0.1, 0.1, 0.1);
  const grey = rgb(0.45, 0.45, 0.45);
  const A4: [number, number] = [595.28, 841.89];
  let page = doc.addPage(A4);
  let y = A4[1] - 60;
  const line = (text: string, size: number, x = 50, color = ink) => {
    if (y < 60) {
      page = doc.addPage(A4);
      y = A4[1] - 60;
    }
    page.drawText(text, { x, y, size, font, color });
  };
  line(m.title, 16);
  y -= 32;
  for (const s of m.sections) {
    line(s.heading, 12);
    y -= 20;
    for (const [label, value] of s.rows) {
      line(label, 10, 60);
      const w = font.widthOfTextAtSize(value, 10);
      page.drawText(value, { x: A4[0] - 50 - w, y, size: 10, font, color: ink });
      y -= 16;
    }
    y -= 10;
  }
  line(m.footer, 8, 50, grey);
  return Buffer.from(await doc.save());
}
