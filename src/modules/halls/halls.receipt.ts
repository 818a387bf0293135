import { readFile } from 'node:fs/promises';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { CHINA_TIME_LABEL, chinaDateTime } from '../../kernel/index.js';

/**
 * The queue receipt (取号凭条) as a small PDF for the kiosk's printer: the number, the line, the
 * people ahead, the time (China), and the link to follow the ticket. Nothing personal on it.
 * pdf-lib and the font subsetter load only when a receipt is printed.
 */
const require = createRequire(import.meta.url);
let fontBytes: Promise<Buffer> | undefined;

export async function receiptPdf(r: {
  hallName: string;
  ticket: string;
  lineName: string;
  ahead: number;
  takenAt: string;
  followUrl: string;
  demo: boolean;
}): Promise<Uint8Array> {
  const [{ PDFDocument, rgb }, { default: fontkit }, { default: subsetFont }] = await Promise.all([
    import('pdf-lib'),
    import('@pdf-lib/fontkit'),
    import('subset-font'),
  ]);
  fontBytes ??= readFile(
    join(dirname(require.resolve('@embedpdf/fonts-sc')), '..', 'fonts', 'NotoSansHans-Regular.otf'),
  );
  const lines = [
    r.hallName,
    '取号凭条',
    r.ticket,
    `业务：${r.lineName}`,
    `前面等候：${r.ahead} 人`,
    `取号时间：${chinaDateTime(r.takenAt)}（北京时间 ${CHINA_TIME_LABEL}）`,
    '扫码或访问以下地址查看排队进度：',
    r.followUrl,
    r.demo ? '演示数据，不作办事凭证' : '请留意叫号屏和语音叫号',
  ];
  const subset = await subsetFont(await fontBytes, lines.join(''), { targetFormat: 'sfnt' });
  const doc = await PDFDocument.create();
  doc.registerFontkit(fontkit);
  doc.setTitle(`取号凭条 ${r.ticket}`);
  doc.setProducer('tongban');
  const font = await doc.embedFont(subset, { subset: false });
  // 80 mm thermal paper
  const page = doc.addPage([226.77, 340]);
  const ink = rgb(0, 0, 0);
  let y = 310;
  const put = (text: string, size: number) => {
    const w = font.widthOfTextAtSize(text, size);
    page.drawText(text, { x: Math.max(8, (226.77 - w) / 2), y, size, font, color: ink });
    y -= size + 10;
  };
  put(lines[0]!, 10);
  put(lines[1]!, 12);
  put(lines[2]!, 44);
  for (const l of lines.slice(3, 7)) put(l, 8);
  put(lines[7]!, 6);
  put(lines[8]!, 8);
  return doc.save();
}
